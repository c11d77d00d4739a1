import type { DeviceClient } from '@devicefarmer/adbkit';
import type { Duplex } from 'node:stream';
import { shQuote } from './quote.js';
import { REMOTE_DEX } from './recorder-dex.js';

export type RecorderEvent =
  | { kind: 'ready' }
  | { kind: 'done'; samples: number }
  | { kind: 'error'; code: string; message: string }
  /** The shell stream ended without DONE or ERROR: killed, crashed, or the connection was cut. */
  | { kind: 'ended'; output: string };

export interface RecorderSession {
  /** Pid of app_process on the phone (the shell execs into it); waits up to `ms` for the PID line. */
  pid(ms: number): Promise<number | undefined>;
  /** Resolves with READY, or with the event that came instead. */
  ready: Promise<RecorderEvent>;
  /** Resolves with DONE, ERROR or ended. */
  finished: Promise<RecorderEvent>;
  close(): void;
}

/**
 * The recorder contract's command, wrapped so we learn its pid: `echo PID $$`
 * then `exec`, so app_process keeps the shell's pid and can be killed on Ctrl-C.
 * Numbers are formatted by us; the path is quoted.
 */
export function recorderCommand(seconds: number, rate: number, remoteWav: string): string {
  return `echo PID $$; CLASSPATH=${shQuote(REMOTE_DEX)} exec app_process / dlaudio.Recorder ` +
    `--seconds ${seconds} --rate ${rate} --out ${shQuote(remoteWav)}`;
}

export function startRecorder(device: DeviceClient, seconds: number, rate: number, remoteWav: string): Promise<RecorderSession> {
  return startSession(device, recorderCommand(seconds, rate, remoteWav));
}

/** Runs a contract command line (recording or playing) and follows its PID/READY/DONE/ERROR lines. */
export async function startSession(device: DeviceClient, command: string): Promise<RecorderSession> {
  const stream: Duplex = await device.shell(command);
  let pid: number | undefined;
  let resolvePid!: (p: number | undefined) => void;
  const pidKnown = new Promise<number | undefined>((r) => { resolvePid = r; });
  let pending = '';
  const other: string[] = [];
  let resolveReady!: (e: RecorderEvent) => void;
  let resolveFinished!: (e: RecorderEvent) => void;
  const ready = new Promise<RecorderEvent>((r) => { resolveReady = r; });
  const finished = new Promise<RecorderEvent>((r) => { resolveFinished = r; });
  const settle = (e: RecorderEvent) => { resolveReady(e); resolveFinished(e); };

  const onLine = (raw: string) => {
    const line = raw.replace(/\r$/, '');
    let m: RegExpExecArray | null;
    if ((m = /^PID (\d+)$/.exec(line)) && pid === undefined) { pid = Number(m[1]); resolvePid(pid); }
    else if (line === 'READY') resolveReady({ kind: 'ready' });
    else if ((m = /^DONE (\d+)$/.exec(line))) settle({ kind: 'done', samples: Number(m[1]) });
    else if ((m = /^ERROR (\S+) ?(.*)$/.exec(line))) settle({ kind: 'error', code: m[1], message: m[2] });
    else if (line.trim()) other.push(line.trim());
  };
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) { onLine(pending.slice(0, nl)); pending = pending.slice(nl + 1); }
  });
  const ended = () => {
    if (pending) onLine(pending);
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
  return { pid: pidWithin, ready, finished, close: () => { stream.destroy(); } };
}
