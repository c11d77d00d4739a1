import { promises as fsp, writeFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';

/** A temp name beside the target, so the final rename stays on one file system. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Write the whole file or nothing: readers never see a half-written output. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(target);
  try {
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/** writeFileAtomic for a command's output: when the disk says no, one line saying why. */
export async function writeOutput(out: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(out, data);
  } catch (e) {
    throw outputError(out, e);
  }
}

/**
 * writeOutput for an output made piece by piece (a long conversion is never whole in memory):
 * `fill` writes to a temp file beside `out` (at the end, or at a position), renamed when it returns.
 */
export async function writeOutputStream<T>(out: string, fill: (write: (bytes: Uint8Array, position?: number) => Promise<void>) => Promise<T>): Promise<T> {
  const tmp = tempPathFor(out);
  let handle: fsp.FileHandle | undefined;
  // Ctrl-C during a long conversion: no temp file left behind.
  const onSigint = (): void => {
    rmSync(tmp, { force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  try {
    handle = await fsp.open(tmp, 'w');
    const h = handle;
    let end = 0;
    const result = await fill(async (bytes, position) => {
      await h.write(bytes, 0, bytes.length, position ?? end);
      if (position === undefined) end += bytes.length;
    });
    await h.close();
    handle = undefined;
    await fsp.rename(tmp, out);
    return result;
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw (e as NodeJS.ErrnoException).code !== undefined ? outputError(out, e) : e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function outputError(out: string, e: unknown): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' || code === 'ENOTDIR' ? 'its folder does not exist'
    : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied'
    : code === 'EISDIR' ? 'it is a folder'
    : code === 'ENOSPC' ? 'the disk is full'
    : (code ?? (e as Error).message);
  return new UserError(`cannot write ${out}: ${why}`, 1, { cause: e });
}

export function writeFileAtomicSync(target: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(target);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
