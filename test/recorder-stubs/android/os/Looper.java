package android.os;

public final class Looper {
  private static boolean mainPrepared;

  public static void prepareMainLooper() {
    if (mainPrepared) {
      throw new IllegalStateException("The main Looper has already been prepared.");
    }
    mainPrepared = true;
    System.err.println("stub: main looper prepared");
  }
}
