import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';

/** Where the CLI puts the recorder on the phone (the recorder contract). */
export const REMOTE_DEX = '/data/local/tmp/dlaudio-recorder.dex';

/**
 * The committed recorder, found relative to this module (src/device or
 * dist/device → package root), never the current directory.
 * DLAUDIO_RECORDER_DEX points elsewhere (tests, recorder development).
 */
export function recorderDexPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.DLAUDIO_RECORDER_DEX || fileURLToPath(new URL('../../android/recorder/dlaudio-recorder.dex', import.meta.url));
}

export interface LocalDex { path: string; sha256: string; size: number }

export async function readRecorderDex(path = recorderDexPath()): Promise<LocalDex> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (e) {
    throw new UserError(`the phone recorder ${path} is missing from this dlaudio install: reinstall dlaudio (or set DLAUDIO_RECORDER_DEX to a built dlaudio-recorder.dex)`, 1, { cause: e });
  }
  return { path, sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
}
