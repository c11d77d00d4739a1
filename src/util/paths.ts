/**
 * Whether two paths name the same file: through symbolic links (real paths) and hard links (the
 * same device and inode), so `--model link/m.json -o real/m.json` is caught as well as `-o m.json`.
 */
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** The real path of `p`, or of its folder when `p` does not exist yet. */
export function realPathOf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    try {
      return join(realpathSync(dirname(p)), basename(p));
    } catch {
      return resolve(p);
    }
  }
}

export function sameFile(a: string, b: string): boolean {
  if (realPathOf(a) === realPathOf(b)) return true;
  try {
    const sa = statSync(a, { throwIfNoEntry: false });
    const sb = statSync(b, { throwIfNoEntry: false });
    return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}
