package android.content;

/** As in the framework: the package every provider call carries is the context's op package. */
public abstract class ContentResolver {
  private final Context mContext;
  private final String mPackageName;

  public ContentResolver(Context context) {
    mContext = context;
    mPackageName = context.getOpPackageName();
  }

  public String getPackageName() {
    return mPackageName;
  }

  public final IContentProvider acquireProvider(String name) {
    return acquireProvider(mContext, name);
  }

  protected abstract IContentProvider acquireProvider(Context c, String name);

  public abstract boolean releaseProvider(IContentProvider icp);

  protected abstract IContentProvider acquireUnstableProvider(Context c, String name);

  public abstract boolean releaseUnstableProvider(IContentProvider icp);

  public abstract void unstableProviderDied(IContentProvider icp);
}
