package android.media;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A speaker that keeps every sample it is given, and plays the way AudioFlinger serves a
 * streaming track; see ../../README.md for the knobs.
 */
public class AudioTrack {
  public static final int STATE_UNINITIALIZED = 0;
  public static final int STATE_INITIALIZED = 1;
  public static final int PLAYSTATE_STOPPED = 1;
  public static final int PLAYSTATE_PLAYING = 3;
  public static final int MODE_STREAM = 1;
  public static final int ERROR_BAD_VALUE = -2;
  public static final int ERROR_INVALID_OPERATION = -3;
  public static final int ERROR_DEAD_OBJECT = -6;

  /** Frames the mixer takes per cycle: a tail shorter than this waits for more data. */
  static final int PERIOD = 240;
  /** How far the head moves per getPlaybackHeadPosition() call (the stub's clock); stub.trackStep changes it. */
  static final int STEP = Integer.getInteger("stub.trackStep", 1600);
  /** stub.trackKeep=0: count frames without keeping them (a long file in a small heap). */
  static final boolean KEEP = !System.getProperty("stub.trackKeep", "1").equals("0");
  /** A blocking write may return after part of the data. */
  static final int MAX_PER_WRITE = 3000;
  /** With stub.track=stall the head never passes this. */
  static final int STALL_AT = 1000;

  private final int bufferFrames;
  private int playState = PLAYSTATE_STOPPED;
  private boolean released;
  private boolean started;
  private short[] written = new short[4096];
  private int count;
  private int head;
  private int polls;

  private AudioTrack(int bufferFrames) {
    this.bufferFrames = bufferFrames;
  }

  private static String knob(String name) {
    return System.getProperty("stub." + name, "");
  }

  private static void log(String line) {
    System.err.println("stub: " + line);
  }

  public static int getMinBufferSize(int sampleRateInHz, int channelConfig, int audioFormat) {
    return sampleRateInHz / 25 * 2; // 40 ms of mono 16-bit
  }

  public int getState() {
    return released ? STATE_UNINITIALIZED : STATE_INITIALIZED;
  }

  public int getBufferSizeInFrames() {
    return bufferFrames;
  }

  public void play() {
    if (released) {
      throw new IllegalStateException("play() called on uninitialized AudioTrack.");
    }
    if (!knob("track").equals("nostart")) {
      playState = PLAYSTATE_PLAYING;
    }
    log("play state=" + playState);
  }

  public int getPlayState() {
    return playState;
  }

  public int write(short[] audioData, int offsetInShorts, int sizeInShorts) {
    if (released) {
      return ERROR_INVALID_OPERATION;
    }
    if (offsetInShorts < 0 || sizeInShorts < 0 || offsetInShorts + sizeInShorts > audioData.length) {
      return ERROR_BAD_VALUE;
    }
    int n = accept(sizeInShorts);
    if (n <= 0) {
      return n;
    }
    keep(audioData, offsetInShorts, n);
    return n;
  }

  /** PCM 16-bit as bytes, in the device's (little-endian) order; returns bytes written. */
  public int write(byte[] audioData, int offsetInBytes, int sizeInBytes) {
    if (released) {
      return ERROR_INVALID_OPERATION;
    }
    if (offsetInBytes < 0 || sizeInBytes < 0 || offsetInBytes + sizeInBytes > audioData.length || sizeInBytes % 2 != 0) {
      return ERROR_BAD_VALUE;
    }
    if (knob("track").equals("oom")) {
      throw new OutOfMemoryError("stub: Failed to allocate a 4194320 byte allocation");
    }
    int n = accept(sizeInBytes / 2);
    if (n <= 0) {
      return n;
    }
    short[] frames = new short[n];
    ByteBuffer.wrap(audioData, offsetInBytes, 2 * n).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(frames);
    keep(frames, 0, n);
    return 2 * n;
  }

  /** How many of `frames` this write takes (a blocking write may take part), or an error code. */
  private int accept(int frames) {
    int errorAt = Integer.getInteger("stub.writeErrorAt", -1);
    int n = Math.min(frames, MAX_PER_WRITE);
    if (errorAt >= 0) {
      if (count >= errorAt) {
        return ERROR_DEAD_OBJECT;
      }
      n = Math.min(n, errorAt - count);
    }
    return n;
  }

  private void keep(short[] frames, int offset, int n) {
    if (KEEP) {
      if (count + n > written.length) {
        written = Arrays.copyOf(written, Math.max(written.length * 2, count + n));
      }
      System.arraycopy(frames, offset, written, count, n);
    }
    count += n;
  }

  /**
   * Frames consumed so far. Like AudioFlinger: a track starts once its buffer is full, then
   * the mixer takes whole periods only, so a tail shorter than a period stays queued.
   */
  public int getPlaybackHeadPosition() {
    polls++;
    if (playState == PLAYSTATE_PLAYING) {
      if (count >= bufferFrames) {
        started = true;
      }
      int periods = (count - head) / PERIOD;
      if (started && periods > 0) {
        head += Math.min(STEP, periods * PERIOD);
        if (knob("track").equals("stall")) {
          head = Math.min(head, STALL_AT);
        }
      }
    }
    return head;
  }

  /** Resets the head to zero, as the framework's stop() does. */
  public void stop() {
    playState = PLAYSTATE_STOPPED;
    head = 0;
    log("stop");
  }

  public void release() {
    if (released) {
      return;
    }
    released = true;
    playState = PLAYSTATE_STOPPED;
    log("released at head " + head + " after " + count + " frames written, " + polls + " polls");
    String dump = knob("trackDump");
    if (!dump.isEmpty() && KEEP) {
      ByteBuffer b = ByteBuffer.allocate(count * 2).order(ByteOrder.LITTLE_ENDIAN);
      b.asShortBuffer().put(written, 0, count);
      try (FileOutputStream out = new FileOutputStream(dump)) {
        out.write(b.array());
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    }
  }

  public static class Builder {
    private AudioAttributes attributes;
    private AudioFormat format;
    private int bufferSize;
    private int mode = MODE_STREAM;

    public Builder setAudioAttributes(AudioAttributes attributes) { this.attributes = attributes; return this; }

    public Builder setAudioFormat(AudioFormat format) { this.format = format; return this; }

    public Builder setBufferSizeInBytes(int bufferSize) { this.bufferSize = bufferSize; return this; }

    public Builder setTransferMode(int mode) { this.mode = mode; return this; }

    public AudioTrack build() {
      log("track usage=" + attributes.usage + " content=" + attributes.contentType + " rate=" + format.sampleRate
          + " channelMask=" + format.channelMask + " encoding=" + format.encoding + " mode=" + mode + " buffer=" + bufferSize);
      if (format.sampleRate < 4000 || format.sampleRate > 192000 || bufferSize <= 0) {
        throw new IllegalArgumentException("Invalid audio format or buffer size");
      }
      if (knob("track").equals("fail")) {
        throw new UnsupportedOperationException("Cannot create AudioTrack");
      }
      return new AudioTrack(bufferSize / 2);
    }
  }
}
