.class final Ldlaudio/Streamer;
.super Ljava/lang/Object;
.implements Ljava/lang/Runnable;

# Stream mode (docs/recorder.md, "Stream mode"):
#   dlaudio.Recorder stream --rate <R> --socket <name> [--log <path>]
# Listens on the abstract local socket <name> (what `adb forward ... localabstract:` and
# adbkit's openLocal reach), takes one client, then captures the MIC without end and
# writes raw PCM 16-bit little-endian to it. Protocol lines stay on stdout (Recorder.say).
#
# Two threads so that a host that stops reading never stalls the microphone: this class's
# run() (the writer) blocks on the socket, while the main thread keeps reading the mic into
# a bounded queue; when the queue is full a block is dropped and counted (OVERRUN line).
# The writer failing (EPIPE: the CLI closed the stream, adb died, cable pulled) stops it all.

# 0 waiting for the client, 1 streaming, 2 the client is gone (or accept failed).
.field private static volatile state:I

.field private static server:Landroid/net/LocalServerSocket;

.field private static client:Landroid/net/LocalSocket;

.field private static mic:Landroid/media/AudioRecord;

.field private static queue:Ljava/util/concurrent/ArrayBlockingQueue;


.method private constructor <init>()V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method


.method static stream([Ljava/lang/String;)V
    .locals 16
    .annotation system Ldalvik/annotation/Throws;
        value = {
            Ldlaudio/Failure;
        }
    .end annotation

    # v15 args, v0 rate, v1 socket name, v2 log path, v3 argument index
    move-object/from16 v15, p0
    const/4 v0, 0x0
    const/4 v1, 0x0
    const/4 v2, 0x0
    const/4 v3, 0x1

    :next_arg
    array-length v4, v15
    if-ge v3, v4, :args_read
    aget-object v5, v15, v3
    add-int/lit8 v3, v3, 0x1
    if-ge v3, v4, :no_value
    aget-object v6, v15, v3
    add-int/lit8 v3, v3, 0x1

    const-string v7, "--rate"
    invoke-virtual {v7, v5}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v7
    if-eqz v7, :not_rate
    invoke-static {v6}, Ldlaudio/Recorder;->parseRate(Ljava/lang/String;)I
    move-result v0
    goto :next_arg

    :not_rate
    const-string v7, "--socket"
    invoke-virtual {v7, v5}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v7
    if-eqz v7, :not_socket
    move-object v1, v6
    goto :next_arg

    :not_socket
    const-string v7, "--log"
    invoke-virtual {v7, v5}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v7
    if-eqz v7, :unknown_arg
    move-object v2, v6
    goto :next_arg

    :unknown_arg
    const-string v7, "unknown argument: "
    invoke-virtual {v7, v5}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v7
    goto :bad_args

    :no_value
    const-string v7, "no value after "
    invoke-virtual {v7, v5}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v7
    goto :bad_args

    :args_read
    const/16 v7, 0x1f40    # 8000
    if-lt v0, v7, :bad_rate
    const v7, 0xbb80       # 48000
    if-gt v0, v7, :bad_rate
    if-eqz v1, :bad_socket
    invoke-virtual {v1}, Ljava/lang/String;->isEmpty()Z
    move-result v7
    if-nez v7, :bad_socket
    goto :args_ok

    :bad_rate
    const-string v7, "--rate needs a whole number of Hz from 8000 to 48000"
    goto :bad_args
    :bad_socket
    const-string v7, "--socket needs the name of the abstract socket to listen on"
    :bad_args
    invoke-static {v7}, Ldlaudio/Recorder;->bad(Ljava/lang/String;)Ldlaudio/Failure;
    move-result-object v7
    throw v7

    :args_ok
    invoke-static {}, Ldlaudio/Recorder;->checkAndroid()V

    # Listen before opening the microphone: the mic is held only while a client reads.
    :listen_start
    new-instance v4, Landroid/net/LocalServerSocket;
    invoke-direct {v4, v1}, Landroid/net/LocalServerSocket;-><init>(Ljava/lang/String;)V
    :listen_end
    .catch Ljava/io/IOException; {:listen_start .. :listen_end} :listen_failed
    sput-object v4, Ldlaudio/Streamer;->server:Landroid/net/LocalServerSocket;
    # 50 blocks of 20 ms: one second of sound waits on the phone, never more.
    new-instance v4, Ljava/util/concurrent/ArrayBlockingQueue;
    const/16 v5, 0x32
    invoke-direct {v4, v5}, Ljava/util/concurrent/ArrayBlockingQueue;-><init>(I)V
    sput-object v4, Ldlaudio/Streamer;->queue:Ljava/util/concurrent/ArrayBlockingQueue;
    new-instance v4, Ljava/lang/Thread;
    new-instance v5, Ldlaudio/Streamer;
    invoke-direct {v5}, Ldlaudio/Streamer;-><init>()V
    invoke-direct {v4, v5}, Ljava/lang/Thread;-><init>(Ljava/lang/Runnable;)V
    const/4 v5, 0x1
    invoke-virtual {v4, v5}, Ljava/lang/Thread;->setDaemon(Z)V
    invoke-virtual {v4}, Ljava/lang/Thread;->start()V
    const-string v4, "LISTENING"
    invoke-static {v4}, Ldlaudio/Recorder;->say(Ljava/lang/String;)V

    # A CLI that went away before connecting must not leave us waiting forever: 10 s.
    invoke-static {}, Landroid/os/SystemClock;->uptimeMillis()J
    move-result-wide v5
    const-wide/16 v7, 0x2710
    add-long/2addr v5, v7
    :wait_client
    sget v4, Ldlaudio/Streamer;->state:I
    if-nez v4, :client_known
    invoke-static {}, Landroid/os/SystemClock;->uptimeMillis()J
    move-result-wide v7
    cmp-long v4, v7, v5
    if-gtz v4, :no_client
    const-wide/16 v7, 0xa
    invoke-static {v7, v8}, Landroid/os/SystemClock;->sleep(J)V
    goto :wait_client

    :client_known
    const/4 v5, 0x1
    if-eq v4, v5, :connected

    :no_client
    invoke-static {v2}, Ldlaudio/Streamer;->removeLog(Ljava/lang/String;)V
    new-instance v4, Ldlaudio/Failure;
    const-string v5, "NO_CLIENT"
    const/16 v6, 0xb
    const-string v7, "nobody connected to the socket within 10 s"
    invoke-direct {v4, v5, v6, v7}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    throw v4

    :listen_failed
    move-exception v4
    const-string v5, "cannot listen on the socket "
    invoke-virtual {v5, v1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v5
    const-string v6, ": "
    invoke-virtual {v5, v6}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v5
    invoke-virtual {v4}, Ljava/lang/Object;->toString()Ljava/lang/String;
    move-result-object v4
    invoke-virtual {v5, v4}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v5
    new-instance v4, Ldlaudio/Failure;
    const-string v6, "SOCKET_ERROR"
    const/16 v7, 0xa
    invoke-direct {v4, v6, v7, v5}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    throw v4

    :connected
    invoke-static {v0}, Ldlaudio/Recorder;->openMic(I)Landroid/media/AudioRecord;
    move-result-object v4
    sput-object v4, Ldlaudio/Streamer;->mic:Landroid/media/AudioRecord;
    const-string v5, "READY"
    invoke-static {v5}, Ldlaudio/Recorder;->say(Ljava/lang/String;)V

    # v5 samples per 20 ms block, v6 the shorts read, v3 0 (offset);
    # v9:v10 samples captured, v11 samples dropped so far, v12 1 while a drop lasts,
    # v13:v14 when reads started returning nothing (0: they did not).
    div-int/lit8 v5, v0, 0x32
    new-array v6, v5, [S
    const/4 v3, 0x0
    const-wide/16 v9, 0x0
    const/4 v11, 0x0
    const/4 v12, 0x0
    const-wide/16 v13, 0x0

    :next_read
    sget v7, Ldlaudio/Streamer;->state:I
    const/4 v8, 0x2
    if-eq v7, v8, :client_gone
    :read_start
    invoke-virtual {v4, v6, v3, v5}, Landroid/media/AudioRecord;->read([SII)I
    move-result v7
    :read_end
    .catch Ljava/lang/RuntimeException; {:read_start .. :read_end} :read_threw
    if-ltz v7, :read_failed
    if-eqz v7, :zero_read
    const-wide/16 v13, 0x0
    int-to-long v0, v7
    add-long/2addr v9, v0

    # A fresh array per block: the writer thread owns it once queued.
    mul-int/lit8 v8, v7, 0x2
    new-array v8, v8, [B
    invoke-static {v8}, Ljava/nio/ByteBuffer;->wrap([B)Ljava/nio/ByteBuffer;
    move-result-object v0
    sget-object v1, Ljava/nio/ByteOrder;->LITTLE_ENDIAN:Ljava/nio/ByteOrder;
    invoke-virtual {v0, v1}, Ljava/nio/ByteBuffer;->order(Ljava/nio/ByteOrder;)Ljava/nio/ByteBuffer;
    invoke-virtual {v0}, Ljava/nio/ByteBuffer;->asShortBuffer()Ljava/nio/ShortBuffer;
    move-result-object v0
    invoke-virtual {v0, v6, v3, v7}, Ljava/nio/ShortBuffer;->put([SII)Ljava/nio/ShortBuffer;
    sget-object v0, Ldlaudio/Streamer;->queue:Ljava/util/concurrent/ArrayBlockingQueue;
    invoke-virtual {v0, v8}, Ljava/util/concurrent/ArrayBlockingQueue;->offer(Ljava/lang/Object;)Z
    move-result v0
    if-eqz v0, :dropped
    if-eqz v12, :next_read
    # The host reads again: say once how much it missed in all (samples, since the start).
    const/4 v12, 0x0
    const-string v0, "OVERRUN "
    invoke-static {v11}, Ljava/lang/String;->valueOf(I)Ljava/lang/String;
    move-result-object v1
    invoke-virtual {v0, v1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    invoke-static {v0}, Ldlaudio/Recorder;->say(Ljava/lang/String;)V
    goto :next_read

    :dropped
    add-int/2addr v11, v7
    const/4 v12, 0x1
    goto :next_read

    :client_gone
    # The CLI is gone: nobody will read the log, and nothing may stay on the phone.
    invoke-static {}, Ldlaudio/Streamer;->discard()V
    invoke-static {v2}, Ldlaudio/Streamer;->removeLog(Ljava/lang/String;)V
    const-string v0, "DONE "
    invoke-static {v9, v10}, Ljava/lang/String;->valueOf(J)Ljava/lang/String;
    move-result-object v1
    invoke-virtual {v0, v1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    invoke-static {v0}, Ldlaudio/Recorder;->say(Ljava/lang/String;)V
    return-void

    # 0 is not an error (see Recorder.record): retry, give up after a second without audio.
    :zero_read
    invoke-static {}, Landroid/os/SystemClock;->uptimeMillis()J
    move-result-wide v0
    const-wide/16 v7, 0x0
    cmp-long v7, v13, v7
    if-nez v7, :waiting
    move-wide v13, v0
    :waiting
    sub-long/2addr v0, v13
    const-wide/16 v7, 0x3e8
    cmp-long v7, v0, v7
    if-gtz v7, :no_data
    const-wide/16 v0, 0xa
    invoke-static {v0, v1}, Landroid/os/SystemClock;->sleep(J)V
    goto :next_read

    :no_data
    const/4 v7, 0x0
    const-string v0, "no audio for 1 s: AudioRecord.read returned "
    goto :read_message

    :read_threw
    move-exception v0
    const-string v1, "AudioRecord.read failed: "
    invoke-virtual {v0}, Ljava/lang/Object;->toString()Ljava/lang/String;
    move-result-object v0
    invoke-virtual {v1, v0}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    goto :throw_read_error

    :read_failed
    const-string v0, "AudioRecord.read returned "
    :read_message
    new-instance v1, Ljava/lang/StringBuilder;
    invoke-direct {v1, v0}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
    invoke-virtual {v1, v7}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    const-string v0, " after "
    invoke-virtual {v1, v0}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v1, v9, v10}, Ljava/lang/StringBuilder;->append(J)Ljava/lang/StringBuilder;
    const-string v0, " samples"
    invoke-virtual {v1, v0}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v1}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v0
    :throw_read_error
    new-instance v1, Ldlaudio/Failure;
    const-string v7, "READ_ERROR"
    const/4 v8, 0x5
    invoke-direct {v1, v7, v8, v0}, Ldlaudio/Failure;-><init>(Ljava/lang/String;ILjava/lang/String;)V
    throw v1
.end method


# The writer thread: takes the one client, then sends every queued block until a write
# fails. Blocks here, never in the main thread.
.method public run()V
    .locals 4

    :try_start
    sget-object v0, Ldlaudio/Streamer;->server:Landroid/net/LocalServerSocket;
    invoke-virtual {v0}, Landroid/net/LocalServerSocket;->accept()Landroid/net/LocalSocket;
    move-result-object v1
    sput-object v1, Ldlaudio/Streamer;->client:Landroid/net/LocalSocket;
    # One client only; the name is free again at once.
    invoke-virtual {v0}, Landroid/net/LocalServerSocket;->close()V
    const/4 v0, 0x1
    sput v0, Ldlaudio/Streamer;->state:I
    invoke-virtual {v1}, Landroid/net/LocalSocket;->getOutputStream()Ljava/io/OutputStream;
    move-result-object v1
    sget-object v2, Ldlaudio/Streamer;->queue:Ljava/util/concurrent/ArrayBlockingQueue;
    :next_block
    invoke-virtual {v2}, Ljava/util/concurrent/ArrayBlockingQueue;->take()Ljava/lang/Object;
    move-result-object v3
    check-cast v3, [B
    invoke-virtual {v1, v3}, Ljava/io/OutputStream;->write([B)V
    goto :next_block
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :stopped

    # EPIPE (ART ignores SIGPIPE, so a closed peer is an IOException), or accept failed.
    :stopped
    const/4 v0, 0x2
    sput v0, Ldlaudio/Streamer;->state:I
    return-void
.end method


.method private static removeLog(Ljava/lang/String;)V
    .locals 1

    if-eqz p0, :done
    new-instance v0, Ljava/io/File;
    invoke-direct {v0, p0}, Ljava/io/File;-><init>(Ljava/lang/String;)V
    invoke-virtual {v0}, Ljava/io/File;->delete()Z
    :done
    return-void
.end method


# On any stop: free the microphone first, then the sockets.
.method static discard()V
    .locals 2

    sget-object v0, Ldlaudio/Streamer;->mic:Landroid/media/AudioRecord;
    if-eqz v0, :mic_done
    const/4 v1, 0x0
    sput-object v1, Ldlaudio/Streamer;->mic:Landroid/media/AudioRecord;
    :release_start
    invoke-virtual {v0}, Landroid/media/AudioRecord;->release()V
    :release_end
    .catch Ljava/lang/Throwable; {:release_start .. :release_end} :mic_done
    :mic_done

    sget-object v0, Ldlaudio/Streamer;->client:Landroid/net/LocalSocket;
    if-eqz v0, :client_done
    :client_start
    invoke-virtual {v0}, Landroid/net/LocalSocket;->close()V
    :client_end
    .catch Ljava/lang/Throwable; {:client_start .. :client_end} :client_done
    :client_done

    sget-object v0, Ldlaudio/Streamer;->server:Landroid/net/LocalServerSocket;
    if-eqz v0, :server_done
    :server_start
    invoke-virtual {v0}, Landroid/net/LocalServerSocket;->close()V
    :server_end
    .catch Ljava/lang/Throwable; {:server_start .. :server_end} :server_done
    :server_done
    return-void
.end method
