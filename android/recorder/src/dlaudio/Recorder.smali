.class public final Ldlaudio/Recorder;
.super Ljava/lang/Object;

# dlaudio's on-device recorder, started from adb shell (see docs/recorder.md):
#   CLASSPATH=/data/local/tmp/dlaudio-recorder.dex app_process / dlaudio.Recorder \
#     --seconds <S> --rate <R> --out <path>
# Records S seconds of MIC at R Hz, mono, 16-bit PCM, into a WAV written as
# <path>.part then renamed. stdout: READY, then DONE <samples>; or ERROR <CODE> <message>.
# `dlaudio.Recorder play --in <path>` plays a WAV instead (Player.smali).

# The protocol's own stream on stdout (openProtocol).
.field private static protocol:Ljava/io/PrintStream;

# What discard() must undo if something fails.
.field private static mic:Landroid/media/AudioRecord;

.field private static out:Ljava/io/FileOutputStream;

.field private static part:Ljava/io/File;


.method public static main([Ljava/lang/String;)V
    .locals 3

    invoke-static {}, Ldlaudio/Recorder;->openProtocol()V

    # "play" first is the play mode (Player), "check" the doctor's probe, "stream" the
    # stream mode (Streamer); anything else is the original recording form.
    :try_start
    array-length v0, p0
    if-eqz v0, :record
    const/4 v0, 0x0
    aget-object v0, p0, v0
    const-string v1, "play"
    invoke-virtual {v1, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v1
    if-eqz v1, :not_play
    invoke-static {p0}, Ldlaudio/Player;->play([Ljava/lang/String;)V
    goto :finished
    :not_play
    const-string v1, "check"
    invoke-virtual {v1, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v1
    if-eqz v1, :not_check
    invoke-static {p0}, Ldlaudio/Recorder;->check([Ljava/lang/String;)V
    goto :finished
    :not_check
    const-string v1, "stream"
    invoke-virtual {v1, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v1
    if-eqz v1, :record
    invoke-static {p0}, Ldlaudio/Streamer;->stream([Ljava/lang/String;)V
    goto :finished
    :record
    invoke-static {p0}, Ldlaudio/Recorder;->record([Ljava/lang/String;)V
    :finished
    :try_end
    .catch Ldlaudio/Failure; {:try_start .. :try_end} :failed
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :crashed

    const/4 v0, 0x0

    :exit
    # app_process would otherwise wait for the audio framework's own threads.
    invoke-static {v0}, Ljava/lang/System;->exit(I)V
    return-void

    # Anything else, OutOfMemoryError included, still ends as one protocol line.
    :crashed
    move-exception v1
    invoke-static {}, Ldlaudio/Recorder;->discard()V
    invoke-static {}, Ldlaudio/Player;->discard()V
    invoke-static {}, Ldlaudio/Streamer;->discard()V
    invoke-virtual {v1}, Ljava/lang/Throwable;->toString()Ljava/lang/String;
    move-result-object v2
    new-instance v1, Ldlaudio/Failure;
    const-string v0, "INTERNAL"
    const/16 p0, 0x9
    invoke-direct {v1, v0, p0, v2}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    goto :report

    :failed
    move-exception v1
    invoke-static {}, Ldlaudio/Recorder;->discard()V
    invoke-static {}, Ldlaudio/Player;->discard()V
    invoke-static {}, Ldlaudio/Streamer;->discard()V
    :report
    iget v0, v1, Ldlaudio/Failure;->status:I
    const-string v2, "ERROR "
    iget-object p0, v1, Ldlaudio/Failure;->code:Ljava/lang/String;
    invoke-virtual {v2, p0}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v2
    const-string p0, " "
    invoke-virtual {v2, p0}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v2
    invoke-virtual {v1}, Ljava/lang/Throwable;->getMessage()Ljava/lang/String;
    move-result-object p0
    invoke-static {p0}, Ljava/lang/String;->valueOf(Ljava/lang/Object;)Ljava/lang/String;
    move-result-object p0
    invoke-virtual {v2, p0}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v2
    # The protocol is one line per message.
    const/16 v1, 0xa
    const/16 p0, 0x20
    invoke-virtual {v2, v1, p0}, Ljava/lang/String;->replace(CC)Ljava/lang/String;
    move-result-object v2
    const/16 v1, 0xd
    invoke-virtual {v2, v1, p0}, Ljava/lang/String;->replace(CC)Ljava/lang/String;
    move-result-object v2
    invoke-static {v2}, Ldlaudio/Recorder;->say(Ljava/lang/String;)V
    goto :exit
.end method


# The protocol gets stdout (FileDescriptor.out) to itself. Framework and vendor code print
# to System.out/System.err (Xiaomi prints stack traces, scrcpy #4213): both go to stderr,
# which the CLI sends to a log file on the phone, so no stray line can hide READY or fake
# an ERROR, and the log is there for the diagnostics report.
.method private static openProtocol()V
    .locals 3

    new-instance v0, Ljava/io/PrintStream;
    new-instance v1, Ljava/io/FileOutputStream;
    sget-object v2, Ljava/io/FileDescriptor;->out:Ljava/io/FileDescriptor;
    invoke-direct {v1, v2}, Ljava/io/FileOutputStream;-><init>(Ljava/io/FileDescriptor;)V
    invoke-direct {v0, v1}, Ljava/io/PrintStream;-><init>(Ljava/io/OutputStream;)V
    sput-object v0, Ldlaudio/Recorder;->protocol:Ljava/io/PrintStream;

    new-instance v0, Ljava/io/PrintStream;
    new-instance v1, Ljava/io/FileOutputStream;
    sget-object v2, Ljava/io/FileDescriptor;->err:Ljava/io/FileDescriptor;
    invoke-direct {v1, v2}, Ljava/io/FileOutputStream;-><init>(Ljava/io/FileDescriptor;)V
    const/4 v2, 0x1
    invoke-direct {v0, v1, v2}, Ljava/io/PrintStream;-><init>(Ljava/io/OutputStream;Z)V
    invoke-static {v0}, Ljava/lang/System;->setOut(Ljava/io/PrintStream;)V
    invoke-static {v0}, Ljava/lang/System;->setErr(Ljava/io/PrintStream;)V
    return-void
.end method


# One protocol line, flushed at once: the CLI reacts to it while we run.
.method static say(Ljava/lang/String;)V
    .locals 1

    sget-object v0, Ldlaudio/Recorder;->protocol:Ljava/io/PrintStream;
    invoke-virtual {v0, p0}, Ljava/io/PrintStream;->println(Ljava/lang/String;)V
    invoke-virtual {v0}, Ljava/io/PrintStream;->flush()V
    return-void
.end method


# `check`: what dlaudio doctor asks before recording: the dex loads and runs (ART
# accepted it), and which workarounds succeed on this phone. Touches no audio.
.method private static check([Ljava/lang/String;)V
    .locals 2
    .annotation system Ldalvik/annotation/Throws;
        value = {
            Ldlaudio/Failure;
        }
    .end annotation

    array-length v0, p0
    const/4 v1, 0x1
    if-ne v0, v1, :extra
    invoke-static {}, Ldlaudio/Workarounds;->apply()Ldlaudio/ShellContext;
    const-string v0, "DONE 0"
    invoke-static {v0}, Ldlaudio/Recorder;->say(Ljava/lang/String;)V
    return-void

    :extra
    const-string v0, "check takes no arguments"
    invoke-static {v0}, Ldlaudio/Recorder;->bad(Ljava/lang/String;)Ldlaudio/Failure;
    move-result-object v0
    throw v0
.end method


.method static bad(Ljava/lang/String;)Ldlaudio/Failure;
    .locals 3

    new-instance v0, Ldlaudio/Failure;
    const-string v1, "BAD_ARGS"
    const/4 v2, 0x2
    invoke-direct {v0, v1, v2, p0}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    return-object v0
.end method


.method private static record([Ljava/lang/String;)V
    .locals 16
    .annotation system Ldalvik/annotation/Throws;
        value = {
            Ldlaudio/Failure;
        }
    .end annotation

    # v15 args, v0:v1 seconds, v2 rate, v3 out path, v4 argument index
    move-object/from16 v15, p0
    const-wide/16 v0, 0x0
    const/4 v2, 0x0
    const/4 v3, 0x0
    const/4 v4, 0x0

    :next_arg
    array-length v7, v15
    if-ge v4, v7, :args_read
    aget-object v5, v15, v4
    add-int/lit8 v4, v4, 0x1
    if-ge v4, v7, :no_value
    aget-object v6, v15, v4
    add-int/lit8 v4, v4, 0x1

    const-string v8, "--seconds"
    invoke-virtual {v8, v5}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v8
    if-eqz v8, :not_seconds
    invoke-static {v6}, Ldlaudio/Recorder;->parseSeconds(Ljava/lang/String;)D
    move-result-wide v0
    goto :next_arg

    :not_seconds
    const-string v8, "--rate"
    invoke-virtual {v8, v5}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v8
    if-eqz v8, :not_rate
    invoke-static {v6}, Ldlaudio/Recorder;->parseRate(Ljava/lang/String;)I
    move-result v2
    goto :next_arg

    :not_rate
    const-string v8, "--out"
    invoke-virtual {v8, v5}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v8
    if-eqz v8, :unknown_arg
    move-object v3, v6
    goto :next_arg

    :unknown_arg
    const-string v8, "unknown argument: "
    invoke-virtual {v8, v5}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v8
    invoke-static {v8}, Ldlaudio/Recorder;->bad(Ljava/lang/String;)Ldlaudio/Failure;
    move-result-object v8
    throw v8

    :no_value
    const-string v8, "no value after "
    invoke-virtual {v8, v5}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v8
    invoke-static {v8}, Ldlaudio/Recorder;->bad(Ljava/lang/String;)Ldlaudio/Failure;
    move-result-object v8
    throw v8

    :args_read
    # 0 < seconds <= 60; NaN (also what parseSeconds returns for junk) fails both tests.
    const-wide/16 v7, 0x0
    cmpl-double v9, v0, v7
    if-lez v9, :bad_seconds
    const-wide/high16 v7, 0x404e000000000000L    # 60.0
    cmpg-double v9, v0, v7
    if-gtz v9, :bad_seconds

    const/16 v7, 0x1f40    # 8000
    if-lt v2, v7, :bad_rate
    const v7, 0xbb80       # 48000
    if-gt v2, v7, :bad_rate

    if-eqz v3, :bad_out
    invoke-virtual {v3}, Ljava/lang/String;->isEmpty()Z
    move-result v7
    if-nez v7, :bad_out

    # v10 = samples = round(seconds * rate), at least one
    int-to-double v7, v2
    mul-double/2addr v7, v0
    invoke-static {v7, v8}, Ljava/lang/Math;->round(D)J
    move-result-wide v7
    long-to-int v10, v7
    if-lez v10, :bad_seconds
    goto :args_ok

    :bad_seconds
    const-string v8, "--seconds needs a duration above 0 and at most 60"
    goto :bad_args
    :bad_rate
    const-string v8, "--rate needs a whole number of Hz from 8000 to 48000"
    goto :bad_args
    :bad_out
    const-string v8, "--out needs the path of the WAV file to write"
    :bad_args
    invoke-static {v8}, Ldlaudio/Recorder;->bad(Ljava/lang/String;)Ldlaudio/Failure;
    move-result-object v8
    throw v8

    :args_ok
    invoke-static {}, Ldlaudio/Recorder;->checkAndroid()V

    # Open the output before the microphone: an unwritable path fails before anyone speaks.
    new-instance v4, Ljava/io/File;
    const-string v5, ".part"
    invoke-virtual {v3, v5}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v5
    invoke-direct {v4, v5}, Ljava/io/File;-><init>(Ljava/lang/String;)V
    sput-object v4, Ldlaudio/Recorder;->part:Ljava/io/File;
    :open_start
    new-instance v13, Ljava/io/FileOutputStream;
    invoke-direct {v13, v4}, Ljava/io/FileOutputStream;-><init>(Ljava/io/File;)V
    sput-object v13, Ldlaudio/Recorder;->out:Ljava/io/FileOutputStream;
    invoke-static {v2, v10}, Ldlaudio/Recorder;->header(II)[B
    move-result-object v5
    invoke-virtual {v13, v5}, Ljava/io/FileOutputStream;->write([B)V
    :open_end
    .catch Ljava/io/IOException; {:open_start .. :open_end} :write_failed

    invoke-static {v2}, Ldlaudio/Recorder;->openMic(I)Landroid/media/AudioRecord;
    move-result-object v4
    sput-object v4, Ldlaudio/Recorder;->mic:Landroid/media/AudioRecord;
    const-string v5, "READY"
    invoke-static {v5}, Ldlaudio/Recorder;->say(Ljava/lang/String;)V

    # Read 100 ms at a time: v5 chunk, v6 shorts, v7 the same as little-endian bytes
    # (WAV's byte order) through the short view v8; v9 samples done.
    const/4 v0, 0x0
    div-int/lit8 v5, v2, 0xa
    new-array v6, v5, [S
    mul-int/lit8 v7, v5, 0x2
    invoke-static {v7}, Ljava/nio/ByteBuffer;->allocate(I)Ljava/nio/ByteBuffer;
    move-result-object v7
    sget-object v8, Ljava/nio/ByteOrder;->LITTLE_ENDIAN:Ljava/nio/ByteOrder;
    invoke-virtual {v7, v8}, Ljava/nio/ByteBuffer;->order(Ljava/nio/ByteOrder;)Ljava/nio/ByteBuffer;
    invoke-virtual {v7}, Ljava/nio/ByteBuffer;->asShortBuffer()Ljava/nio/ShortBuffer;
    move-result-object v8
    invoke-virtual {v7}, Ljava/nio/ByteBuffer;->array()[B
    move-result-object v7
    const/4 v9, 0x0
    # v1:v2 when reads started returning nothing (0: they did not)
    const-wide/16 v1, 0x0

    :next_read
    if-ge v9, v10, :all_read
    sub-int v11, v10, v9
    invoke-static {v11, v5}, Ljava/lang/Math;->min(II)I
    move-result v11
    :read_start
    invoke-virtual {v4, v6, v0, v11}, Landroid/media/AudioRecord;->read([SII)I
    move-result v11
    :read_end
    .catch Ljava/lang/RuntimeException; {:read_start .. :read_end} :read_threw
    if-ltz v11, :read_failed
    if-eqz v11, :zero_read
    const-wide/16 v1, 0x0
    invoke-virtual {v8}, Ljava/nio/Buffer;->clear()Ljava/nio/Buffer;
    invoke-virtual {v8, v6, v0, v11}, Ljava/nio/ShortBuffer;->put([SII)Ljava/nio/ShortBuffer;
    mul-int/lit8 v12, v11, 0x2
    :write_start
    invoke-virtual {v13, v7, v0, v12}, Ljava/io/FileOutputStream;->write([BII)V
    :write_end
    .catch Ljava/io/IOException; {:write_start .. :write_end} :write_failed
    add-int/2addr v9, v11
    goto :next_read

    :all_read
    invoke-virtual {v4}, Landroid/media/AudioRecord;->release()V
    const/4 v4, 0x0
    sput-object v4, Ldlaudio/Recorder;->mic:Landroid/media/AudioRecord;

    :finish_start
    invoke-virtual {v13}, Ljava/io/FileOutputStream;->close()V
    sput-object v4, Ldlaudio/Recorder;->out:Ljava/io/FileOutputStream;
    sget-object v5, Ldlaudio/Recorder;->part:Ljava/io/File;
    new-instance v6, Ljava/io/File;
    invoke-direct {v6, v3}, Ljava/io/File;-><init>(Ljava/lang/String;)V
    invoke-virtual {v5, v6}, Ljava/io/File;->renameTo(Ljava/io/File;)Z
    move-result v7
    if-eqz v7, :rename_failed
    sput-object v4, Ldlaudio/Recorder;->part:Ljava/io/File;
    :finish_end
    .catch Ljava/io/IOException; {:finish_start .. :finish_end} :write_failed

    const-string v5, "DONE "
    invoke-static {v10}, Ljava/lang/String;->valueOf(I)Ljava/lang/String;
    move-result-object v6
    invoke-virtual {v5, v6}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v5
    invoke-static {v5}, Ldlaudio/Recorder;->say(Ljava/lang/String;)V
    return-void

    :rename_failed
    const-string v5, "cannot rename the recording to "
    invoke-virtual {v5, v3}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v5
    goto :throw_write_error

    :write_failed
    move-exception v5
    const-string v6, "cannot write the recording: "
    invoke-virtual {v5}, Ljava/lang/Throwable;->getMessage()Ljava/lang/String;
    move-result-object v5
    invoke-static {v5}, Ljava/lang/String;->valueOf(Ljava/lang/Object;)Ljava/lang/String;
    move-result-object v5
    invoke-virtual {v6, v5}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v5
    :throw_write_error
    new-instance v6, Ldlaudio/Failure;
    const-string v7, "WRITE_ERROR"
    const/4 v8, 0x6
    invoke-direct {v6, v7, v8, v5}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    throw v6

    :read_threw
    move-exception v5
    const-string v6, "AudioRecord.read failed: "
    invoke-virtual {v5}, Ljava/lang/Object;->toString()Ljava/lang/String;
    move-result-object v5
    invoke-virtual {v6, v5}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v5
    goto :throw_read_error

    # 0 is not an error: WOULD_BLOCK after a timeout, or a wait interrupted (EINTR) on some
    # HALs. Retry, and give up only after a second without any audio.
    :zero_read
    invoke-static {}, Landroid/os/SystemClock;->uptimeMillis()J
    move-result-wide v11
    const-wide/16 v14, 0x0
    cmp-long v14, v1, v14
    if-nez v14, :waiting
    move-wide v1, v11
    :waiting
    sub-long/2addr v11, v1
    const-wide/16 v14, 0x3e8
    cmp-long v14, v11, v14
    if-gtz v14, :no_data
    const-wide/16 v11, 0xa
    invoke-static {v11, v12}, Landroid/os/SystemClock;->sleep(J)V
    goto :next_read

    :no_data
    const/4 v11, 0x0
    const-string v6, "no audio for 1 s: AudioRecord.read returned "
    goto :read_message

    :read_failed
    const-string v6, "AudioRecord.read returned "
    :read_message
    new-instance v5, Ljava/lang/StringBuilder;
    invoke-direct {v5, v6}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
    invoke-virtual {v5, v11}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    const-string v6, " after "
    invoke-virtual {v5, v6}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v5, v9}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    const-string v6, " of "
    invoke-virtual {v5, v6}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v5, v10}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    const-string v6, " samples"
    invoke-virtual {v5, v6}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v5}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v5
    :throw_read_error
    new-instance v6, Ldlaudio/Failure;
    const-string v7, "READ_ERROR"
    const/4 v8, 0x5
    invoke-direct {v6, v7, v8, v5}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    throw v6
.end method


# Checked by the CLI too, but the recorder must not pretend on an old phone.
.method static checkAndroid()V
    .locals 12
    .annotation system Ldalvik/annotation/Throws;
        value = {
            Ldlaudio/Failure;
        }
    .end annotation

    sget v7, Landroid/os/Build$VERSION;->SDK_INT:I
    const/16 v8, 0x1e
    if-ge v7, v8, :ok
    const-string v8, "Android SDK "
    invoke-static {v7}, Ljava/lang/String;->valueOf(I)Ljava/lang/String;
    move-result-object v7
    invoke-virtual {v8, v7}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v8
    const-string v7, " cannot record the microphone from adb shell: Android 11 (SDK 30) or newer is needed"
    invoke-virtual {v8, v7}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v8
    new-instance v7, Ldlaudio/Failure;
    const-string v9, "UNSUPPORTED_ANDROID"
    const/4 v11, 0x3
    invoke-direct {v7, v9, v11, v8}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    throw v7


    :ok
    return-void
.end method


# NaN for anything that is not a number, so that the range check rejects it.
.method private static parseSeconds(Ljava/lang/String;)D
    .locals 2

    :try_start
    invoke-static {p0}, Ljava/lang/Double;->parseDouble(Ljava/lang/String;)D
    move-result-wide v0
    return-wide v0
    :try_end
    .catch Ljava/lang/NumberFormatException; {:try_start .. :try_end} :junk

    :junk
    const-wide/high16 v0, 0x7ff8000000000000L    # NaN
    return-wide v0
.end method


# 0 for anything that is not a whole number, so that the range check rejects it.
.method static parseRate(Ljava/lang/String;)I
    .locals 1

    :try_start
    invoke-static {p0}, Ljava/lang/Integer;->parseInt(Ljava/lang/String;)I
    move-result v0
    return v0
    :try_end
    .catch Ljava/lang/NumberFormatException; {:try_start .. :try_end} :junk

    :junk
    const/4 v0, 0x0
    return v0
.end method


# The 44-byte RIFF/WAVE header of mono 16-bit PCM.
.method private static header(II)[B
    .locals 4

    const/16 v0, 0x2c
    invoke-static {v0}, Ljava/nio/ByteBuffer;->allocate(I)Ljava/nio/ByteBuffer;
    move-result-object v0
    sget-object v1, Ljava/nio/ByteOrder;->LITTLE_ENDIAN:Ljava/nio/ByteOrder;
    invoke-virtual {v0, v1}, Ljava/nio/ByteBuffer;->order(Ljava/nio/ByteOrder;)Ljava/nio/ByteBuffer;
    mul-int/lit8 v2, p1, 0x2                # data size in bytes

    const v1, 0x46464952                    # "RIFF"
    invoke-virtual {v0, v1}, Ljava/nio/ByteBuffer;->putInt(I)Ljava/nio/ByteBuffer;
    add-int/lit8 v1, v2, 0x24               # RIFF size: the rest of the header + data
    invoke-virtual {v0, v1}, Ljava/nio/ByteBuffer;->putInt(I)Ljava/nio/ByteBuffer;
    const v1, 0x45564157                    # "WAVE"
    invoke-virtual {v0, v1}, Ljava/nio/ByteBuffer;->putInt(I)Ljava/nio/ByteBuffer;
    const v1, 0x20746d66                    # "fmt "
    invoke-virtual {v0, v1}, Ljava/nio/ByteBuffer;->putInt(I)Ljava/nio/ByteBuffer;
    const/16 v1, 0x10                       # fmt chunk size
    invoke-virtual {v0, v1}, Ljava/nio/ByteBuffer;->putInt(I)Ljava/nio/ByteBuffer;
    const v1, 0x10001                       # format 1 (PCM), 1 channel
    invoke-virtual {v0, v1}, Ljava/nio/ByteBuffer;->putInt(I)Ljava/nio/ByteBuffer;
    invoke-virtual {v0, p0}, Ljava/nio/ByteBuffer;->putInt(I)Ljava/nio/ByteBuffer;
    mul-int/lit8 v1, p0, 0x2                # bytes per second
    invoke-virtual {v0, v1}, Ljava/nio/ByteBuffer;->putInt(I)Ljava/nio/ByteBuffer;
    const v1, 0x100002                      # 2 bytes per frame, 16 bits per sample
    invoke-virtual {v0, v1}, Ljava/nio/ByteBuffer;->putInt(I)Ljava/nio/ByteBuffer;
    const v1, 0x61746164                    # "data"
    invoke-virtual {v0, v1}, Ljava/nio/ByteBuffer;->putInt(I)Ljava/nio/ByteBuffer;
    invoke-virtual {v0, v2}, Ljava/nio/ByteBuffer;->putInt(I)Ljava/nio/ByteBuffer;

    invoke-virtual {v0}, Ljava/nio/ByteBuffer;->array()[B
    move-result-object v0
    return-object v0
.end method


# A started AudioRecord on MIC, or Failure AUDIO_INIT.
.method static openMic(I)Landroid/media/AudioRecord;
    .locals 6
    .annotation system Ldalvik/annotation/Throws;
        value = {
            Ldlaudio/Failure;
        }
    .end annotation

    invoke-static {}, Ldlaudio/Workarounds;->apply()Ldlaudio/ShellContext;
    move-result-object v2

    sget v1, Landroid/os/Build$VERSION;->SDK_INT:I
    const/16 v3, 0x1e
    if-le v1, v3, :android_11
    # Android 12+: the identity travels with the context given to the builder.
    invoke-static {p0, v2}, Ldlaudio/Recorder;->startMic(ILandroid/content/Context;)Landroid/media/AudioRecord;
    move-result-object v0
    return-object v0

    :android_11
    # Android 11: the identity comes from the process's Application (ShellContext, see
    # Workarounds), and the shell must be in the foreground; the activity takes a moment
    # to show, so retry.
    invoke-static {}, Ldlaudio/Workarounds;->shellToForeground()V
    const/16 v3, 0xa

    :retry
    const-wide/16 v4, 0xc8
    invoke-static {v4, v5}, Landroid/os/SystemClock;->sleep(J)V
    :try_start
    const/4 v0, 0x0
    invoke-static {p0, v0}, Ldlaudio/Recorder;->startMic(ILandroid/content/Context;)Landroid/media/AudioRecord;
    move-result-object v0
    :try_end
    .catch Ldlaudio/Failure; {:try_start .. :try_end} :not_yet
    invoke-static {}, Ldlaudio/Workarounds;->shellToBackground()V
    return-object v0

    :not_yet
    move-exception v0
    add-int/lit8 v3, v3, -0x1
    if-gtz v3, :retry
    invoke-static {}, Ldlaudio/Workarounds;->shellToBackground()V
    throw v0
.end method


# One attempt: build the AudioRecord (with context on 12+; setContext does not exist
# on 11), start it, and check it is really recording.
.method private static startMic(ILandroid/content/Context;)Landroid/media/AudioRecord;
    .locals 7
    .annotation system Ldalvik/annotation/Throws;
        value = {
            Ldlaudio/Failure;
        }
    .end annotation

    const/4 v0, 0x0

    :try_start
    new-instance v1, Landroid/media/AudioFormat$Builder;
    invoke-direct {v1}, Landroid/media/AudioFormat$Builder;-><init>()V
    invoke-virtual {v1, p0}, Landroid/media/AudioFormat$Builder;->setSampleRate(I)Landroid/media/AudioFormat$Builder;
    const/16 v2, 0x10                       # AudioFormat.CHANNEL_IN_MONO
    invoke-virtual {v1, v2}, Landroid/media/AudioFormat$Builder;->setChannelMask(I)Landroid/media/AudioFormat$Builder;
    const/4 v3, 0x2                         # AudioFormat.ENCODING_PCM_16BIT
    invoke-virtual {v1, v3}, Landroid/media/AudioFormat$Builder;->setEncoding(I)Landroid/media/AudioFormat$Builder;
    invoke-virtual {v1}, Landroid/media/AudioFormat$Builder;->build()Landroid/media/AudioFormat;
    move-result-object v1

    new-instance v4, Landroid/media/AudioRecord$Builder;
    invoke-direct {v4}, Landroid/media/AudioRecord$Builder;-><init>()V
    const/4 v5, 0x1                         # MediaRecorder.AudioSource.MIC
    invoke-virtual {v4, v5}, Landroid/media/AudioRecord$Builder;->setAudioSource(I)Landroid/media/AudioRecord$Builder;
    invoke-virtual {v4, v1}, Landroid/media/AudioRecord$Builder;->setAudioFormat(Landroid/media/AudioFormat;)Landroid/media/AudioRecord$Builder;
    if-eqz p1, :no_context
    invoke-virtual {v4, p1}, Landroid/media/AudioRecord$Builder;->setContext(Landroid/content/Context;)Landroid/media/AudioRecord$Builder;
    :no_context
    # A roomy buffer, at least 1 s: no sample may be lost while nobody reads
    # (on Android 11, while `am` sends the shell back to the background).
    invoke-static {p0, v2, v3}, Landroid/media/AudioRecord;->getMinBufferSize(III)I
    move-result v5
    if-lez v5, :default_buffer
    mul-int/lit8 v5, v5, 0x8
    mul-int/lit8 v6, p0, 0x2
    invoke-static {v5, v6}, Ljava/lang/Math;->max(II)I
    move-result v5
    invoke-virtual {v4, v5}, Landroid/media/AudioRecord$Builder;->setBufferSizeInBytes(I)Landroid/media/AudioRecord$Builder;
    :default_buffer
    invoke-virtual {v4}, Landroid/media/AudioRecord$Builder;->build()Landroid/media/AudioRecord;
    move-result-object v0

    invoke-virtual {v0}, Landroid/media/AudioRecord;->startRecording()V
    invoke-virtual {v0}, Landroid/media/AudioRecord;->getRecordingState()I
    move-result v5
    const/4 v1, 0x3                         # AudioRecord.RECORDSTATE_RECORDING
    if-ne v5, v1, :not_started
    return-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :threw

    :not_started
    const-string v1, "startRecording() did not start"
    goto :give_up

    :threw
    move-exception v1
    invoke-virtual {v1}, Ljava/lang/Object;->toString()Ljava/lang/String;
    move-result-object v1

    :give_up
    if-eqz v0, :released
    :release_start
    invoke-virtual {v0}, Landroid/media/AudioRecord;->release()V
    :release_end
    .catch Ljava/lang/Throwable; {:release_start .. :release_end} :released
    :released
    const-string v2, "cannot record from the microphone (in use by another app? on Android 11, is the phone unlocked?): "
    invoke-virtual {v2, v1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v2
    new-instance v3, Ldlaudio/Failure;
    const-string v4, "AUDIO_INIT"
    const/4 v5, 0x4
    invoke-direct {v3, v4, v5, v2}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    throw v3
.end method


# After a failure: free the microphone and leave no partial file behind.
.method private static discard()V
    .locals 1

    sget-object v0, Ldlaudio/Recorder;->mic:Landroid/media/AudioRecord;
    if-eqz v0, :mic_done
    :release_start
    invoke-virtual {v0}, Landroid/media/AudioRecord;->release()V
    :release_end
    .catch Ljava/lang/Throwable; {:release_start .. :release_end} :mic_done
    :mic_done

    sget-object v0, Ldlaudio/Recorder;->out:Ljava/io/FileOutputStream;
    if-eqz v0, :out_done
    :close_start
    invoke-virtual {v0}, Ljava/io/FileOutputStream;->close()V
    :close_end
    .catch Ljava/io/IOException; {:close_start .. :close_end} :out_done
    :out_done

    sget-object v0, Ldlaudio/Recorder;->part:Ljava/io/File;
    if-eqz v0, :part_done
    invoke-virtual {v0}, Ljava/io/File;->delete()Z
    :part_done
    return-void
.end method
