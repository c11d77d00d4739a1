package android.os;

public final class SystemClock {
  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static long uptimeMillis() {
    return System.nanoTime() / 1_000_000;
  }
}
