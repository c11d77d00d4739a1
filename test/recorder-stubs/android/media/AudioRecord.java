package android.media;

import android.app.ActivityThread;
import android.content.AttributionSource;
import android.content.Context;
import android.os.Build;
import android.provider.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;

/** A microphone that plays back a known waveform; see ../../README.md for the knobs. */
public class AudioRecord {
  public static final int ERROR_INVALID_OPERATION = -3;
  public static final int RECORDSTATE_STOPPED = 1;
  public static final int RECORDSTATE_RECORDING = 3;

  /** The recorded waveform: full-scale, both signs, and odd, so byte order and offsets show. */
  public static short sample(int i) {
    return (short) (i * 997);
  }

  private static final int MAX_PER_READ = 441;
  private static int builds;

  private int recordingState = RECORDSTATE_STOPPED;
  private boolean released;
  private int given;
  private int zeroReads;
  private final int rate;
  private long started;

  private AudioRecord(int rate) {
    this.rate = rate;
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

  public void startRecording() {
    if (released) {
      throw new IllegalStateException("startRecording() called on an uninitialized AudioRecord.");
    }
    if (knob("vendor").equals("honor")) {
      // Honor (Android 12): the vendor's startRecording asks for the app's package (scrcpy #4015).
      String pkg = ActivityThread.currentPackageName();
      log("honor startRecording package=" + pkg.length() + ":" + ActivityThread.currentApplication().getPackageName());
    }
    if (!knob("mic").equals("nostart")) {
      recordingState = RECORDSTATE_RECORDING;
    }
    log("startRecording state=" + recordingState);
  }

  public int getRecordingState() {
    return recordingState;
  }

  public int read(short[] audioData, int offsetInShorts, int sizeInShorts) {
    if (recordingState != RECORDSTATE_RECORDING) {
      return ERROR_INVALID_OPERATION;
    }
    if (knob("oom").equals("read")) {
      throw new OutOfMemoryError("stub: Failed to allocate a 65552 byte allocation");
    }
    if (zeroReads < Integer.getInteger("stub.zeroReads", 0)) {
      // WOULD_BLOCK after a timeout, or an interrupted wait: nothing this time, not an error.
      zeroReads++;
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }
    int errorAt = Integer.getInteger("stub.readErrorAt", -1);
    int n = Math.min(sizeInShorts, MAX_PER_READ);
    if (errorAt >= 0) {
      if (given >= errorAt) {
        return ERROR_INVALID_OPERATION;
      }
      n = Math.min(n, errorAt - given);
    }
    pace(n);
    for (int i = 0; i < n; i++) {
      audioData[offsetInShorts + i] = sample(given + i);
    }
    given += n;
    return n;
  }

  /** `stub.pace=X`: samples come at X times the real rate, as a microphone's do (X = 1). */
  private void pace(int n) {
    double x = Double.parseDouble(System.getProperty("stub.pace", "0"));
    if (x <= 0) {
      return;
    }
    if (started == 0) {
      started = System.nanoTime();
    }
    long due = started + (long) ((given + n) * 1e9 / (rate * x));
    long wait = due - System.nanoTime();
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public void release() {
    released = true;
    recordingState = RECORDSTATE_STOPPED;
    log("released after " + given + " samples" + (zeroReads > 0 ? " and " + zeroReads + " empty reads" : ""));
  }

  /** Android 11 lets uid 2000 record only while a com.android.shell activity is in front. */
  private static boolean shellInForeground() {
    try {
      List<String> lines = Files.readAllLines(Paths.get(knob("amLog")), StandardCharsets.UTF_8);
      if (lines.isEmpty()) {
        return false;
      }
      String last = lines.get(lines.size() - 1);
      return last.startsWith("start ") && last.contains(" -n com.android.shell/");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  public static class Builder {
    private int source = -1;
    private AudioFormat format;
    private int bufferSize;
    private Context context;

    public Builder setAudioSource(int source) { this.source = source; return this; }

    public Builder setAudioFormat(AudioFormat format) { this.format = format; return this; }

    public Builder setBufferSizeInBytes(int bufferSize) { this.bufferSize = bufferSize; return this; }

    public Builder setContext(Context context) {
      if (Build.VERSION.SDK_INT < 31) {
        throw new NoSuchMethodError("AudioRecord.Builder.setContext exists from API 31");
      }
      this.context = context;
      return this;
    }

    public AudioRecord build() {
      builds++;
      if (knob("vendor").equals("vivo")) {
        // Vivo (Android 12/13): VivoAudioRecordImpl asks the process's Application (scrcpy #3805, #3992).
        log("vivo opPackage=" + ActivityThread.currentApplication().getOpPackageName());
      }
      if (knob("noise").equals("1")) {
        // Vendor frameworks print to the process's stdout and stack traces to stderr (scrcpy #4213).
        System.out.println("stub: vendor noise through System.out");
        System.out.print("READY\nERROR AUDIO_INIT fake\n");
        new RuntimeException("stub: a vendor's stack trace").printStackTrace();
      }
      if (knob("vendor").equals("settings")) {
        // Vendor code reading a setting through the app's resolver, as the app's package.
        log("settings read " + Settings.Global.getString(ActivityThread.currentApplication().getContentResolver(), "vendor_audio_mode"));
      }
      String pkg;
      int uid = 2000;
      if (Build.VERSION.SDK_INT >= 31) {
        AttributionSource a = context != null ? context.getAttributionSource() : null;
        pkg = a != null ? a.getPackageName() : null;
        uid = a != null ? a.getUid() : uid;
        if (Build.VERSION.SDK_INT >= 34 && context != null && context.getDeviceId() != 0) {
          // Android 14 resolves the session of a virtual device from the context.
          throw new UnsupportedOperationException("Cannot create AudioRecord (virtual device)");
        }
      } else {
        pkg = ActivityThread.currentOpPackageName();
      }
      log("build source=" + source + " rate=" + format.sampleRate + " channelMask=" + format.channelMask
          + " encoding=" + format.encoding + " buffer=" + bufferSize + " package=" + pkg + " uid=" + uid);
      if (!"com.android.shell".equals(pkg) || uid != 2000) {
        throw new UnsupportedOperationException("Cannot create AudioRecord (not the shell's identity)");
      }
      if (Build.VERSION.SDK_INT == 30 && !shellInForeground()) {
        throw new UnsupportedOperationException("Cannot create AudioRecord (shell not in foreground)");
      }
      if (builds <= Integer.getInteger("stub.failFirst", 0) || knob("mic").equals("busy")) {
        throw new UnsupportedOperationException("Cannot create AudioRecord");
      }
      return new AudioRecord(format.sampleRate);
    }
  }
}
