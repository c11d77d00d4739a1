.class final Ldlaudio/ShellContext;
.super Landroid/app/Application;

# Who is recording, as the audio server sees it.
# app_process runs as the shell user (uid 2000) but belongs to no package, and the
# audio server refuses a recording whose package does not belong to the calling uid.
# The one package of uid 2000 is com.android.shell, so this Context claims it.
# Android 12+ asks the Context given to AudioRecord.Builder.setContext();
# Android 11 asks ActivityThread's Application (see Workarounds.setInitialApplication),
# which is why this is an Application and not a plain ContextWrapper. It is the
# process's Application on every version (Workarounds.initialApplication).

# Created on first use (ShellResolver).
.field private resolver:Landroid/content/ContentResolver;


.method constructor <init>(Landroid/content/Context;)V
    .locals 0

    invoke-direct {p0}, Landroid/app/Application;-><init>()V

    # Anything not overridden below is answered by the system context, as in an app.
    if-eqz p1, :done
    invoke-virtual {p0, p1}, Ldlaudio/ShellContext;->attachBaseContext(Landroid/content/Context;)V

    :done
    return-void
.end method

.method public getPackageName()Ljava/lang/String;
    .locals 1

    const-string v0, "com.android.shell"
    return-object v0
.end method

# Android 11 checks the microphone app-op against this name.
.method public getOpPackageName()Ljava/lang/String;
    .locals 1

    const-string v0, "com.android.shell"
    return-object v0
.end method

# Android 12+: AudioRecord's constructor takes uid and package from here (2000 = Process.SHELL_UID).
.method public getAttributionSource()Landroid/content/AttributionSource;
    .locals 2

    new-instance v0, Landroid/content/AttributionSource$Builder;
    const/16 v1, 0x7d0
    invoke-direct {v0, v1}, Landroid/content/AttributionSource$Builder;-><init>(I)V
    const-string v1, "com.android.shell"
    invoke-virtual {v0, v1}, Landroid/content/AttributionSource$Builder;->setPackageName(Ljava/lang/String;)Landroid/content/AttributionSource$Builder;
    invoke-virtual {v0}, Landroid/content/AttributionSource$Builder;->build()Landroid/content/AttributionSource;
    move-result-object v0
    return-object v0
.end method

# Android 14+ asks which (possibly virtual) device records; 0 is the phone itself.
# Without this, a missing base context would make the call fail.
.method public getDeviceId()I
    .locals 1

    const/4 v0, 0x0
    return v0
.end method

.method public getApplicationContext()Landroid/content/Context;
    .locals 0

    return-object p0
.end method

# Vendor audio code reads Settings through the app's resolver. The system context's
# resolver would call the provider as package "android", which uid 2000 does not own
# ("Given calling package android does not match caller's uid 2000"); ShellResolver
# calls it as com.android.shell. If it cannot be built, the base context's is used.
.method public getContentResolver()Landroid/content/ContentResolver;
    .locals 1

    iget-object v0, p0, Ldlaudio/ShellContext;->resolver:Landroid/content/ContentResolver;
    if-nez v0, :done
    :try_start
    new-instance v0, Ldlaudio/ShellResolver;
    invoke-direct {v0, p0}, Ldlaudio/ShellResolver;-><init>(Landroid/content/Context;)V
    iput-object v0, p0, Ldlaudio/ShellContext;->resolver:Landroid/content/ContentResolver;
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :base
    :done
    return-object v0

    :base
    invoke-super {p0}, Landroid/app/Application;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v0
    return-object v0
.end method
