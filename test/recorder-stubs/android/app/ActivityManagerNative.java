package android.app;

import android.content.IContentProvider;
import android.os.IBinder;

/** The activity manager as app_process reaches it: the external provider path, which takes no caller app. */
public class ActivityManagerNative {
  public static Object getDefault() {
    return new Manager();
  }

  public static final class Manager {
    public ContentProviderHolder getContentProviderExternal(String name, int userId, IBinder token, String tag) {
      System.err.println("stub: getContentProviderExternal " + name + " user " + userId);
      ContentProviderHolder h = new ContentProviderHolder();
      h.provider = new SettingsProvider();
      return h;
    }
  }

  /** Settings checks the calling package against the caller's uid (2000, the shell). */
  static final class SettingsProvider implements IContentProvider {
    @Override public String call(String callingPackage, String name) {
      if (!"com.android.shell".equals(callingPackage)) {
        throw new SecurityException("Given calling package " + callingPackage + " does not match caller's uid 2000");
      }
      return "1";
    }
  }
}
