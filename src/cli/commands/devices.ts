import type { Command } from '../commander.js';
import { makeIo, info } from '../../util/output.js';
import { ENABLE_DEBUGGING, stateAdvice } from '../../device/messages.js';
import { addDeviceOptions, type DeviceFlags } from '../device-options.js';

interface DeviceRow {
  serial: string;
  state: string;
  model: string | null;
  android: string | null;
  sdk: number | null;
  canRecord: boolean;
  canPlay: boolean;
  /** Why it cannot record (or play), and what to do. */
  reason: string | null;
  /** The same phone's other serials (plugged in and paired over Wi-Fi at once). */
  aliases: string[];
}

export function registerDevices(program: Command): void {
  const cmd = program
    .command('devices')
    .description('list the phones adb sees, their Android version and whether they can record (Android 11+) and play (Android 6+)')
    .option('--json', 'print a JSON array instead of a table');
  addDeviceOptions(cmd, { device: false }).action(async (flags: DeviceFlags & { json?: boolean }, c: Command) => {
    const io = makeIo(c.optsWithGlobals<{ verbose?: boolean }>().verbose);
    // Loaded on use: adbkit costs ~0.1-0.2 s of start-up that other commands should not pay.
    const { connectAdb } = await import('../../device/connect.js');
    const { listPhones } = await import('../../device/list-devices.js');
    const { getDeviceInfo, canRecord, canPlay, MIN_RECORD_SDK, MIN_PLAY_SDK } = await import('../../device/device-info.js');
    const { client } = await connectAdb(flags);
    const rows: DeviceRow[] = [];
    for (const d of await listPhones(client)) {
      const row: DeviceRow = { serial: d.serial, state: d.state, model: null, android: null, sdk: null, canRecord: false, canPlay: false, reason: null, aliases: d.aliases ?? [] };
      if (d.state !== 'device') {
        row.reason = stateAdvice(d.serial, d.state);
      } else {
        try {
          const i = await getDeviceInfo(client.getDevice(d.serial));
          Object.assign(row, { model: i.model, android: i.release, sdk: Number.isNaN(i.sdk) ? null : i.sdk, canRecord: canRecord(i), canPlay: canPlay(i) });
          const version = `Android ${i.release} (API ${row.sdk ?? '?'})`;
          if (!row.canPlay) row.reason = `${version} is older than Android 6 (API ${MIN_PLAY_SDK}): it can neither record nor play`;
          else if (!row.canRecord) row.reason = `${version} is older than Android 11 (API ${MIN_RECORD_SDK}): it can play but not record`;
        } catch (e) {
          row.reason = `could not read its properties: ${(e as Error).message.split('\n')[0]}`;
        }
      }
      rows.push(row);
    }
    if (flags.json) {
      io.out.write(JSON.stringify(rows, null, 2) + '\n');
    } else if (rows.length) {
      io.out.write(table(rows));
    }
    if (rows.length === 0) info(io, `no Android device found: ${ENABLE_DEBUGGING}`);
    else if (!flags.json) {
      for (const r of rows) {
        if (r.aliases.length) info(io, `${r.serial}: also connected as ${r.aliases.join(', ')} (the same phone over its other link)`);
        if (r.reason) info(io, `${r.serial}: ${r.reason.startsWith(r.serial) ? r.reason.slice(r.serial.length).replace(/^[: ]+/, '') : r.reason}`);
      }
    }
  });
}

function table(rows: DeviceRow[]): string {
  const cells = [['SERIAL', 'STATE', 'MODEL', 'ANDROID', 'CAN RECORD', 'CAN PLAY'], ...rows.map((r) => [
    r.serial, r.state, r.model ?? '-', r.android === null ? '-' : `${r.android} (API ${r.sdk ?? '?'})`, r.canRecord ? 'yes' : 'no', r.canPlay ? 'yes' : 'no',
  ])];
  const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}
