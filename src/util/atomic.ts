/**
 * Writing an output whole or not at all: into a temp file beside it, then a rename. The temp file
 * is removed on every exit path Node lets us catch (an error, process.exit, Ctrl-C, a second
 * Ctrl-C, SIGTERM, SIGHUP); temp files a killed dlaudio left (its pid is in the name and it is no
 * longer running) are swept the next time dlaudio writes into that folder.
 */
import { promises as fsp, writeFileSync, renameSync, rmSync, readdirSync, lstatSync, statSync, realpathSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import { UserError, UsageError } from '../errors.js';
import { errnoText } from './input-file.js';

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** A temp name beside the target, so the final rename stays on one file system. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Temp files being written now: removed if the process ends before their rename. */
const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function removeLive(): void {
  for (const tmp of live) rmSync(tmp, { force: true });
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeLive();
  // The shell's convention: 128 + the signal's number (130 for Ctrl-C, as EXIT.interrupted).
  process.exit(128 + (osConstants.signals[signal] ?? 2));
}

let exitHookInstalled = false;
/** The signals whose listener is ours during the current writes. */
const handled = new Set<NodeJS.Signals>();

function track(tmp: string): void {
  if (!exitHookInstalled) {
    process.on('exit', removeLive);
    exitHookInstalled = true;
  }
  // Only while a write is under way, and only for a signal nobody else handles: a command's own
  // handler (the phone cleanup of record) keeps its say, and ends through process.exit → removeLive.
  if (live.size === 0) {
    for (const s of SIGNALS) {
      if (process.listenerCount(s) > 0) continue;
      process.on(s, onSignal);
      handled.add(s);
    }
  }
  live.add(tmp);
}

function untrack(tmp: string): void {
  live.delete(tmp);
  if (live.size > 0) return;
  for (const s of handled) process.off(s, onSignal);
  handled.clear();
}

function processIsGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Removes `.NAME.<pid>.<hex>.tmp` files in `dir` whose process has ended (a kill -9, a power cut). */
export function sweepStaleTemps(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null || !processIsGone(Number(m[1]))) continue;
    try {
      if (lstatSync(join(dir, name)).isFile()) unlinkSync(join(dir, name));
    } catch {
      // Someone else's file we cannot remove: not ours to insist on.
    }
  }
}

/** Write the whole file or nothing: readers never see a half-written output. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(target);
  track(tmp);
  try {
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  } finally {
    untrack(tmp);
  }
}

/**
 * writeOutput for an output made piece by piece (a long conversion is never whole in memory):
 * `fill` writes to a temp file beside `out` (at the end, or at a position), renamed when it returns.
 * The same checks and clean-up as writeOutput (devices refused, temp file removed on a signal);
 * `-` gathers the pieces and writes them to stdout at the end (a header is patched at position 0).
 */
export async function writeOutputStream<T>(out: string, fill: (write: (bytes: Uint8Array, position?: number) => Promise<void>) => Promise<T>): Promise<T> {
  if (out === STDOUT) {
    const pieces: Array<{ bytes: Uint8Array; at: number }> = [];
    let end = 0;
    const result = await fill(async (bytes, position) => {
      pieces.push({ bytes: bytes.slice(), at: position ?? end });
      if (position === undefined) end += bytes.length;
    });
    const whole = new Uint8Array(pieces.reduce((n, p) => Math.max(n, p.at + p.bytes.length), 0));
    for (const p of pieces) whole.set(p.bytes, p.at);
    await writeStdout(whole);
    return result;
  }
  const kind = specialFileKind(out);
  if (kind !== null && kind !== 'a folder') throw new UserError(`cannot write ${out}: it is ${kind}, not a regular file (give a file name)`);
  const target = writeTarget(out);
  sweepStaleTemps(dirname(target));
  const tmp = tempPathFor(target);
  let handle: fsp.FileHandle | undefined;
  // Ctrl-C, SIGTERM, SIGHUP during a long conversion: no temp file left behind.
  track(tmp);
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
    await fsp.rename(tmp, target);
    return result;
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw (e as NodeJS.ErrnoException).code !== undefined ? outputError(out, e) : e;
  } finally {
    untrack(tmp);
  }
}

function outputError(out: string, e: unknown): UserError {
  return new UserError(`cannot write ${out}: ${errnoText((e as NodeJS.ErrnoException).code, e)}`, 1, { cause: e });
}

export function writeFileAtomicSync(target: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(target);
  track(tmp);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    untrack(tmp);
  }
}

/** What an existing path is, when it is no regular file: "a character device", … (null: a file or nothing). */
export function specialFileKind(path: string): string | null {
  let st;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch {
    return null; // the write itself will say what is wrong
  }
  if (st === undefined || st.isFile()) return null;
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The file a write to `out` should replace: through a symbolic link, the file it points at (as
 * `cp` and `sox` do), so the link is kept.
 */
export function writeTarget(out: string): string {
  try {
    if (lstatSync(out).isSymbolicLink()) return realpathSync(out);
  } catch {
    // missing or a dangling link: written where named
  }
  return out;
}

/** `-o -`: the output goes to stdout. */
export const STDOUT = '-';

/**
 * True when `out` is `-` and stdout can take the output: a pipe or a file, not a terminal, and
 * not wanted by --json. The command then prints its summary on stderr.
 */
export function outputToStdout(out: string, option: string, json?: boolean): boolean {
  if (out !== STDOUT) return false;
  if (json === true) throw new UsageError(`${option} - writes the output to stdout, where --json prints too: give a file name, or drop --json`);
  if (process.stdout.isTTY) throw new UsageError(`${option} - writes binary data to stdout, which is a terminal: pipe it (e.g. \`| play -t wav -\`) or give a file name`);
  return true;
}

async function writeStdout(data: string | Uint8Array): Promise<void> {
  // A reader that stops early (`| head`, `| soxi -`) closes the pipe: EPIPE, said in one line, not thrown as an event.
  const onError = (): void => {};
  process.stdout.on('error', onError);
  try {
    await new Promise<void>((resolve, reject) => {
      process.stdout.write(data, (e) => (e ? reject(e) : resolve()));
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'EPIPE' ? 'stdout was closed before the whole output was written (the program reading it stopped early)' : `cannot write to stdout: ${errnoText(code, e)}`, 1, { cause: e });
  } finally {
    process.stdout.off('error', onError);
  }
}

/**
 * writeFileAtomic for a command's output (`-` is stdout): refuses to replace a device, a pipe or a folder (a rename
 * would put a regular file in its place), and when the disk says no, one line saying why.
 * `what` names the output in messages ("the model", "the report").
 */
export async function writeOutput(out: string, data: string | Uint8Array, what?: string): Promise<void> {
  if (out === STDOUT) return writeStdout(data);
  const name = what !== undefined ? `${what} to ${out}` : out;
  const kind = specialFileKind(out);
  // A folder fails the rename with EISDIR, said below; anything else would be replaced by a file.
  if (kind !== null && kind !== 'a folder') throw new UserError(`cannot write ${name}: it is ${kind}, not a regular file (give a file name)`);
  const target = writeTarget(out);
  sweepStaleTemps(dirname(target));
  try {
    await writeFileAtomic(target, data);
  } catch (e) {
    throw new UserError(`cannot write ${name}: ${errnoText((e as NodeJS.ErrnoException).code, e)}`, 1, { cause: e });
  }
}
