.class final Ldlaudio/Workarounds;
.super Ljava/lang/Object;

# What a process started by app_process lacks compared with an app, and what
# capturing the microphone as the shell user needs. Each piece is best effort:
# if one fails, opening the microphone reports the real error (AUDIO_INIT).


# AudioRecord keeps the Looper of the thread that creates it (or the main Looper)
# for its callbacks, and some vendors' framework code creates Handlers on it;
# app_process prepares no Looper at all.
.method static prepareMainLooper()V
    .locals 1

    :try_start
    invoke-static {}, Landroid/os/Looper;->prepareMainLooper()V
    :try_end
    .catch Ljava/lang/RuntimeException; {:try_start .. :try_end} :done

    :done
    return-void
.end method


# An app gets an ActivityThread from the zygote; app_process does not.
# Android 11's AudioRecord reads the recording package from
# ActivityThread.currentActivityThread().getApplication(), and the system
# context is created by an ActivityThread. mSystemThread = true keeps
# ActivityThread.isSystem() callers off a null app binding on some ROMs.
# Returns the new ActivityThread, or null.
.method static newActivityThread()Ljava/lang/Object;
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

    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    # Installed; this part is optional.
    :system_start
    const-string v4, "mSystemThread"
    sget-object v3, Ljava/lang/Boolean;->TRUE:Ljava/lang/Boolean;
    invoke-static {v2, v4, v3}, Ldlaudio/Workarounds;->setField(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/Object;)V
    :system_end
    .catch Ljava/lang/Throwable; {:system_start .. :system_end} :done

    :done
    return-object v2

    :failed
    const/4 v0, 0x0
    return-object v0
.end method


# The context an app's own context is built on; ShellContext delegates to it
# whatever it does not answer itself. Returns null if unavailable (some ROMs
# need more ActivityThread state for it): ShellContext's own answers are all
# AudioRecord needs, so recording can still work.
.method static systemContext(Ljava/lang/Object;)Landroid/content/Context;
    .locals 3

    if-eqz p0, :failed

    :try_start
    invoke-virtual {p0}, Ljava/lang/Object;->getClass()Ljava/lang/Class;
    move-result-object v0
    const-string v1, "getSystemContext"
    const/4 v2, 0x0
    new-array v2, v2, [Ljava/lang/Class;
    invoke-virtual {v0, v1, v2}, Ljava/lang/Class;->getDeclaredMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    move-result-object v0
    const/4 v2, 0x0
    new-array v2, v2, [Ljava/lang/Object;
    invoke-virtual {v0, p0, v2}, Ljava/lang/reflect/Method;->invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/content/Context;
    return-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    :failed
    const/4 v0, 0x0
    return-object v0
.end method


# Android 11 only: make ShellContext the process's Application, so that
# ActivityThread.currentOpPackageName() answers com.android.shell.
.method static setInitialApplication(Ljava/lang/Object;Landroid/app/Application;)V
    .locals 1

    if-eqz p0, :done

    :try_start
    const-string v0, "mInitialApplication"
    invoke-static {p0, v0, p1}, Ldlaudio/Workarounds;->setField(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/Object;)V
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :done

    :done
    return-void
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
