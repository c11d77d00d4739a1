import type { Client, Device } from '@devicefarmer/adbkit';
import { shellOutput } from './shell.js';

export interface ListedDevice {
  serial: string;
  /** adb's state word: device, unauthorized, offline, no permissions (…), recovery, … */
  state: string;
  /** The same phone's other serials (seen over USB and Wi-Fi at once). */
  aliases?: string[];
}

/** `adb devices`: every device the server knows, whatever its state. */
export async function listDevices(client: Client): Promise<ListedDevice[]> {
  const devices = await client.listDevices();
  return devices.map((d: Device) => ({ serial: d.id, state: String(d.type) }));
}

/** adb over Wi-Fi: `ip:port`, or an mDNS name (`adb-<serial>-<id>._adb-tls-connect._tcp`). */
export function isNetworkSerial(serial: string): boolean {
  return /:\d+$/.test(serial) || /\._adb-tls-connect\._tcp|\._adb\._tcp/.test(serial);
}

/**
 * One phone plugged in and paired over Wi-Fi shows twice. Ready devices with the same
 * `ro.serialno` are merged into one entry, under the USB serial (the steadier link), the
 * others kept as aliases. `hardwareSerial` maps an adb serial to its ro.serialno.
 */
export function mergeSamePhone(devices: readonly ListedDevice[], hardwareSerial: ReadonlyMap<string, string>): ListedDevice[] {
  const groups = new Map<string, ListedDevice[]>();
  const out: ListedDevice[] = [];
  for (const d of devices) {
    const hw = d.state === 'device' ? hardwareSerial.get(d.serial) : undefined;
    if (!hw) { out.push(d); continue; }
    const g = groups.get(hw);
    if (g) { g.push(d); continue; }
    const group = [d];
    groups.set(hw, group);
    out.push(d);
  }
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const primary = g.find((d) => !isNetworkSerial(d.serial)) ?? g[0];
    const merged: ListedDevice = { ...primary, aliases: g.filter((d) => d !== primary).map((d) => d.serial) };
    out[out.indexOf(g[0])] = merged;
  }
  return out;
}

/** listDevices, with a phone seen over USB and Wi-Fi listed once (asks each ready phone its ro.serialno). */
export async function listPhones(client: Client): Promise<ListedDevice[]> {
  const devices = await listDevices(client);
  const ready = devices.filter((d) => d.state === 'device');
  if (ready.length < 2) return devices;
  const serials = new Map<string, string>();
  await Promise.all(ready.map(async (d) => {
    const hw = (await shellOutput(client.getDevice(d.serial), 'getprop ro.serialno').catch(() => '')).trim();
    if (hw) serials.set(d.serial, hw);
  }));
  return mergeSamePhone(devices, serials);
}
