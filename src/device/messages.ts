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
