import type { DeviceClient } from '@devicefarmer/adbkit';
import { shQuote } from './quote.js';
import { shellOutput } from './shell.js';

/**
 * One shell line: stop the recorder (if it may still run), then delete its
 * output and the `.part` it writes meanwhile. Killing first means no file can
 * reappear after the rm.
 */
export function cleanupCommand(pid: number | undefined, remoteWav: string): string {
  const rm = `rm -f ${shQuote(remoteWav)} ${shQuote(`${remoteWav}.part`)}`;
  return pid === undefined ? rm : `kill ${pid} 2>/dev/null; ${rm}`;
}

/** Best effort within `timeoutMs`: returns false when the phone could not be reached. */
export async function remoteCleanup(device: DeviceClient, pid: number | undefined, remoteWav: string, timeoutMs = 3000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  try {
    return await Promise.race([shellOutput(device, cleanupCommand(pid, remoteWav)).then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
