package android.provider;

import android.content.ContentResolver;
import android.content.IContentProvider;

/** Settings.Global.getString as vendor audio code calls it: through the resolver's provider, as its package. */
public final class Settings {
  public static final class Global {
    public static String getString(ContentResolver cr, String name) {
      IContentProvider provider = cr.acquireProvider("settings");
      if (provider == null) {
        throw new IllegalStateException("stub: no settings provider");
      }
      return provider.call(cr.getPackageName(), name);
    }
  }
}
