package android.app;

import android.content.AttributionSource;
import android.content.Context;

/** The system context: it belongs to package "android" (uid 1000), not to the shell. */
class ContextImpl extends Context {
  @Override public String getPackageName() { return "android"; }
  @Override public String getOpPackageName() { return "android"; }
  @Override public AttributionSource getAttributionSource() {
    return new AttributionSource.Builder(1000).setPackageName("android").build();
  }
  @Override public int getDeviceId() { return 0; }
  @Override public Context getApplicationContext() { return this; }
}
