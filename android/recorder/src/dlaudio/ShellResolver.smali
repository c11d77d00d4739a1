.class final Ldlaudio/ShellResolver;
.super Landroid/content/ContentResolver;

# ShellContext's ContentResolver. ContentResolver stamps every provider call with its
# context's op package: ShellContext's, com.android.shell. Providers are obtained the
# way `adb shell content` does, with ActivityManager.getContentProviderExternal: the
# usual path (ActivityThread.acquireProvider) would need this process to be a
# registered app, which app_process is not. Releasing is left to the process's end.
# The overridden methods are hidden framework API (absent from the SDK): the
# signatures are those of Android 11 to 16.


.method constructor <init>(Landroid/content/Context;)V
    .locals 0

    invoke-direct {p0, p1}, Landroid/content/ContentResolver;-><init>(Landroid/content/Context;)V
    return-void
.end method

.method protected acquireProvider(Landroid/content/Context;Ljava/lang/String;)Landroid/content/IContentProvider;
    .locals 1

    invoke-static {p2}, Ldlaudio/ShellResolver;->external(Ljava/lang/String;)Landroid/content/IContentProvider;
    move-result-object v0
    return-object v0
.end method

.method protected acquireUnstableProvider(Landroid/content/Context;Ljava/lang/String;)Landroid/content/IContentProvider;
    .locals 1

    invoke-static {p2}, Ldlaudio/ShellResolver;->external(Ljava/lang/String;)Landroid/content/IContentProvider;
    move-result-object v0
    return-object v0
.end method

.method public releaseProvider(Landroid/content/IContentProvider;)Z
    .locals 1

    const/4 v0, 0x0
    return v0
.end method

.method public releaseUnstableProvider(Landroid/content/IContentProvider;)Z
    .locals 1

    const/4 v0, 0x0
    return v0
.end method

.method public unstableProviderDied(Landroid/content/IContentProvider;)V
    .locals 0

    return-void
.end method


# ActivityManagerNative.getDefault().getContentProviderExternal(name, user 0, new Binder(), null).provider,
# or null (the caller then fails as it would without a provider).
.method private static external(Ljava/lang/String;)Landroid/content/IContentProvider;
    .locals 7

    :try_start
    const-string v0, "android.app.ActivityManagerNative"
    invoke-static {v0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    const-string v1, "getDefault"
    const/4 v2, 0x0
    new-array v3, v2, [Ljava/lang/Class;
    invoke-virtual {v0, v1, v3}, Ljava/lang/Class;->getDeclaredMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    move-result-object v0
    const/4 v1, 0x0
    new-array v3, v2, [Ljava/lang/Object;
    invoke-virtual {v0, v1, v3}, Ljava/lang/reflect/Method;->invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;
    move-result-object v0

    # getContentProviderExternal(String name, int userId, IBinder token, String tag)
    const/4 v1, 0x4
    new-array v3, v1, [Ljava/lang/Class;
    const-class v4, Ljava/lang/String;
    aput-object v4, v3, v2
    sget-object v5, Ljava/lang/Integer;->TYPE:Ljava/lang/Class;
    const/4 v6, 0x1
    aput-object v5, v3, v6
    const-class v5, Landroid/os/IBinder;
    const/4 v6, 0x2
    aput-object v5, v3, v6
    const/4 v6, 0x3
    aput-object v4, v3, v6
    invoke-virtual {v0}, Ljava/lang/Object;->getClass()Ljava/lang/Class;
    move-result-object v4
    const-string v5, "getContentProviderExternal"
    invoke-virtual {v4, v5, v3}, Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    move-result-object v4

    new-array v3, v1, [Ljava/lang/Object;
    aput-object p0, v3, v2
    invoke-static {v2}, Ljava/lang/Integer;->valueOf(I)Ljava/lang/Integer;
    move-result-object v5
    const/4 v6, 0x1
    aput-object v5, v3, v6
    new-instance v5, Landroid/os/Binder;
    invoke-direct {v5}, Landroid/os/Binder;-><init>()V
    const/4 v6, 0x2
    aput-object v5, v3, v6
    invoke-virtual {v4, v0, v3}, Ljava/lang/reflect/Method;->invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;
    move-result-object v0
    if-eqz v0, :none

    invoke-virtual {v0}, Ljava/lang/Object;->getClass()Ljava/lang/Class;
    move-result-object v1
    const-string v3, "provider"
    invoke-virtual {v1, v3}, Ljava/lang/Class;->getDeclaredField(Ljava/lang/String;)Ljava/lang/reflect/Field;
    move-result-object v1
    const/4 v3, 0x1
    invoke-virtual {v1, v3}, Ljava/lang/reflect/AccessibleObject;->setAccessible(Z)V
    invoke-virtual {v1, v0}, Ljava/lang/reflect/Field;->get(Ljava/lang/Object;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/content/IContentProvider;
    return-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :none

    :none
    const/4 v0, 0x0
    return-object v0
.end method
