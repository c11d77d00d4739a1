import type { DeviceClient } from '@devicefarmer/adbkit';
import { shellOutput } from './shell.js';

/**
 * The Android user in the foreground (0 is the phone's owner), or undefined when `am`
 * does not say. On Android 11 the shell (uid 2000) can capture the microphone only for
 * the foreground user 0: with a secondary user (a guest, a child's profile) in front the
 * audio server silently refuses it.
 */
export async function currentUser(device: DeviceClient): Promise<number | undefined> {
  const out = await shellOutput(device, 'am get-current-user').catch(() => '');
  const m = /^\s*(\d+)\s*$/.exec(out);
  return m ? Number(m[1]) : undefined;
}
