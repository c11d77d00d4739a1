import adbkit, { type DeviceClient } from '@devicefarmer/adbkit';

/**
 * Runs one shell line and returns its output. The legacy `shell:` service gives
 * no exit status, so callers must recognise success from the output itself.
 */
export async function shellOutput(device: DeviceClient, line: string): Promise<string> {
  const stream = await device.shell(line);
  const data = await adbkit.Adb.util.readAll(stream);
  return data.toString('utf8').replace(/\r\n/g, '\n');
}
