package android.app;

import android.content.AttributionSource;
import android.content.ContentResolver;
import android.content.Context;
import android.content.IContentProvider;

/** The system context: it belongs to package "android" (uid 1000), not to the shell. */
class ContextImpl extends Context {
  @Override public String getPackageName() { return "android"; }
  @Override public String getOpPackageName() { return "android"; }
  @Override public AttributionSource getAttributionSource() {
    return new AttributionSource.Builder(1000).setPackageName("android").build();
  }
  @Override public int getDeviceId() { return 0; }
  @Override public Context getApplicationContext() { return this; }
  /** Its resolver calls providers as package "android", which the shell's uid does not own. */
  @Override public ContentResolver getContentResolver() {
    return new ContentResolver(this) {
      @Override protected IContentProvider acquireProvider(Context c, String name) {
        return new ActivityManagerNative.SettingsProvider();
      }
      @Override public boolean releaseProvider(IContentProvider icp) { return false; }
      @Override protected IContentProvider acquireUnstableProvider(Context c, String name) { return null; }
      @Override public boolean releaseUnstableProvider(IContentProvider icp) { return false; }
      @Override public void unstableProviderDied(IContentProvider icp) {}
    };
  }
}
