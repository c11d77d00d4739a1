import { UserError } from '../errors.js';
import { checkLink, stateAdvice } from './messages.js';

/** What a phone is called in messages: "Pixel 7 (R58M12345)". */
export interface DeviceLabel { serial: string; model?: string }

function name(d: DeviceLabel): string {
  return d.model ? `${d.model} (${d.serial})` : d.serial;
}

/**
 * Turns an adbkit failure in the middle of a device operation into one
 * actionable line: the transport went away, the phone changed state, …
 */
export function deviceError(e: unknown, device: DeviceLabel, doing: string): UserError {
  if (e instanceof UserError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  if (/couldn't create file|Read-only file system|Permission denied/i.test(msg)) {
    const said = /couldn't create file[^'"]*|Read-only file system|Permission denied/i.exec(msg)?.[0] ?? msg;
    return new UserError(`${name(device)} refused the copy to /data/local/tmp while ${doing} (remote ${said}): ` +
      'on Xiaomi/Redmi/POCO turn on Developer options → "USB debugging (Security settings)" and "Install via USB"; ' +
      'on a rooted or customised phone check that /data/local/tmp belongs to shell (`adb shell ls -ld /data/local/tmp`); then run again', 1, { cause: e });
  }
  if (/device offline/i.test(msg)) return new UserError(`while ${doing}: ${stateAdvice(device.serial, 'offline')}`, 1, { cause: e });
  if (/device unauthorized/i.test(msg)) return new UserError(`while ${doing}: ${stateAdvice(device.serial, 'unauthorized')}`, 1, { cause: e });
  if (/not found/i.test(msg) && /device/i.test(msg)) {
    return new UserError(`${name(device)} disconnected while ${doing}: ${checkLink(device.serial)}, then run again`, 1, { cause: e });
  }
  if (/Premature end of stream|ECONNRESET|EPIPE|socket hang up/i.test(msg) || code === 'ECONNRESET' || code === 'EPIPE') {
    return new UserError(`lost the connection to ${name(device)} while ${doing}: ${checkLink(device.serial)} (or the adb server), then run again`, 1, { cause: e });
  }
  if (code === 'ECONNREFUSED') return new UserError(`the adb server stopped while ${doing}: run again (it will be restarted)`, 1, { cause: e });
  return new UserError(`adb failed while ${doing}: ${msg.split('\n')[0]} (run again with --verbose for details)`, 1, { cause: e });
}
