import type { DeviceClient } from '@devicefarmer/adbkit';
import { shQuote } from './quote.js';
import { shellOutput } from './shell.js';
import { REMOTE_DEX, type LocalDex } from './recorder-dex.js';

/** The sha256 of the recorder already on the phone, or undefined (missing, or no sha256sum). */
export async function remoteSha256(device: DeviceClient): Promise<string | undefined> {
  const out = await shellOutput(device, `sha256sum ${shQuote(REMOTE_DEX)}`);
  const m = /^([0-9a-f]{64})\s/.exec(out);
  return m?.[1];
}

/**
 * Pushes the recorder unless an identical one is already there. Anything we
 * cannot prove identical is pushed again: a half-pushed file from an earlier
 * cut connection must never be run. Returns true when it pushed.
 */
export async function ensureRecorder(device: DeviceClient, dex: LocalDex): Promise<boolean> {
  if (await remoteSha256(device) === dex.sha256) return false;
  const sync = await device.syncService();
  try {
    // pushFile streams the file as bytes (an object-mode stream would go out as one oversized DATA).
    const transfer = sync.pushFile(dex.path, REMOTE_DEX, 0o644);
    await new Promise<void>((resolve, reject) => {
      transfer.once('end', resolve);
      transfer.once('error', reject);
    });
  } finally {
    sync.end();
  }
  return true;
}
