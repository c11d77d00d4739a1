package android.app;

/** Android 12+: what ConfigurationController needs of its ActivityThread. */
interface ActivityThreadInternal {}
