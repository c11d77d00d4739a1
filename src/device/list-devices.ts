import type { Client, Device } from '@devicefarmer/adbkit';

export interface ListedDevice {
  serial: string;
  /** adb's state word: device, unauthorized, offline, no permissions (…), recovery, … */
  state: string;
}

/** `adb devices`: every device the server knows, whatever its state. */
export async function listDevices(client: Client): Promise<ListedDevice[]> {
  const devices = await client.listDevices();
  return devices.map((d: Device) => ({ serial: d.id, state: String(d.type) }));
}
