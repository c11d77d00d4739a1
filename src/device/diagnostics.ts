/**
 * The report a student attaches when the phone fails: what the phone is, what the recorder
 * said, what its log and the audio framework's logcat lines say, and the command line.
 * Only those lines: nothing else is read from the phone.
 */
import type { DeviceClient } from '@devicefarmer/adbkit';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { shQuote } from './quote.js';
import { shellOutput } from './shell.js';
import { remoteLogPath, type RecorderSession } from './start-recorder.js';
import type { DeviceLabel } from './adb-errors.js';

/** A failure on the phone itself (an ERROR, a stream cut without DONE, a timeout): it deserves a report. */
export class PhoneFailure extends UserError {}

/** The logcat lines that speak about capturing or playing audio, or about app-op refusals. */
const RELEVANT = /AudioRecord|AudioFlinger|AudioPolicy|AudioTrack|AudioSystem|AppOps|app ?op|dlaudio|app_process|AndroidRuntime|SecurityException|avc: denied.*audio/i;
const LOGCAT_LINES = 3000;
const MAX_LOG_CHARS = 64 * 1024;

const PROPS = [
  ['manufacturer', 'ro.product.manufacturer'],
  ['brand', 'ro.product.brand'],
  ['model', 'ro.product.model'],
  ['android', 'ro.build.version.release'],
  ['sdk', 'ro.build.version.sdk'],
  ['security patch', 'ro.build.version.security_patch'],
  ['build', 'ro.build.display.id'],
] as const;

export function reportFileName(serial: string): string {
  return `dlaudio-report-${serial.replace(/[^A-Za-z0-9._-]+/g, '_')}.txt`;
}

/** The local adb's first line (`Android Debug Bridge version 1.0.41`) and its build, or why not. */
export function localAdbVersion(): Promise<string> {
  return new Promise((resolve) => {
    execFile(process.env.ADB || 'adb', ['version'], { timeout: 3000 }, (err, stdout) => {
      if (err) { resolve(`not found (${(err as NodeJS.ErrnoException).code ?? err.message})`); return; }
      resolve(stdout.split('\n').filter((l) => /version/i.test(l)).join('; ').trim() || 'unknown');
    });
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.catch(() => fallback), new Promise<T>((r) => { timer = setTimeout(() => r(fallback), ms); })])
    .finally(() => clearTimeout(timer));
}

/** The command line as typed, quoted where needed, so it can be run again as is. */
export function commandLine(argv: readonly string[] = process.argv.slice(2)): string {
  return ['dlaudio', ...argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : shQuote(a)))].join(' ');
}

export interface ReportInput {
  device: DeviceClient;
  label: DeviceLabel;
  /** What failed: "recording", "playing", "doctor". */
  what: string;
  /** The one-line error the user sees. */
  error: string;
  session?: RecorderSession;
  /** The file the recorder/player worked on (its log is `<file>.log`). */
  remoteFile?: string;
}

/** Gathers the report's text; every phone read is bounded in time and may fail without stopping it. */
export async function buildReport(input: ReportInput): Promise<string> {
  const { device, session, remoteFile } = input;
  const ask = (line: string) => withTimeout(shellOutput(device, line), 5000, '');
  const [props, log, logcat, adb] = await Promise.all([
    ask(PROPS.map(([, p]) => `getprop ${p}`).join('; ')),
    remoteFile ? ask(`cat ${shQuote(remoteLogPath(remoteFile))}`) : Promise.resolve(''),
    ask(`logcat -d -v threadtime -t ${LOGCAT_LINES}`),
    localAdbVersion(),
  ]);
  const values = props.split('\n');
  const lines = [
    `dlaudio diagnostics report — attach this file when asking for help`,
    `date: ${new Date().toISOString()}`,
    `command: ${commandLine()}`,
    `failed while: ${input.what}`,
    `error: ${input.error}`,
    '',
    '## Phone',
    `serial: ${input.label.serial}`,
    ...PROPS.map(([name], i) => `${name}: ${(values[i] ?? '').trim() || '?'}`),
    '',
    '## Computer',
    `dlaudio ${dlaudioVersion()}, node ${process.version} on ${process.platform}`,
    `adb: ${adb}`,
    '',
    '## Recorder workarounds (app_process)',
    session?.workarounds() ?? '(the recorder printed no WORKAROUNDS line: it did not get that far)',
    '',
    '## Protocol and other output of the recorder (stdout)',
    ...(session ? session.transcript() : ['(not started)']),
    '',
    `## Recorder log (stderr of app_process${remoteFile ? `, ${remoteLogPath(remoteFile)}` : ''})`,
    truncate(log.trimEnd()) || '(empty)',
    '',
    `## logcat -d (audio, app-op and crash lines of the last ${LOGCAT_LINES})`,
    logcat.split('\n').filter((l) => RELEVANT.test(l)).join('\n').trimEnd() || '(none)',
    '',
  ];
  return lines.join('\n');
}

function dlaudioVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

function truncate(text: string): string {
  return text.length <= MAX_LOG_CHARS ? text : `${text.slice(0, MAX_LOG_CHARS)}\n… (${text.length - MAX_LOG_CHARS} more characters cut)`;
}

/** Writes the report in the current folder (else the temp folder) and returns its path. */
export async function writeReport(text: string, serial: string): Promise<string> {
  const name = reportFileName(serial);
  for (const dir of [process.cwd(), tmpdir()]) {
    const path = resolvePath(join(dir, name));
    try {
      await writeFileAtomic(path, text);
      return path;
    } catch { /* try the next folder */ }
  }
  throw new Error(`could not write ${name}`);
}

/**
 * Turns a failure on the phone into the same one-line error ending with where the report is,
 * after writing the report (printed on stderr too with --verbose).
 */
export async function reportFailure(e: PhoneFailure, input: Omit<ReportInput, 'error'>, verbose: boolean, err: NodeJS.WritableStream): Promise<UserError> {
  try {
    const text = await buildReport({ ...input, error: e.message });
    const path = await writeReport(text, input.label.serial);
    if (verbose) err.write(`${text}\n`);
    const shown = path.startsWith(process.cwd() + '/') ? path.slice(process.cwd().length + 1) : path;
    return new UserError(`${e.message}; details in ${shown}: attach it when asking for help`, e.exitCode, { cause: e });
  } catch {
    return e;
  }
}
