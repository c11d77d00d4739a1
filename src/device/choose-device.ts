import { UserError } from '../errors.js';
import type { ListedDevice } from './list-devices.js';
import { ENABLE_DEBUGGING, stateAdvice } from './messages.js';

export interface DeviceChoice {
  /** --device SERIAL, if given. */
  serial?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * --device SERIAL, else $ANDROID_SERIAL, else the only device that is ready.
 * Every refusal says what to do next.
 */
export function chooseDevice(devices: readonly ListedDevice[], choice: DeviceChoice): ListedDevice {
  const env = choice.env ?? process.env;
  const wanted = choice.serial ?? (env.ANDROID_SERIAL || undefined);
  const from = choice.serial !== undefined ? '--device' : 'ANDROID_SERIAL';
  const listing = devices.map((d) => `${d.serial} (${d.state})`).join(', ');

  if (wanted !== undefined) {
    const alias = devices.find((d) => d.aliases?.includes(wanted));
    // The same phone over its other link: use the link that was asked for.
    if (alias) return { serial: wanted, state: alias.state };
    const found = devices.find((d) => d.serial === wanted);
    if (!found) {
      throw new UserError(devices.length
        ? `device "${wanted}" (from ${from}) is not connected; connected: ${listing}`
        : `device "${wanted}" (from ${from}) is not connected, and no device is: ${ENABLE_DEBUGGING}`);
    }
    if (found.state !== 'device') throw new UserError(stateAdvice(found.serial, found.state));
    return found;
  }

  const ready = devices.filter((d) => d.state === 'device');
  if (ready.length === 1) return ready[0];
  if (ready.length > 1) {
    throw new UserError(`${ready.length} devices are connected (${listing}): choose one with --device SERIAL (or set ANDROID_SERIAL)`);
  }
  if (devices.length === 0) throw new UserError(`no Android device found: ${ENABLE_DEBUGGING}`);
  if (devices.length === 1) throw new UserError(stateAdvice(devices[0].serial, devices[0].state));
  throw new UserError(`no device is ready (${listing}): ${stateAdvice(devices[0].serial, devices[0].state)}`);
}
