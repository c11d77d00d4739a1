package android.app;

/** Android 12+: holds the process configuration; some Samsung ROMs need it for the system context. */
class ConfigurationController {
  final ActivityThreadInternal activityThread;

  ConfigurationController(ActivityThreadInternal activityThread) {
    this.activityThread = activityThread;
  }
}
