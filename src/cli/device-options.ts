import { Option, type Command } from './commander.js';
import { intInRange } from './options.js';

export interface DeviceFlags {
  /** `--device` alone is `true`: "use the phone" (the only one, or $ANDROID_SERIAL). */
  device?: string | boolean;
  adbHost?: string;
  adbPort?: number;
}

/** --device [serial], --adb-host, --adb-port: shared by `record`, `devices` and `train --device`. */
export function addDeviceOptions(cmd: Command, { device = true }: { device?: boolean } = {}): Command {
  if (device) cmd.option('--device [serial]', 'the phone to use (default: $ANDROID_SERIAL, else the only one connected)');
  return cmd
    .addOption(new Option('--adb-host <host>', 'adb server host (default: $ADB_SERVER_SOCKET or 127.0.0.1)'))
    .addOption(new Option('--adb-port <port>', 'adb server port (default: $ANDROID_ADB_SERVER_PORT or 5037)').argParser(intInRange(1, 65535)));
}

/** The serial asked for with --device SERIAL, if any. */
export function serialFrom(flags: DeviceFlags): string | undefined {
  return typeof flags.device === 'string' ? flags.device : undefined;
}
