package android.app;

import android.content.pm.ApplicationInfo;

/** Only what the recorder's reflection, AudioRecord and vendor code touch, with the real names. */
public final class ActivityThread implements ActivityThreadInternal {
  private static ActivityThread sCurrentActivityThread;
  boolean mSystemThread;
  Application mInitialApplication;
  AppBindData mBoundApplication;
  ConfigurationController mConfigurationController;

  ActivityThread() {}

  /** What an app gets from bindApplication: its ApplicationInfo among others. */
  static final class AppBindData {
    ApplicationInfo appInfo;

    AppBindData() {
      if (System.getProperty("stub.appBindData", "").equals("fail")) {
        // A ROM whose AppBindData cannot be built this way.
        throw new UnsupportedOperationException("stub: no AppBindData here");
      }
    }
  }

  public static ActivityThread currentActivityThread() {
    return sCurrentActivityThread;
  }

  public static Application currentApplication() {
    ActivityThread am = currentActivityThread();
    return am != null ? am.mInitialApplication : null;
  }

  /** The package of the bound application: null in app_process unless mBoundApplication was filled. */
  public static String currentPackageName() {
    ActivityThread am = currentActivityThread();
    return (am != null && am.mBoundApplication != null) ? am.mBoundApplication.appInfo.packageName : null;
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
    String knob = System.getProperty("stub.systemContext", "");
    if (knob.equals("fail") || (knob.equals("samsung") && mConfigurationController == null)) {
      // Like some Samsung ROMs when ActivityThread lacks its ConfigurationController.
      throw new NullPointerException("stub: no configuration controller");
    }
    System.err.println("stub: system context created, mSystemThread=" + mSystemThread);
    return new ContextImpl();
  }
}
