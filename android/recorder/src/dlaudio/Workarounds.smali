.class final Ldlaudio/Workarounds;
.super Ljava/lang/Object;

# What a process started by app_process lacks compared with an app, and what
# capturing the microphone as the shell user needs. apply() runs every step, each
# best effort (if one fails, opening the microphone reports the real error), and
# prints which succeeded as one protocol line:
#   WORKAROUNDS looper=ok activity-thread=ok configuration-controller=skipped ...
# (ok, skipped, or failed(<exception class>)), which the CLI puts in its report.
# scrcpy's server (Workarounds.java, FakeContext.java) does the same on every SDK.

# The ActivityThread installed by activityThread(), or null.
.field private static thread:Ljava/lang/Object;

# The system context obtained by systemContext(), or null.
.field private static system:Landroid/content/Context;

# The WORKAROUNDS line being built.
.field private static line:Ljava/lang/StringBuilder;


# Runs every step in the order they depend on each other; returns the shell's identity.
.method static apply()Ldlaudio/ShellContext;
    .locals 3

    new-instance v0, Ljava/lang/StringBuilder;
    const-string v1, "WORKAROUNDS"
    invoke-direct {v0, v1}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
    sput-object v0, Ldlaudio/Workarounds;->line:Ljava/lang/StringBuilder;

    const-string v0, "looper"
    invoke-static {}, Ldlaudio/Workarounds;->prepareMainLooper()Ljava/lang/String;
    move-result-object v1
    invoke-static {v0, v1}, Ldlaudio/Workarounds;->note(Ljava/lang/String;Ljava/lang/String;)V

    const-string v0, "activity-thread"
    invoke-static {}, Ldlaudio/Workarounds;->activityThread()Ljava/lang/String;
    move-result-object v1
    invoke-static {v0, v1}, Ldlaudio/Workarounds;->note(Ljava/lang/String;Ljava/lang/String;)V

    # Before the system context: some Samsung ROMs give none without it (scrcpy #4467).
    const-string v0, "configuration-controller"
    invoke-static {}, Ldlaudio/Workarounds;->configurationController()Ljava/lang/String;
    move-result-object v1
    invoke-static {v0, v1}, Ldlaudio/Workarounds;->note(Ljava/lang/String;Ljava/lang/String;)V

    const-string v0, "bound-application"
    invoke-static {}, Ldlaudio/Workarounds;->boundApplication()Ljava/lang/String;
    move-result-object v1
    invoke-static {v0, v1}, Ldlaudio/Workarounds;->note(Ljava/lang/String;Ljava/lang/String;)V

    const-string v0, "system-context"
    invoke-static {}, Ldlaudio/Workarounds;->systemContext()Ljava/lang/String;
    move-result-object v1
    invoke-static {v0, v1}, Ldlaudio/Workarounds;->note(Ljava/lang/String;Ljava/lang/String;)V

    new-instance v2, Ldlaudio/ShellContext;
    sget-object v1, Ldlaudio/Workarounds;->system:Landroid/content/Context;
    invoke-direct {v2, v1}, Ldlaudio/ShellContext;-><init>(Landroid/content/Context;)V

    const-string v0, "initial-application"
    invoke-static {v2}, Ldlaudio/Workarounds;->initialApplication(Landroid/app/Application;)Ljava/lang/String;
    move-result-object v1
    invoke-static {v0, v1}, Ldlaudio/Workarounds;->note(Ljava/lang/String;Ljava/lang/String;)V

    sget-object v0, Ldlaudio/Workarounds;->line:Ljava/lang/StringBuilder;
    invoke-virtual {v0}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v0
    invoke-static {v0}, Ldlaudio/Recorder;->say(Ljava/lang/String;)V
    return-object v2
.end method


# Appends " name=result" to the WORKAROUNDS line.
.method private static note(Ljava/lang/String;Ljava/lang/String;)V
    .locals 2

    sget-object v0, Ldlaudio/Workarounds;->line:Ljava/lang/StringBuilder;
    const/16 v1, 0x20
    invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(C)Ljava/lang/StringBuilder;
    invoke-virtual {v0, p0}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    const/16 v1, 0x3d
    invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(C)Ljava/lang/StringBuilder;
    invoke-virtual {v0, p1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    return-void
.end method


# "failed(<class>)": the exception behind a reflective call, not the InvocationTargetException around it.
.method private static failed(Ljava/lang/Throwable;)Ljava/lang/String;
    .locals 2

    instance-of v0, p0, Ljava/lang/reflect/InvocationTargetException;
    if-eqz v0, :named
    invoke-virtual {p0}, Ljava/lang/Throwable;->getCause()Ljava/lang/Throwable;
    move-result-object v0
    if-eqz v0, :named
    move-object p0, v0
    :named
    invoke-virtual {p0}, Ljava/lang/Object;->getClass()Ljava/lang/Class;
    move-result-object v0
    invoke-virtual {v0}, Ljava/lang/Class;->getName()Ljava/lang/String;
    move-result-object v0
    const-string v1, "failed("
    invoke-virtual {v1, v0}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    const-string v1, ")"
    invoke-virtual {v0, v1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method


# AudioRecord keeps the Looper of the thread that creates it (or the main Looper)
# for its callbacks, and some vendors' framework code creates Handlers on it;
# app_process prepares no Looper at all.
.method static prepareMainLooper()Ljava/lang/String;
    .locals 1

    :try_start
    invoke-static {}, Landroid/os/Looper;->prepareMainLooper()V
    const-string v0, "ok"
    return-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    :failed
    move-exception v0
    invoke-static {v0}, Ldlaudio/Workarounds;->failed(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method


# An app gets an ActivityThread from the zygote; app_process does not. Framework code
# reaches the app through ActivityThread.currentActivityThread(), and the system
# context is created by one. mSystemThread = true keeps ActivityThread.isSystem()
# callers off the missing app binding on some ROMs (optional).
.method private static activityThread()Ljava/lang/String;
    .locals 5

    :try_start
    const-string v0, "android.app.ActivityThread"
    invoke-static {v0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    const/4 v1, 0x0
    new-array v2, v1, [Ljava/lang/Class;
    invoke-virtual {v0, v2}, Ljava/lang/Class;->getDeclaredConstructor([Ljava/lang/Class;)Ljava/lang/reflect/Constructor;
    move-result-object v2
    const/4 v3, 0x1
    invoke-virtual {v2, v3}, Ljava/lang/reflect/AccessibleObject;->setAccessible(Z)V
    new-array v3, v1, [Ljava/lang/Object;
    invoke-virtual {v2, v3}, Ljava/lang/reflect/Constructor;->newInstance([Ljava/lang/Object;)Ljava/lang/Object;
    move-result-object v2
    const/4 v3, 0x0
    const-string v4, "sCurrentActivityThread"
    invoke-static {v3, v4, v2}, Ldlaudio/Workarounds;->setField(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/Object;)V
    sput-object v2, Ldlaudio/Workarounds;->thread:Ljava/lang/Object;
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    :system_start
    const-string v4, "mSystemThread"
    sget-object v3, Ljava/lang/Boolean;->TRUE:Ljava/lang/Boolean;
    invoke-static {v2, v4, v3}, Ldlaudio/Workarounds;->setField(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/Object;)V
    :system_end
    .catch Ljava/lang/Throwable; {:system_start .. :system_end} :done

    :done
    const-string v0, "ok"
    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Ldlaudio/Workarounds;->failed(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method


# Android 12+: ActivityThread.mConfigurationController = new ConfigurationController(thread).
# Some Samsung ROMs read the configuration through it while creating the system
# context, and return none without it (scrcpy #4467). The class does not exist before 12.
.method private static configurationController()Ljava/lang/String;
    .locals 6

    sget-object v0, Ldlaudio/Workarounds;->thread:Ljava/lang/Object;
    if-eqz v0, :skipped
    sget v1, Landroid/os/Build$VERSION;->SDK_INT:I
    const/16 v2, 0x1f
    if-lt v1, v2, :skipped

    :try_start
    const-string v1, "android.app.ConfigurationController"
    invoke-static {v1}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v1
    const-string v2, "android.app.ActivityThreadInternal"
    invoke-static {v2}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v2
    const/4 v3, 0x1
    new-array v4, v3, [Ljava/lang/Class;
    const/4 v5, 0x0
    aput-object v2, v4, v5
    invoke-virtual {v1, v4}, Ljava/lang/Class;->getDeclaredConstructor([Ljava/lang/Class;)Ljava/lang/reflect/Constructor;
    move-result-object v1
    invoke-virtual {v1, v3}, Ljava/lang/reflect/AccessibleObject;->setAccessible(Z)V
    new-array v4, v3, [Ljava/lang/Object;
    aput-object v0, v4, v5
    invoke-virtual {v1, v4}, Ljava/lang/reflect/Constructor;->newInstance([Ljava/lang/Object;)Ljava/lang/Object;
    move-result-object v1
    const-string v2, "mConfigurationController"
    invoke-static {v0, v2, v1}, Ldlaudio/Workarounds;->setField(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/Object;)V
    const-string v0, "ok"
    return-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    :failed
    move-exception v0
    invoke-static {v0}, Ldlaudio/Workarounds;->failed(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0

    :skipped
    const-string v0, "skipped"
    return-object v0
.end method


# ActivityThread.mBoundApplication = an AppBindData whose appInfo.packageName is
# com.android.shell: what an app gets from bindApplication(). Vendor code asks
# ActivityThread.currentPackageName() for it; Honor's startRecording throws a
# NullPointerException without it (scrcpy #4015).
.method private static boundApplication()Ljava/lang/String;
    .locals 6

    sget-object v0, Ldlaudio/Workarounds;->thread:Ljava/lang/Object;
    if-eqz v0, :skipped

    :try_start
    const-string v1, "android.app.ActivityThread$AppBindData"
    invoke-static {v1}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v1
    const/4 v2, 0x0
    new-array v3, v2, [Ljava/lang/Class;
    invoke-virtual {v1, v3}, Ljava/lang/Class;->getDeclaredConstructor([Ljava/lang/Class;)Ljava/lang/reflect/Constructor;
    move-result-object v3
    const/4 v4, 0x1
    invoke-virtual {v3, v4}, Ljava/lang/reflect/AccessibleObject;->setAccessible(Z)V
    new-array v5, v2, [Ljava/lang/Object;
    invoke-virtual {v3, v5}, Ljava/lang/reflect/Constructor;->newInstance([Ljava/lang/Object;)Ljava/lang/Object;
    move-result-object v3

    new-instance v5, Landroid/content/pm/ApplicationInfo;
    invoke-direct {v5}, Landroid/content/pm/ApplicationInfo;-><init>()V
    const-string v2, "com.android.shell"
    iput-object v2, v5, Landroid/content/pm/ApplicationInfo;->packageName:Ljava/lang/String;

    const-string v2, "appInfo"
    invoke-virtual {v1, v2}, Ljava/lang/Class;->getDeclaredField(Ljava/lang/String;)Ljava/lang/reflect/Field;
    move-result-object v1
    invoke-virtual {v1, v4}, Ljava/lang/reflect/AccessibleObject;->setAccessible(Z)V
    invoke-virtual {v1, v3, v5}, Ljava/lang/reflect/Field;->set(Ljava/lang/Object;Ljava/lang/Object;)V

    const-string v2, "mBoundApplication"
    invoke-static {v0, v2, v3}, Ldlaudio/Workarounds;->setField(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/Object;)V
    const-string v0, "ok"
    return-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    :failed
    move-exception v0
    invoke-static {v0}, Ldlaudio/Workarounds;->failed(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0

    :skipped
    const-string v0, "skipped"
    return-object v0
.end method


# The context an app's own context is built on; ShellContext delegates to it whatever
# it does not answer itself. Kept in `system` (null if unavailable: ShellContext's own
# answers are all AudioRecord needs, so recording can still work).
.method private static systemContext()Ljava/lang/String;
    .locals 3

    sget-object v0, Ldlaudio/Workarounds;->thread:Ljava/lang/Object;
    if-eqz v0, :skipped

    :try_start
    invoke-virtual {v0}, Ljava/lang/Object;->getClass()Ljava/lang/Class;
    move-result-object v1
    const-string v2, "getSystemContext"
    const/4 v0, 0x0
    new-array v0, v0, [Ljava/lang/Class;
    invoke-virtual {v1, v2, v0}, Ljava/lang/Class;->getDeclaredMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    move-result-object v1
    sget-object v0, Ldlaudio/Workarounds;->thread:Ljava/lang/Object;
    const/4 v2, 0x0
    new-array v2, v2, [Ljava/lang/Object;
    invoke-virtual {v1, v0, v2}, Ljava/lang/reflect/Method;->invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/content/Context;
    sput-object v0, Ldlaudio/Workarounds;->system:Landroid/content/Context;
    const-string v0, "ok"
    return-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    :failed
    move-exception v0
    invoke-static {v0}, Ldlaudio/Workarounds;->failed(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0

    :skipped
    const-string v0, "skipped"
    return-object v0
.end method


# ActivityThread.mInitialApplication = ShellContext, on every Android version: Android 11's
# AudioRecord takes the recording package from it, and Vivo's AudioRecord (12/13) calls
# getOpPackageName() on it in its constructor (scrcpy #3805, #3992).
.method private static initialApplication(Landroid/app/Application;)Ljava/lang/String;
    .locals 2

    sget-object v0, Ldlaudio/Workarounds;->thread:Ljava/lang/Object;
    if-eqz v0, :skipped

    :try_start
    const-string v1, "mInitialApplication"
    invoke-static {v0, v1, p0}, Ldlaudio/Workarounds;->setField(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/Object;)V
    const-string v0, "ok"
    return-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    :failed
    move-exception v0
    invoke-static {v0}, Ldlaudio/Workarounds;->failed(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0

    :skipped
    const-string v0, "skipped"
    return-object v0
.end method


# Sets a declared field of ActivityThread: on an instance, or static when target is null.
.method private static setField(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/Object;)V
    .locals 2
    .annotation system Ldalvik/annotation/Throws;
        value = {
            Ljava/lang/ReflectiveOperationException;
        }
    .end annotation

    const-string v0, "android.app.ActivityThread"
    invoke-static {v0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    invoke-virtual {v0, p1}, Ljava/lang/Class;->getDeclaredField(Ljava/lang/String;)Ljava/lang/reflect/Field;
    move-result-object v0
    const/4 v1, 0x1
    invoke-virtual {v0, v1}, Ljava/lang/reflect/AccessibleObject;->setAccessible(Z)V
    invoke-virtual {v0, p0, p2}, Ljava/lang/reflect/Field;->set(Ljava/lang/Object;Ljava/lang/Object;)V
    return-void
.end method


# Android 11 grants the microphone to uid 2000 only if an activity of that uid
# is in the foreground when recording starts: start one of com.android.shell.
.method static shellToForeground()V
    .locals 1

    const-string v0, "am start -a android.intent.action.MAIN -c android.intent.category.LAUNCHER -n com.android.shell/.HeapDumpActivity"
    invoke-static {v0}, Ldlaudio/Workarounds;->run(Ljava/lang/String;)V
    return-void
.end method


# Undo shellToForeground once recording has started (it goes on in the background).
.method static shellToBackground()V
    .locals 1

    const-string v0, "am force-stop com.android.shell"
    invoke-static {v0}, Ldlaudio/Workarounds;->run(Ljava/lang/String;)V
    return-void
.end method


# Runs a short shell command and waits for it; its few lines of output stay in the pipe.
.method private static run(Ljava/lang/String;)V
    .locals 1

    :try_start
    invoke-static {}, Ljava/lang/Runtime;->getRuntime()Ljava/lang/Runtime;
    move-result-object v0
    invoke-virtual {v0, p0}, Ljava/lang/Runtime;->exec(Ljava/lang/String;)Ljava/lang/Process;
    move-result-object v0
    invoke-virtual {v0}, Ljava/lang/Process;->waitFor()I
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :done

    :done
    return-void
.end method
