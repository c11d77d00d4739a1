import type { DeviceClient } from '@devicefarmer/adbkit';
import { connectAdb } from './connect.js';
import type { AdbAddressOptions } from './server-address.js';
import { listDevices, listPhones } from './list-devices.js';
import { chooseDevice } from './choose-device.js';
import { getDeviceInfo, type DeviceInfo } from './device-info.js';
import { deviceError, type DeviceLabel } from './adb-errors.js';
import { abortable } from './wait.js';

export interface OpenPhone {
  device: DeviceClient;
  /** Serial and model, for messages. */
  label: DeviceLabel & { model: string };
  info: DeviceInfo;
}

/** Connects to adb, chooses the phone (--device, ANDROID_SERIAL or the only one) and reads its Android version. */
export async function openPhone(opts: AdbAddressOptions & { serial?: string }, signal: AbortSignal): Promise<OpenPhone> {
  const { client } = await abortable(connectAdb(opts), signal);
  // Merging a phone seen over USB and Wi-Fi asks every phone its serial number: only worth it when choosing for the user.
  const named = opts.serial ?? (process.env.ANDROID_SERIAL || undefined);
  const chosen = chooseDevice(await abortable(named ? listDevices(client) : listPhones(client), signal), { serial: opts.serial });
  const device = client.getDevice(chosen.serial);
  const info = await abortable(getDeviceInfo(device), signal).catch((e: unknown) => {
    throw deviceError(e, { serial: chosen.serial, model: chosen.serial }, 'reading the phone\'s Android version');
  });
  return { device, label: { serial: chosen.serial, model: info.model }, info };
}
