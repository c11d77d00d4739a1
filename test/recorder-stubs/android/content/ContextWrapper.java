package android.content;

public class ContextWrapper extends Context {
  Context mBase;

  public ContextWrapper(Context base) {
    mBase = base;
  }

  protected void attachBaseContext(Context base) {
    if (mBase != null) {
      throw new IllegalStateException("Base context already set");
    }
    mBase = base;
  }

  public Context getBaseContext() {
    return mBase;
  }

  @Override public String getPackageName() { return mBase.getPackageName(); }
  @Override public String getOpPackageName() { return mBase.getOpPackageName(); }
  @Override public AttributionSource getAttributionSource() { return mBase.getAttributionSource(); }
  @Override public int getDeviceId() { return mBase.getDeviceId(); }
  @Override public Context getApplicationContext() { return mBase.getApplicationContext(); }
  @Override public ContentResolver getContentResolver() { return mBase.getContentResolver(); }
}
