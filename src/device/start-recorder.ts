import type { DeviceClient } from '@devicefarmer/adbkit';
import type { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { shQuote } from './quote.js';
import { REMOTE_DEX } from './recorder-dex.js';

export type RecorderEvent =
  | { kind: 'ready' }
  | { kind: 'done'; samples: number }
  | { kind: 'error'; code: string; message: string }
  /** The shell stream ended without DONE or ERROR: killed, crashed, or the connection was cut. */
  | { kind: 'ended'; output: string };

/** The codes of docs/recorder.md: anything else after "ERROR " is a stray line, not the protocol. */
const ERROR_CODES = new Set(['BAD_ARGS', 'UNSUPPORTED_ANDROID', 'AUDIO_INIT', 'READ_ERROR', 'WRITE_ERROR', 'BAD_FILE', 'PLAY_ERROR', 'INTERNAL', 'SOCKET_ERROR', 'NO_CLIENT']);
/** Lines kept for the diagnostics report: enough for a vendor's stack trace, bounded for a flood. */
const MAX_TRANSCRIPT = 200;

export interface RecorderSession {
  /** Pid of app_process on the phone (the shell execs into it); waits up to `ms` for the PID line. */
  pid(ms: number): Promise<number | undefined>;
  /** Every line received so far (protocol and stray output), for the diagnostics report. */
  transcript(): string[];
  /** The recorder's WORKAROUNDS line (which app_process workarounds succeeded), if it printed one. */
  workarounds(): string | undefined;
  /** Resolves with READY, or with the event that came instead. */
  ready: Promise<RecorderEvent>;
  /** Resolves with DONE, ERROR or ended. */
  finished: Promise<RecorderEvent>;
  close(): void;
}

/**
 * Where app_process's stderr goes on the phone: ART's and vendors' messages and stack traces
 * stay out of the protocol stream, and are fetched for the diagnostics report.
 */
export function remoteLogPath(remoteFile: string): string {
  return `${remoteFile}.log`;
}

/**
 * A contract command line, wrapped so we learn its pid: `echo PID $$` then `exec`, so
 * app_process keeps the shell's pid and can be killed on Ctrl-C; its stderr goes to the log.
 */
export function appProcessCommand(args: string, remoteFile: string): string {
  return `echo PID $$; CLASSPATH=${shQuote(REMOTE_DEX)} exec app_process / dlaudio.Recorder ${args} 2>${shQuote(remoteLogPath(remoteFile))}`;
}

/** The recorder contract's command. Numbers are formatted by us; the path is quoted. */
export function recorderCommand(seconds: number, rate: number, remoteWav: string): string {
  return appProcessCommand(`--seconds ${seconds} --rate ${rate} --out ${shQuote(remoteWav)}`, remoteWav);
}

export function startRecorder(device: DeviceClient, seconds: number, rate: number, remoteWav: string): Promise<RecorderSession> {
  return startSession(device, recorderCommand(seconds, rate, remoteWav));
}

/**
 * Runs a contract command line (recording, playing or streaming) and follows its PID/READY/DONE/ERROR
 * lines; `onLine` sees each line first (stream mode's LISTENING and OVERRUN) and returns true to take it.
 */
export async function startSession(device: DeviceClient, command: string, onLine?: (line: string) => boolean): Promise<RecorderSession> {
  const stream: Duplex = await device.shell(command);
  let pid: number | undefined;
  let resolvePid!: (p: number | undefined) => void;
  const pidKnown = new Promise<number | undefined>((r) => { resolvePid = r; });
  let pending = '';
  // Bytes, not strings, arrive: a multi-byte character (a localized vendor message) may be cut between chunks.
  const decoder = new StringDecoder('utf8');
  const other: string[] = [];
  const transcript: string[] = [];
  let workarounds: string | undefined;
  let resolveReady!: (e: RecorderEvent) => void;
  let resolveFinished!: (e: RecorderEvent) => void;
  const ready = new Promise<RecorderEvent>((r) => { resolveReady = r; });
  const finished = new Promise<RecorderEvent>((r) => { resolveFinished = r; });
  const settle = (e: RecorderEvent) => { resolveReady(e); resolveFinished(e); };

  const handleLine = (raw: string) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() && transcript.length < MAX_TRANSCRIPT) transcript.push(line);
    let m: RegExpExecArray | null;
    if (onLine?.(line)) { /* taken by the mode's own lines */ }
    else if ((m = /^PID (\d+)$/.exec(line)) && pid === undefined) { pid = Number(m[1]); resolvePid(pid); }
    else if (line === 'READY') resolveReady({ kind: 'ready' });
    else if ((m = /^DONE (\d+)$/.exec(line))) settle({ kind: 'done', samples: Number(m[1]) });
    else if ((m = /^ERROR ([A-Z_]+)(?: (.*))?$/.exec(line)) && ERROR_CODES.has(m[1])) settle({ kind: 'error', code: m[1], message: m[2] ?? '' });
    else if (line.startsWith('WORKAROUNDS ')) workarounds = line.slice('WORKAROUNDS '.length);
    else if (line.trim()) other.push(line.trim());
  };
  stream.on('data', (chunk: Buffer) => {
    pending += decoder.write(chunk);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) { handleLine(pending.slice(0, nl)); pending = pending.slice(nl + 1); }
  });
  const ended = () => {
    pending += decoder.end();
    if (pending) handleLine(pending);
    pending = '';
    resolvePid(pid);
    settle({ kind: 'ended', output: other.slice(-3).join(' / ') });
  };
  stream.once('end', ended);
  stream.once('close', ended);
  stream.once('error', ended);

  const pidWithin = (ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([pidKnown, new Promise<undefined>((r) => { timer = setTimeout(() => r(undefined), ms); })])
      .finally(() => clearTimeout(timer));
  };
  return {
    pid: pidWithin, ready, finished,
    transcript: () => [...transcript],
    workarounds: () => workarounds,
    close: () => { stream.destroy(); },
  };
}
