import type { DeviceClient } from '@devicefarmer/adbkit';
import { shellOutput } from './shell.js';

/** Older than any session can last (a take is at most 60 s, a clip to play a few minutes). */
export const LEFTOVER_MINUTES = 10;

/**
 * Files of an earlier session that could not clean up (a crash, a cable pulled, a Ctrl-C
 * in the first milliseconds): `dlaudio-*` in /data/local/tmp older than ten minutes, never
 * the recorder itself. Returns the paths removed.
 */
export function sweepCommand(): string {
  return `find /data/local/tmp -maxdepth 1 -name 'dlaudio-*' '!' -name 'dlaudio-recorder.dex' -mmin +${LEFTOVER_MINUTES} -print -delete`;
}

/** Best effort: a phone whose find lacks an option just keeps its leftovers. */
export async function sweepLeftovers(device: DeviceClient): Promise<string[]> {
  const out = await shellOutput(device, sweepCommand()).catch(() => '');
  return out.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/data/local/tmp/dlaudio-'));
}
