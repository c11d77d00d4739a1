package android.content;

public abstract class Context {
  public abstract String getPackageName();

  public abstract String getOpPackageName();

  public abstract AttributionSource getAttributionSource();

  public abstract int getDeviceId();

  public abstract Context getApplicationContext();

  public abstract ContentResolver getContentResolver();
}
