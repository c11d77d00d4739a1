import { isNetworkSerial } from './list-devices.js';

/** The next step for each device state, shared by device choice and mid-session failures. */
export const ENABLE_DEBUGGING =
  'plug the phone in with a USB cable and enable USB debugging: Settings → About phone → tap "Build number" 7 times, ' +
  'then Settings → System → Developer options → USB debugging (or, on the same Wi-Fi, Developer options → Wireless debugging and `adb pair`)';

/** What to check when the link to a phone fails: its cable, or its Wi-Fi connection. */
export function checkLink(serial: string): string {
  return isNetworkSerial(serial)
    ? `check that the phone and this computer are on the same Wi-Fi (reconnect with \`adb connect ${serial}\`)`
    : 'check the USB cable';
}

export function stateAdvice(serial: string, state: string): string {
  if (state === 'unauthorized' && isNetworkSerial(serial)) {
    return `${serial} has not allowed this computer yet: unlock the phone and accept the "Allow USB debugging?" prompt ` +
      '(over Wi-Fi with no prompt: Developer options → Wireless debugging → pair this computer again with `adb pair`), then run again';
  }
  if (state === 'unauthorized') {
    return `${serial} has not allowed this computer yet: unlock the phone and accept the "Allow USB debugging?" prompt ` +
      '(no prompt? unplug and replug the cable, or Developer options → Revoke USB debugging authorizations), then run again';
  }
  if (state === 'offline') {
    if (isNetworkSerial(serial)) {
      return `${serial} is offline: reconnect it with \`adb disconnect ${serial}\` then \`adb connect ${serial}\` (same Wi-Fi, Wireless debugging on), then run again`;
    }
    return `${serial} is offline: unplug and replug the cable (or toggle USB debugging off and on), then run again; ` +
      'if it stays offline run `adb kill-server`';
  }
  if (state.startsWith('no permissions')) {
    return `${serial}: this user may not open the USB device (${state}): on Linux install the udev rules ` +
      '(Debian/Ubuntu: `sudo apt install android-sdk-platform-tools-common`), replug the phone, then run again';
  }
  if (state === 'authorizing' || state === 'connecting') {
    return `${serial} is still connecting (${state}): wait a few seconds and run again`;
  }
  return `${serial} is in "${state}" mode, not running Android: restart the phone normally, then run again`;
}

/** Stream mode (`live --device`): the recorder could not listen on its abstract socket. */
export function streamSocketRefused(phone: string, detail: string): string {
  return `the recorder on ${phone} could not open its stream socket${detail}: run again; if it persists, restart the phone`;
}

/** Stream mode: the recorder listened, but the computer's connection to it never arrived. */
export function streamNotReached(phone: string, detail: string): string {
  return `the computer could not reach the recorder's stream on ${phone}${detail}: run again; if it persists, run \`adb kill-server\` and try again`;
}

/**
 * Stream mode: adb refused to open `localabstract:<name>` (what `adb forward` connects to): an adb
 * too old for the phone, or a phone whose policy blocks adb's socket forwarding (some managed phones).
 */
export function streamForwardRefused(phone: string, said: string): string {
  return `${phone} refused the connection to the recorder's stream (adb said: ${said}): update adb (Android platform-tools), ` +
    'check that no device policy blocks adb forwarding (a work-managed phone may), then run again';
}
