package android.app;

/** Only what the recorder's reflection and AudioRecord (Android 11) touch, with the real names. */
public final class ActivityThread {
  private static ActivityThread sCurrentActivityThread;
  boolean mSystemThread;
  Application mInitialApplication;

  ActivityThread() {}

  public static ActivityThread currentActivityThread() {
    return sCurrentActivityThread;
  }

  public Application getApplication() {
    return mInitialApplication;
  }

  /** What Android 11's AudioRecord constructor sends the audio server as the recording package. */
  public static String currentOpPackageName() {
    ActivityThread am = currentActivityThread();
    return (am != null && am.getApplication() != null) ? am.getApplication().getOpPackageName() : null;
  }

  public ContextImpl getSystemContext() {
    if (System.getProperty("stub.systemContext", "").equals("fail")) {
      // Like some Samsung ROMs when ActivityThread lacks its ConfigurationController.
      throw new NullPointerException("stub: no configuration controller");
    }
    System.err.println("stub: system context created, mSystemThread=" + mSystemThread);
    return new ContextImpl();
  }
}
