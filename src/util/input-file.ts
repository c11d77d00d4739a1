/**
 * Reading a whole input file (a model, a .dla) safely: only a regular file, only up to the size
 * limit, and never more bytes than its size said. `/dev/zero` would be read until memory runs out,
 * a FIFO nobody writes would hang: both are refused before a byte is read.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from '../errors.js';
import { checkLimit } from './limits.js';

export interface InputFileText {
  /** "model file", ".dla file": what the file should be. */
  kind: string;
  /** What to give instead, for the end of a refusal: "give the .json written by `dlaudio train --save`". */
  hint: string;
  /** The message for a missing file. */
  notFound: string;
}

export function readInputFile(path: string, t: InputFileText): Uint8Array {
  if (path === '') throw new UserError(`no ${t.kind} given: ${t.hint}`);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading does not wait for a writer; regular files ignore it.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(t.notFound);
    if (code === 'EISDIR') throw new UserError(`${path} is a folder, not a ${t.kind}: ${t.hint}`);
    throw new UserError(`cannot read ${path}: ${errnoText(code, e)}`, 1, { cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UserError(`${path} is a folder, not a ${t.kind}: ${t.hint}`);
    if (!st.isFile()) throw new UserError(`${path} is not a regular file (a device or a pipe?): ${t.hint}`);
    checkLimit('fileBytes', st.size, `${path} is too large for a ${t.kind}:`, { fix: t.hint });
    const bytes = new Uint8Array(st.size);
    let at = 0;
    while (at < bytes.length) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) break; // shrank while read: what is there is checked like any short file
      at += n;
    }
    return at === bytes.length ? bytes : bytes.subarray(0, at);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read ${path}: ${errnoText((e as NodeJS.ErrnoException).code, e)}`, 1, { cause: e });
  } finally {
    closeSync(fd);
  }
}

/** An errno code as a sentence (the raw code after it, for searching). */
export function errnoText(code: string | undefined, e: unknown): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    case 'EDQUOT':
      return 'your disk quota is used up (EDQUOT)';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOENT':
    case 'ENOTDIR':
      return 'its folder does not exist';
    case 'EIO':
      return 'input/output error: the disk or card may be failing (EIO)';
    case 'EMFILE':
    case 'ENFILE':
      return `too many open files (${code})`;
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return code ?? (e instanceof Error ? e.message : String(e));
  }
}
