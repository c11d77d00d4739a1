.class final Ldlaudio/Player;
.super Ljava/lang/Object;

# The recorder's play mode (see docs/recorder.md):
#   CLASSPATH=/data/local/tmp/dlaudio-recorder.dex app_process / dlaudio.Recorder play --in <path>
# Plays a PCM 16-bit mono WAV on the media stream. stdout: READY once playback has
# started, DONE <samples> once the last sample has been played; or ERROR <CODE> <message>.
# Playing needs no permission: none of the microphone's workarounds are needed.

# What discard() must release if something fails.
.field private static track:Landroid/media/AudioTrack;

# The WAV, open at its samples once readWav has checked it. The samples are streamed
# from the file to the track 8192 at a time: a 64 MiB file must not be held in memory
# (app_process's heap is as small as an app's on many phones).
.field private static input:Ljava/io/RandomAccessFile;

# The WAV's sample rate, set by readWav.
.field private static rate:I


.method static play([Ljava/lang/String;)V
    .locals 13
    .annotation system Ldalvik/annotation/Throws;
        value = {
            Ldlaudio/Failure;
        }
    .end annotation

    # v1 the --in path, v2 argument index (0 is "play")
    const/4 v1, 0x0
    const/4 v2, 0x1

    :next_arg
    array-length v5, p0
    if-ge v2, v5, :args_read
    aget-object v3, p0, v2
    add-int/lit8 v2, v2, 0x1
    if-ge v2, v5, :no_value
    aget-object v4, p0, v2
    add-int/lit8 v2, v2, 0x1
    const-string v6, "--in"
    invoke-virtual {v6, v3}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v6
    if-eqz v6, :unknown_arg
    move-object v1, v4
    goto :next_arg

    :unknown_arg
    const-string v6, "unknown argument: "
    goto :bad_arg
    :no_value
    const-string v6, "no value after "
    :bad_arg
    invoke-virtual {v6, v3}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v6
    goto :bad_args

    :args_read
    if-eqz v1, :no_in
    invoke-virtual {v1}, Ljava/lang/String;->isEmpty()Z
    move-result v6
    if-eqz v6, :args_ok
    :no_in
    const-string v6, "--in needs the path of the WAV file to play"
    :bad_args
    invoke-static {v6}, Ldlaudio/Recorder;->bad(Ljava/lang/String;)Ldlaudio/Failure;
    move-result-object v6
    throw v6

    :args_ok
    # AudioTrack.Builder and getBufferSizeInFrames exist from Android 6 (SDK 23).
    sget v6, Landroid/os/Build$VERSION;->SDK_INT:I
    const/16 v7, 0x17
    if-ge v6, v7, :android_ok
    const-string v7, "Android SDK "
    invoke-static {v6}, Ljava/lang/String;->valueOf(I)Ljava/lang/String;
    move-result-object v6
    invoke-virtual {v7, v6}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v7
    const-string v6, " cannot play from adb shell with this player: Android 6 (SDK 23) or newer is needed"
    invoke-virtual {v7, v6}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v7
    new-instance v6, Ldlaudio/Failure;
    const-string v8, "UNSUPPORTED_ANDROID"
    const/4 v9, 0x3
    invoke-direct {v6, v8, v9, v7}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    throw v6

    :android_ok
    # v4 the number of samples, v5 the track
    invoke-static {v1}, Ldlaudio/Player;->readWav(Ljava/lang/String;)I
    move-result v4
    sget v5, Ldlaudio/Player;->rate:I
    invoke-static {v5}, Ldlaudio/Player;->openTrack(I)Landroid/media/AudioTrack;
    move-result-object v5
    const-string v6, "READY"
    invoke-static {v6}, Ldlaudio/Recorder;->say(Ljava/lang/String;)V

    # The samples, then one buffer of silence: a streaming track starts once its buffer is
    # full, and mixes its last few ms only when more follows. stop() would play them out but
    # also resets the position waited on below. v6 total to write, v7 written (in samples),
    # v3 the block being written, v12 the file.
    :track_start
    invoke-virtual {v5}, Landroid/media/AudioTrack;->getBufferSizeInFrames()I
    move-result v6
    add-int/2addr v6, v4
    const/16 v3, 0x4000
    new-array v3, v3, [B
    sget-object v12, Ldlaudio/Player;->input:Ljava/io/RandomAccessFile;
    const/4 v7, 0x0

    # v8 bytes in the block, v9 of them written so far
    :next_block
    if-ge v7, v6, :all_written
    sub-int v8, v6, v7
    const/16 v9, 0x2000
    invoke-static {v8, v9}, Ljava/lang/Math;->min(II)I
    move-result v8
    if-ge v7, v4, :silence
    sub-int v9, v4, v7
    invoke-static {v8, v9}, Ljava/lang/Math;->min(II)I
    move-result v8
    add-int/2addr v8, v8
    const/4 v9, 0x0
    :file_start
    invoke-virtual {v12, v3, v9, v8}, Ljava/io/RandomAccessFile;->readFully([BII)V
    :file_end
    .catch Ljava/io/IOException; {:file_start .. :file_end} :file_failed
    goto :write_block
    :silence
    add-int/2addr v8, v8
    const/4 v9, 0x0
    invoke-static {v3, v9}, Ljava/util/Arrays;->fill([BB)V

    :write_block
    if-ge v9, v8, :next_block
    sub-int v10, v8, v9
    invoke-virtual {v5, v3, v9, v10}, Landroid/media/AudioTrack;->write([BII)I
    move-result v10
    if-lez v10, :write_failed
    add-int/2addr v9, v10
    div-int/lit8 v10, v10, 0x2
    add-int/2addr v7, v10
    goto :write_block

    # Wait until the head passes the last sample; v8 head, v9 last head seen,
    # v10 polls without progress (10 ms each).
    :all_written
    const/4 v9, -0x1
    const/4 v10, 0x0
    :poll
    invoke-virtual {v5}, Landroid/media/AudioTrack;->getPlaybackHeadPosition()I
    move-result v8
    if-ge v8, v4, :played
    if-eq v8, v9, :no_progress
    move v9, v8
    const/4 v10, 0x0
    goto :sleep
    :no_progress
    add-int/lit8 v10, v10, 0x1
    const/16 v11, 0xc8
    if-ge v10, v11, :stalled
    :sleep
    const-wide/16 v11, 0xa
    invoke-static {v11, v12}, Landroid/os/SystemClock;->sleep(J)V
    goto :poll

    :played
    # The head counts what the mixer took; the speaker is behind it by the output's
    # latency (more over Bluetooth): let the silence after the samples cover it.
    const-wide/16 v11, 0x12c
    invoke-static {v11, v12}, Landroid/os/SystemClock;->sleep(J)V
    invoke-virtual {v5}, Landroid/media/AudioTrack;->release()V
    :track_end
    .catch Ljava/lang/RuntimeException; {:track_start .. :track_end} :track_threw

    const/4 v5, 0x0
    sput-object v5, Ldlaudio/Player;->track:Landroid/media/AudioTrack;
    invoke-static {}, Ldlaudio/Player;->discard()V
    const-string v5, "DONE "
    invoke-static {v4}, Ljava/lang/String;->valueOf(I)Ljava/lang/String;
    move-result-object v6
    invoke-virtual {v5, v6}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v5
    invoke-static {v5}, Ldlaudio/Recorder;->say(Ljava/lang/String;)V
    return-void

    :file_failed
    move-exception v10
    new-instance v9, Ljava/lang/StringBuilder;
    const-string v11, "cannot read the rest of the file: "
    invoke-direct {v9, v11}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
    invoke-virtual {v9, v10}, Ljava/lang/StringBuilder;->append(Ljava/lang/Object;)Ljava/lang/StringBuilder;
    goto :play_error

    :write_failed
    new-instance v9, Ljava/lang/StringBuilder;
    const-string v11, "AudioTrack.write returned "
    invoke-direct {v9, v11}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
    invoke-virtual {v9, v10}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    const-string v10, " after "
    invoke-virtual {v9, v10}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v9, v7}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    const-string v10, " of "
    invoke-virtual {v9, v10}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v9, v6}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    const-string v10, " samples"
    invoke-virtual {v9, v10}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    goto :play_error

    :stalled
    new-instance v9, Ljava/lang/StringBuilder;
    const-string v10, "playback stopped at sample "
    invoke-direct {v9, v10}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
    invoke-virtual {v9, v8}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    const-string v10, " of "
    invoke-virtual {v9, v10}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v9, v4}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    goto :play_error

    :track_threw
    move-exception v10
    new-instance v9, Ljava/lang/StringBuilder;
    const-string v11, "AudioTrack failed while playing: "
    invoke-direct {v9, v11}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
    invoke-virtual {v9, v10}, Ljava/lang/StringBuilder;->append(Ljava/lang/Object;)Ljava/lang/StringBuilder;

    :play_error
    invoke-virtual {v9}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v9
    new-instance v10, Ldlaudio/Failure;
    const-string v11, "PLAY_ERROR"
    const/16 v12, 0x8
    invoke-direct {v10, v11, v12, v9}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    throw v10
.end method


# Checks a RIFF/WAVE PCM 16-bit mono file, leaves `input` open at its first sample, sets
# `rate`, and returns the number of samples; or Failure BAD_FILE. Chunks other than
# "fmt " and "data" are skipped. Only chunk headers and fmt are read here.
.method private static readWav(Ljava/lang/String;)I
    .locals 12
    .annotation system Ldalvik/annotation/Throws;
        value = {
            Ldlaudio/Failure;
        }
    .end annotation

    # v0 the file, v2 its length, v1 16 scratch bytes read as little-endian numbers through v7
    :open_start
    new-instance v0, Ljava/io/RandomAccessFile;
    const-string v1, "r"
    invoke-direct {v0, p0, v1}, Ljava/io/RandomAccessFile;-><init>(Ljava/lang/String;Ljava/lang/String;)V
    sput-object v0, Ldlaudio/Player;->input:Ljava/io/RandomAccessFile;
    invoke-virtual {v0}, Ljava/io/RandomAccessFile;->length()J
    move-result-wide v2
    :open_end
    .catch Ljava/io/IOException; {:open_start .. :open_end} :read_failed
    const-wide/32 v4, 0x4000000    # 64 MiB: half an hour at 16 kHz (the contract's limit)
    cmp-long v6, v2, v4
    if-gtz v6, :too_large
    long-to-int v2, v2
    const/16 v1, 0x10
    new-array v1, v1, [B
    invoke-static {v1}, Ljava/nio/ByteBuffer;->wrap([B)Ljava/nio/ByteBuffer;
    move-result-object v7
    sget-object v3, Ljava/nio/ByteOrder;->LITTLE_ENDIAN:Ljava/nio/ByteOrder;
    invoke-virtual {v7, v3}, Ljava/nio/ByteBuffer;->order(Ljava/nio/ByteOrder;)Ljava/nio/ByteBuffer;

    const/16 v3, 0xc
    if-lt v2, v3, :not_wave
    const/4 v4, 0x0
    :riff_start
    invoke-virtual {v0, v1, v4, v3}, Ljava/io/RandomAccessFile;->readFully([BII)V
    :riff_end
    .catch Ljava/io/IOException; {:riff_start .. :riff_end} :read_failed
    invoke-virtual {v7, v4}, Ljava/nio/ByteBuffer;->getInt(I)I
    move-result v5
    const v6, 0x46464952                    # "RIFF"
    if-ne v5, v6, :not_wave
    const/16 v5, 0x8
    invoke-virtual {v7, v5}, Ljava/nio/ByteBuffer;->getInt(I)I
    move-result v5
    const v6, 0x45564157                    # "WAVE"
    if-ne v5, v6, :not_wave
    # v4 position of the next chunk, v11 rate (0: no fmt yet)
    const/16 v4, 0xc
    const/4 v11, 0x0

    # v5 chunk id, v6 chunk size; v4 moves to the chunk's body
    :next_chunk
    sub-int v5, v2, v4
    const/16 v6, 0x8
    if-lt v5, v6, :no_data
    int-to-long v8, v4
    const/4 v5, 0x0
    :head_start
    invoke-virtual {v0, v8, v9}, Ljava/io/RandomAccessFile;->seek(J)V
    invoke-virtual {v0, v1, v5, v6}, Ljava/io/RandomAccessFile;->readFully([BII)V
    :head_end
    .catch Ljava/io/IOException; {:head_start .. :head_end} :read_failed
    invoke-virtual {v7, v5}, Ljava/nio/ByteBuffer;->getInt(I)I
    move-result v5
    const/4 v6, 0x4
    invoke-virtual {v7, v6}, Ljava/nio/ByteBuffer;->getInt(I)I
    move-result v6
    add-int/lit8 v4, v4, 0x8
    if-ltz v6, :truncated
    sub-int v8, v2, v4
    if-gt v6, v8, :truncated
    const v8, 0x20746d66                    # "fmt "
    if-eq v5, v8, :fmt
    const v8, 0x61746164                    # "data"
    if-eq v5, v8, :data
    :skip
    add-int/2addr v4, v6
    # RIFF pads a chunk of odd size with one byte.
    and-int/lit8 v6, v6, 0x1
    add-int/2addr v4, v6
    goto :next_chunk

    # v8 format tag, v9 channels, v11 rate, v10 bits per sample
    :fmt
    const/16 v8, 0x10
    if-lt v6, v8, :damaged_fmt
    int-to-long v9, v4
    const/4 v3, 0x0
    :fmt_start
    invoke-virtual {v0, v9, v10}, Ljava/io/RandomAccessFile;->seek(J)V
    invoke-virtual {v0, v1, v3, v8}, Ljava/io/RandomAccessFile;->readFully([BII)V
    :fmt_end
    .catch Ljava/io/IOException; {:fmt_start .. :fmt_end} :read_failed
    invoke-virtual {v7, v3}, Ljava/nio/ByteBuffer;->getShort(I)S
    move-result v8
    const v3, 0xffff                        # unsigned (extensible is 65534)
    and-int/2addr v8, v3
    const/4 v3, 0x2
    invoke-virtual {v7, v3}, Ljava/nio/ByteBuffer;->getShort(I)S
    move-result v9
    const/4 v3, 0x4
    invoke-virtual {v7, v3}, Ljava/nio/ByteBuffer;->getInt(I)I
    move-result v11
    const/16 v3, 0xe
    invoke-virtual {v7, v3}, Ljava/nio/ByteBuffer;->getShort(I)S
    move-result v10
    const/4 v3, 0x1
    if-ne v8, v3, :not_pcm16_mono
    if-ne v9, v3, :not_pcm16_mono
    const/16 v3, 0x10
    if-ne v10, v3, :not_pcm16_mono
    # AudioTrack's range (AudioFormat.SAMPLE_RATE_HZ_MIN/MAX); older phones may refuse above 96 kHz (AUDIO_INIT).
    const/16 v3, 0xfa0                      # 4000
    if-lt v11, v3, :bad_rate
    const v3, 0x2ee00                       # 192000
    if-gt v11, v3, :bad_rate
    goto :skip

    :data
    if-eqz v11, :no_fmt
    # An odd last byte is not a sample.
    div-int/lit8 v6, v6, 0x2
    if-eqz v6, :empty
    int-to-long v8, v4
    :data_start
    invoke-virtual {v0, v8, v9}, Ljava/io/RandomAccessFile;->seek(J)V
    :data_end
    .catch Ljava/io/IOException; {:data_start .. :data_end} :read_failed
    sput v11, Ldlaudio/Player;->rate:I
    return v6

    :read_failed
    move-exception v1
    const-string v2, "cannot read "
    invoke-virtual {v2, p0}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v2
    const-string v3, ": "
    invoke-virtual {v2, v3}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v2
    invoke-virtual {v1}, Ljava/lang/Throwable;->getMessage()Ljava/lang/String;
    move-result-object v1
    invoke-static {v1}, Ljava/lang/String;->valueOf(Ljava/lang/Object;)Ljava/lang/String;
    move-result-object v1
    invoke-virtual {v2, v1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v1
    const-string p0, ""
    goto :bad_file

    :not_pcm16_mono
    new-instance v0, Ljava/lang/StringBuilder;
    const-string v1, " is format "
    invoke-direct {v0, v1}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
    invoke-virtual {v0, v8}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    const-string v1, ", "
    invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v0, v9}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    const-string v1, " channel(s), "
    invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v0, v10}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    const-string v1, " bits: the player takes PCM (format 1), mono, 16-bit"
    invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v0}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v1
    goto :bad_file

    :bad_rate
    const-string v0, " has a sample rate of "
    invoke-static {v11}, Ljava/lang/String;->valueOf(I)Ljava/lang/String;
    move-result-object v1
    invoke-virtual {v0, v1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    const-string v1, " Hz, outside 4000 to 192000"
    invoke-virtual {v0, v1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v1
    goto :bad_file

    :too_large
    const-string v1, " is larger than 64 MiB"
    goto :bad_file
    :not_wave
    const-string v1, " is not a RIFF/WAVE file"
    goto :bad_file
    :truncated
    const-string v1, " is truncated: a chunk runs past the end of the file"
    goto :bad_file
    :damaged_fmt
    const-string v1, " has a damaged fmt chunk"
    goto :bad_file
    :no_fmt
    const-string v1, " has no fmt chunk before its data"
    goto :bad_file
    :no_data
    const-string v1, " has no data chunk"
    goto :bad_file
    :empty
    const-string v1, " has no samples"

    :bad_file
    invoke-virtual {p0, v1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v1
    new-instance v0, Ldlaudio/Failure;
    const-string v2, "BAD_FILE"
    const/4 v3, 0x7
    invoke-direct {v0, v2, v3, v1}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    throw v0
.end method


# A playing AudioTrack (media usage, speech, mono 16-bit, streaming), or Failure AUDIO_INIT.
.method private static openTrack(I)Landroid/media/AudioTrack;
    .locals 5
    .annotation system Ldalvik/annotation/Throws;
        value = {
            Ldlaudio/Failure;
        }
    .end annotation

    # Not needed by AudioTrack itself (it takes no callbacks here); some vendors' code makes Handlers.
    invoke-static {}, Ldlaudio/Workarounds;->prepareMainLooper()Ljava/lang/String;

    :try_start
    new-instance v0, Landroid/media/AudioAttributes$Builder;
    invoke-direct {v0}, Landroid/media/AudioAttributes$Builder;-><init>()V
    const/4 v1, 0x1                         # AudioAttributes.USAGE_MEDIA
    invoke-virtual {v0, v1}, Landroid/media/AudioAttributes$Builder;->setUsage(I)Landroid/media/AudioAttributes$Builder;
    invoke-virtual {v0, v1}, Landroid/media/AudioAttributes$Builder;->setContentType(I)Landroid/media/AudioAttributes$Builder;    # CONTENT_TYPE_SPEECH
    invoke-virtual {v0}, Landroid/media/AudioAttributes$Builder;->build()Landroid/media/AudioAttributes;
    move-result-object v0

    new-instance v1, Landroid/media/AudioFormat$Builder;
    invoke-direct {v1}, Landroid/media/AudioFormat$Builder;-><init>()V
    invoke-virtual {v1, p0}, Landroid/media/AudioFormat$Builder;->setSampleRate(I)Landroid/media/AudioFormat$Builder;
    const/4 v2, 0x4                         # AudioFormat.CHANNEL_OUT_MONO
    invoke-virtual {v1, v2}, Landroid/media/AudioFormat$Builder;->setChannelMask(I)Landroid/media/AudioFormat$Builder;
    const/4 v3, 0x2                         # AudioFormat.ENCODING_PCM_16BIT
    invoke-virtual {v1, v3}, Landroid/media/AudioFormat$Builder;->setEncoding(I)Landroid/media/AudioFormat$Builder;
    invoke-virtual {v1}, Landroid/media/AudioFormat$Builder;->build()Landroid/media/AudioFormat;
    move-result-object v1

    # Twice the minimum, at least 100 ms (rate / 5 bytes): written all at once, it need not be large.
    invoke-static {p0, v2, v3}, Landroid/media/AudioTrack;->getMinBufferSize(III)I
    move-result v2
    mul-int/lit8 v2, v2, 0x2
    div-int/lit8 v3, p0, 0x5
    invoke-static {v2, v3}, Ljava/lang/Math;->max(II)I
    move-result v2

    new-instance v3, Landroid/media/AudioTrack$Builder;
    invoke-direct {v3}, Landroid/media/AudioTrack$Builder;-><init>()V
    invoke-virtual {v3, v0}, Landroid/media/AudioTrack$Builder;->setAudioAttributes(Landroid/media/AudioAttributes;)Landroid/media/AudioTrack$Builder;
    invoke-virtual {v3, v1}, Landroid/media/AudioTrack$Builder;->setAudioFormat(Landroid/media/AudioFormat;)Landroid/media/AudioTrack$Builder;
    invoke-virtual {v3, v2}, Landroid/media/AudioTrack$Builder;->setBufferSizeInBytes(I)Landroid/media/AudioTrack$Builder;
    const/4 v4, 0x1                         # AudioTrack.MODE_STREAM
    invoke-virtual {v3, v4}, Landroid/media/AudioTrack$Builder;->setTransferMode(I)Landroid/media/AudioTrack$Builder;
    invoke-virtual {v3}, Landroid/media/AudioTrack$Builder;->build()Landroid/media/AudioTrack;
    move-result-object v0
    sput-object v0, Ldlaudio/Player;->track:Landroid/media/AudioTrack;

    invoke-virtual {v0}, Landroid/media/AudioTrack;->getState()I
    move-result v1
    const/4 v2, 0x1                         # AudioTrack.STATE_INITIALIZED
    if-ne v1, v2, :not_initialized
    invoke-virtual {v0}, Landroid/media/AudioTrack;->play()V
    invoke-virtual {v0}, Landroid/media/AudioTrack;->getPlayState()I
    move-result v1
    const/4 v2, 0x3                         # AudioTrack.PLAYSTATE_PLAYING
    if-ne v1, v2, :not_started
    return-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :threw

    :not_initialized
    const-string v1, "AudioTrack not initialized"
    goto :give_up
    :not_started
    const-string v1, "play() did not start"
    goto :give_up
    :threw
    move-exception v1
    invoke-virtual {v1}, Ljava/lang/Object;->toString()Ljava/lang/String;
    move-result-object v1

    :give_up
    const-string v2, "cannot open the phone's audio output: "
    invoke-virtual {v2, v1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v2
    new-instance v3, Ldlaudio/Failure;
    const-string v4, "AUDIO_INIT"
    const/4 v1, 0x4
    invoke-direct {v3, v4, v1, v2}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    throw v3
.end method


# After a failure (and once played): free the audio output, close the file.
.method static discard()V
    .locals 1

    sget-object v0, Ldlaudio/Player;->track:Landroid/media/AudioTrack;
    if-eqz v0, :track_done
    :release_start
    invoke-virtual {v0}, Landroid/media/AudioTrack;->release()V
    :release_end
    .catch Ljava/lang/Throwable; {:release_start .. :release_end} :track_done
    :track_done

    sget-object v0, Ldlaudio/Player;->input:Ljava/io/RandomAccessFile;
    if-eqz v0, :done
    :close_start
    invoke-virtual {v0}, Ljava/io/RandomAccessFile;->close()V
    :close_end
    .catch Ljava/lang/Throwable; {:close_start .. :close_end} :done
    :done
    const/4 v0, 0x0
    sput-object v0, Ldlaudio/Player;->input:Ljava/io/RandomAccessFile;
    return-void
.end method
