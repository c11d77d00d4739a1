/**
 * A deliberately small /system/bin/sh: just the syntax and commands the CLI
 * sends (getprop, echo, sha256sum, rm, kill, `VAR=x exec app_process ...`).
 * Anything else is reported in `shellErrors`, so a test fails when the CLI
 * starts sending something a phone would parse differently.
 */
import { createHash } from 'node:crypto';
import { simulatedWav, streamSample, type SimSignal } from './signal.js';

export interface SimFile { data: Buffer; mode: number; mtime: number }

/**
 * 'noisy': a vendor framework's stack traces and a localized message (cut inside a UTF-8
 * character) on stdout between the protocol lines, which arrive cut in the middle; 'die':
 * READY, a stack trace in the log, then the process ends without DONE.
 */
export type RecorderBehaviour = 'ok' | 'hang' | 'silent' | 'clipped' | 'noisy' | 'die' | 'art-reject' | 'overrun' | `error:${string}` | `noisy-error:${string}`;
/** 'hang': READY, then nothing until killed; `error:PLAY_ERROR` comes after READY, other errors before. */
export type PlayerBehaviour = 'ok' | 'hang' | `error:${string}`;

export interface SimProcess {
  pid: number;
  argv: string[];
  env: Record<string, string>;
  state: 'running' | 'exited' | 'killed';
  exitCode?: number;
  signal?: string;
  /** Stream mode: whether it holds the microphone now, and when (performance.now()) it let it go. */
  micOpen?: boolean;
  micReleasedAt?: number;
  /** Stream mode: when (performance.now()) sample 0 was captured; sample i comes i / rate / streamSpeed s later. */
  streamStartedAt?: number;
  /** Stream mode: the samples dropped on the phone, as [first, end) ranges of sample indices. */
  droppedRanges?: [number, number][];
}

/** One connection to a process's abstract socket, as adbd relays it to the host. */
export interface SimLocalSocket {
  write(data: Buffer): void;
  /** Bytes written but not yet acknowledged by the host (adbd's socket buffer, on a phone). */
  queuedBytes(): number;
  close(): void;
  /** The host closed its end or the transport went away: the next write would fail with EPIPE. */
  onClose(cb: () => void): void;
}

export interface ShellContext {
  fs: Map<string, SimFile>;
  props: Record<string, string>;
  processes: SimProcess[];
  nextPid(): number;
  recorder: RecorderBehaviour;
  player: PlayerBehaviour;
  /** The bytes of every WAV the fake player accepted, in order. */
  played: Buffer[];
  /** Multiplies the recorder's waiting time (1 = real time). */
  timeScale: number;
  commands: string[];
  shellErrors: string[];
  /** Cancels a running process's pending work; set by the recorder. */
  killers: Map<number, () => void>;
  currentUser: number;
  /** Drop `echo PID …` output. */
  hidePid: boolean;
  logcat: string[];
  /** Abstract socket names a process listens on (stream mode), and what it does with a connection. */
  abstractSockets: Map<string, (socket: SimLocalSocket) => void>;
  /** Stream mode: the fake microphone's speed, in multiples of real time. */
  streamSpeed: number;
}

/** Where a shell's output goes: the adb stream, which the host may close at any time. */
export interface ShellOutput {
  write(text: string): void;
  /** Raw bytes, e.g. half of a UTF-8 character. */
  writeBytes(data: Buffer): void;
  end(): void;
}

type Word = string;
/** Marks a `2>FILE` redirection among a statement's words. */
const STDERR_TO = '\u00002>';
class Unsupported extends Error {}

/** Splits a command line into statements of words (quotes, `;`, `$$`, `2>/dev/null`). */
export function parseShell(line: string, pid: number): Word[][] {
  const statements: Word[][] = [];
  let words: Word[] = [];
  let cur = '';
  let inWord = false;
  let redirect = false;
  const endWord = () => {
    if (inWord) words.push(redirect ? `${STDERR_TO}${cur}` : cur);
    else if (redirect) throw new Unsupported('2> without a file');
    cur = ''; inWord = false; redirect = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) throw new Unsupported('unterminated single quote');
      cur += line.slice(i + 1, j); inWord = true; i = j;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && '"\\$`'.includes(line[j + 1] ?? '')) { cur += line[j + 1]; j++; }
        else if (line[j] === '$' && line[j + 1] === '$') { cur += String(pid); j++; }
        else if (line[j] === '$' || line[j] === '`') throw new Unsupported('expansion inside double quotes');
        else cur += line[j];
      }
      if (j >= line.length) throw new Unsupported('unterminated double quote');
      inWord = true; i = j;
    } else if (c === '\\') {
      cur += line[i + 1] ?? ''; inWord = true; i++;
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else if (c === ';' || c === '\n') {
      endWord(); if (words.length) statements.push(words); words = [];
    } else if (c === '$' && line[i + 1] === '$') {
      cur += String(pid); inWord = true; i++;
    } else if (c === '>' && (!inWord || cur === '2') && line.startsWith('/dev/null', i + 1)) {
      cur = ''; inWord = false; i += '/dev/null'.length;
    } else if (c === '>' && inWord && cur === '2') {
      // 2>FILE: the next word (quoted or not) is where stderr goes; kept as a marker word.
      cur = ''; inWord = false; redirect = true;
    } else if ('$`|&<>()*?[]{}~#'.includes(c) && !(c === '#' && inWord)) {
      throw new Unsupported(`unquoted '${c}'`);
    } else {
      cur += c; inWord = true;
    }
  }
  endWord();
  if (words.length) statements.push(words);
  return statements;
}

export async function runShell(line: string, out: ShellOutput, ctx: ShellContext): Promise<void> {
  ctx.commands.push(line);
  const pid = ctx.nextPid();
  let statements: Word[][];
  try {
    statements = parseShell(line, pid);
  } catch (e) {
    ctx.shellErrors.push(`${(e as Error).message} in: ${line}`);
    out.write(`/system/bin/sh: syntax error: ${(e as Error).message}\n`);
    out.end();
    return;
  }
  for (const words of statements) {
    const env: Record<string, string> = {};
    while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) {
      const w = words.shift() as string;
      env[w.slice(0, w.indexOf('='))] = w.slice(w.indexOf('=') + 1);
    }
    let isExec = false;
    if (words[0] === 'exec') { isExec = true; words.shift(); }
    const stderrTo = words.find((w) => w.startsWith(STDERR_TO))?.slice(STDERR_TO.length);
    const [cmd, ...args] = words.filter((w) => !w.startsWith(STDERR_TO));
    if (cmd === undefined) continue;
    // The shell creates (truncates) the file before the command runs.
    if (stderrTo !== undefined) ctx.fs.set(stderrTo, { data: Buffer.alloc(0), mode: 0o100644, mtime: Math.floor(Date.now() / 1000) });
    if (stderrTo !== undefined) env[STDERR_TO] = stderrTo;
    await runCommand(cmd, args, env, isExec ? pid : ctx.nextPid(), out, ctx);
    if (isExec) break;
  }
  out.end();
}

async function runCommand(cmd: string, args: string[], env: Record<string, string>, pid: number, out: ShellOutput, ctx: ShellContext): Promise<void> {
  switch (cmd) {
    case 'echo':
      if (ctx.hidePid && args[0] === 'PID') return;
      out.write(args.join(' ') + '\n');
      return;
    case 'cat':
      for (const p of args) {
        const f = ctx.fs.get(p);
        if (f) out.writeBytes(f.data);
        else out.write(`cat: ${p}: No such file or directory\n`);
      }
      return;
    case 'find':
      findFiles(args, out, ctx);
      return;
    case 'pkill': {
      if (args.length !== 2 || args[0] !== '-f') { ctx.shellErrors.push(`pkill ${args.join(' ')}`); return; }
      const pattern = new RegExp(args[1]);
      for (const proc of ctx.processes) if (proc.state === 'running' && pattern.test(proc.argv.join(' '))) killProcess(proc, 'TERM', ctx);
      return;
    }
    case 'am':
      if (args.join(' ') === 'get-current-user') out.write(`${ctx.currentUser}\n`);
      else { ctx.shellErrors.push(`am ${args.join(' ')}`); out.write('Error: unknown command\n'); }
      return;
    case 'logcat':
      if (args[0] !== '-d') { ctx.shellErrors.push(`logcat ${args.join(' ')} would never end`); return; }
      out.write(ctx.logcat.map((l) => `${l}\n`).join(''));
      return;
    case 'getprop':
      if (args.length === 0) out.write(Object.entries(ctx.props).map(([k, v]) => `[${k}]: [${v}]\n`).join(''));
      else out.write((ctx.props[args[0]] ?? '') + '\n');
      return;
    case 'sha256sum':
      for (const p of args) {
        const f = ctx.fs.get(p);
        if (f) out.write(`${createHash('sha256').update(f.data).digest('hex')}  ${p}\n`);
        else out.write(`sha256sum: ${p}: No such file or directory\n`);
      }
      return;
    case 'rm': {
      const force = args[0] === '-f';
      for (const p of force ? args.slice(1) : args) {
        if (!ctx.fs.delete(p) && !force) out.write(`rm: ${p}: No such file or directory\n`);
      }
      return;
    }
    case 'kill': {
      const pids = args.filter((a) => !a.startsWith('-'));
      for (const p of pids) {
        const proc = ctx.processes.find((x) => String(x.pid) === p && x.state === 'running');
        if (!proc) { out.write(`/system/bin/sh: kill: ${p}: No such process\n`); continue; }
        killProcess(proc, args.find((a) => a.startsWith('-'))?.slice(1) ?? 'TERM', ctx);
      }
      return;
    }
    case 'app_process':
      if (args[2] === 'check') await fakeCheck(args, env, pid, out, ctx);
      else if (args[2] === 'play') await fakePlayer(args, env, pid, out, ctx);
      else if (args[2] === 'stream') await fakeStreamer(args, env, pid, out, ctx);
      else await fakeRecorder(args, env, pid, out, ctx);
      return;
    default:
      ctx.shellErrors.push(`unknown command ${cmd}`);
      out.write(`/system/bin/sh: ${cmd}: inaccessible or not found\n`);
  }
}

function killProcess(proc: SimProcess, signal: string, ctx: ShellContext): void {
  proc.state = 'killed';
  proc.signal = signal;
  ctx.killers.get(proc.pid)?.();
}

/** Toybox find, as far as the CLI uses it: DIR -maxdepth 1 -name GLOB ['!' -name GLOB] [-mmin +N] [-print] [-delete]. */
function findFiles(args: string[], out: ShellOutput, ctx: ShellContext): void {
  const [dir, ...rest] = args;
  const glob = (g: string) => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const tests: ((name: string, f: SimFile) => boolean)[] = [];
  let del = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '-maxdepth' && rest[i + 1] === '1') i++;
    else if (a === '-name') { const re = glob(rest[++i]); tests.push((n) => re.test(n)); }
    else if (a === '!' && rest[i + 1] === '-name') { const re = glob(rest[i + 2]); i += 2; tests.push((n) => !re.test(n)); }
    else if (a === '-mmin' && /^\+\d+$/.test(rest[i + 1] ?? '')) {
      const minutes = Number(rest[++i].slice(1));
      tests.push((_, f) => (Date.now() / 1000 - f.mtime) / 60 > minutes);
    } else if (a === '-print') { /* the default */ }
    else if (a === '-delete') del = true;
    else { ctx.shellErrors.push(`find option ${a}`); return; }
  }
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  for (const [path, f] of [...ctx.fs]) {
    const name = path.slice(prefix.length);
    if (!path.startsWith(prefix) || name.includes('/') || !tests.every((t) => t(name, f))) continue;
    out.write(`${path}\n`);
    if (del) ctx.fs.delete(path);
  }
}

const EXIT_CODES: Record<string, number> = { BAD_ARGS: 2, UNSUPPORTED_ANDROID: 3, AUDIO_INIT: 4, READ_ERROR: 5, WRITE_ERROR: 6, BAD_FILE: 7, PLAY_ERROR: 8, INTERNAL: 9, SOCKET_ERROR: 10, NO_CLIENT: 11 };

/** What the real recorder prints before opening the microphone: which workarounds took. */
export const SIM_WORKAROUNDS = 'WORKAROUNDS looper=ok activity-thread=ok configuration-controller=ok bound-application=ok system-context=ok initial-application=ok';

/** `dlaudio.Recorder check` (dlaudio doctor): the workarounds, then DONE 0, without touching audio. */
function fakeCheck(args: string[], env: Record<string, string>, pid: number, out: ShellOutput, ctx: ShellContext): Promise<void> {
  const finish = startAppProcess(args, env, pid, out, ctx);
  if (finish === null) return Promise.resolve();
  out.write(`${SIM_WORKAROUNDS}\n`);
  finish(0, 'DONE 0');
  return Promise.resolve();
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Appends to the app_process's stderr file (the CLI's 2>FILE), if it has one. */
function logToStderr(env: Record<string, string>, ctx: ShellContext, text: string): void {
  const path = env[STDERR_TO];
  const f = path === undefined ? undefined : ctx.fs.get(path);
  if (f) f.data = Buffer.concat([f.data, Buffer.from(text)]);
}

/** A Vivo-style framework's noise on stdout, cut in awkward places, the way a real phone can send it. */
async function vendorNoise(out: ShellOutput): Promise<void> {
  // Let the host side of the stream settle first: what comes in the first milliseconds reaches the CLI as one chunk.
  await pause(150);
  out.write("java.lang.NullPointerException: Attempt to invoke virtual method 'java.lang.String android.content.Context.getOpPackageName()'\n");
  out.write('\tat android.media.VivoAudioRecordImpl.<init>(VivoAudioRecordImpl.java:88)\n');
  out.write('ERROR audio hal: set_parameters returned -22\n');
  const localized = Buffer.from('W/VivoAudio: échec de l\'initialisation du micro\n');
  const cut = localized.indexOf(0xc3) + 1; // inside the two bytes of "é"
  out.writeBytes(localized.subarray(0, cut));
  await pause(60);
  out.writeBytes(localized.subarray(cut));
  await pause(60);
}

/**
 * An `app_process` the fake shell started: listed in ctx.processes; `finish` prints its last line
 * and exits it. null when the class path does not hold dlaudio.Recorder (it then failed like ART).
 */
function startAppProcess(args: string[], env: Record<string, string>, pid: number, out: ShellOutput, ctx: ShellContext): ((code: number, line?: string) => void) | null {
  const proc: SimProcess = { pid, argv: ['app_process', ...args], env, state: 'running' };
  ctx.processes.push(proc);
  const finish = (code: number, line?: string): void => {
    if (line !== undefined) out.write(line + '\n');
    if (proc.state === 'running') { proc.state = 'exited'; proc.exitCode = code; }
  };
  const classpath = env.CLASSPATH;
  if (!classpath || !ctx.fs.has(classpath) || args[0] !== '/' || args[1] !== 'dlaudio.Recorder' || ctx.recorder === 'art-reject') {
    // The runtime reports an uncaught exception on stderr (the CLI's log file, if it redirected it).
    const message = `Exception in thread "main" java.lang.ClassNotFoundException: Didn't find class "${args[1] ?? ''}" on path: DexPathList[[zip file "${classpath ?? ''}"]]\n`;
    if (env[STDERR_TO] !== undefined) logToStderr(env, ctx, message);
    else out.write(message);
    finish(1);
    return null;
  }
  return finish;
}

/** Follows the recorder contract (see android/recorder): READY, wait, `<out>.part` renamed to `<out>`, DONE. */
function fakeRecorder(args: string[], env: Record<string, string>, pid: number, out: ShellOutput, ctx: ShellContext): Promise<void> {
  const finish = startAppProcess(args, env, pid, out, ctx);
  if (finish === null) return Promise.resolve();
  const opts = new Map<string, string>();
  for (let i = 2; i < args.length; i += 2) opts.set(args[i], args[i + 1]);
  const seconds = Number(opts.get('--seconds'));
  const rate = Number(opts.get('--rate'));
  const target = opts.get('--out');
  if (!(seconds > 0 && seconds <= 60) || !(Number.isInteger(rate) && rate >= 8000 && rate <= 48000) || !target || opts.size !== 3) {
    finish(EXIT_CODES.BAD_ARGS, 'ERROR BAD_ARGS usage: --seconds S --rate R --out PATH');
    return Promise.resolve();
  }
  if (Number(ctx.props['ro.build.version.sdk']) < 30) {
    finish(EXIT_CODES.UNSUPPORTED_ANDROID, 'ERROR UNSUPPORTED_ANDROID Android 11 (SDK 30) or newer is needed');
    return Promise.resolve();
  }
  return recordAsync(target, seconds, rate, env, pid, out, ctx, finish);
}

async function recordAsync(target: string, seconds: number, rate: number, env: Record<string, string>, pid: number, out: ShellOutput, ctx: ShellContext,
  finish: (code: number, line?: string) => void): Promise<void> {
  const noisy = ctx.recorder === 'noisy' || ctx.recorder.startsWith('noisy-error:');
  out.write(`${SIM_WORKAROUNDS}\n`);
  if (noisy) await vendorNoise(out);
  const failWith = /^(?:noisy-)?error:(.+)$/.exec(ctx.recorder)?.[1];
  if (failWith !== undefined) {
    logToStderr(env, ctx, `W/dlaudio: simulated ${failWith}\n`);
    finish(EXIT_CODES[failWith] ?? 1, `ERROR ${failWith} simulated failure`);
    return;
  }
  const part = `${target}.part`;
  const signal: SimSignal = ctx.recorder === 'silent' || ctx.recorder === 'clipped' ? ctx.recorder : 'sine';
  const wav = simulatedWav(seconds, rate, signal);
  const now = () => Math.floor(Date.now() / 1000);
  ctx.fs.set(part, { data: wav.subarray(0, 44), mode: 0o100644, mtime: now() });
  if (noisy) {
    out.write('RE');
    await pause(60);
    out.write('ADY\n');
  } else {
    out.write('READY\n');
  }
  await new Promise<void>((resolve) => {
    // A killed process leaves its .part behind, like a real one would.
    ctx.killers.set(pid, () => { clearTimeout(timer); resolve(); });
    // 'hang': READY and then nothing, until killed.
    const timer = ctx.recorder === 'hang' ? undefined : setTimeout(() => {
      if (ctx.recorder === 'die') {
        logToStderr(env, ctx, 'java.lang.IllegalStateException: simulated death of the audio server\n\tat android.media.AudioRecord.native_read_in_short_array(Native Method)\n');
        finish(1);
        resolve();
        return;
      }
      ctx.fs.delete(part);
      ctx.fs.set(target, { data: wav, mode: 0o100644, mtime: now() });
      if (noisy) {
        out.write('I/VivoAudio: capture stopped\nDO');
        setTimeout(() => { finish(0, `NE ${(wav.length - 44) / 2}`); resolve(); }, 60);
        return;
      }
      finish(0, `DONE ${(wav.length - 44) / 2}`);
      resolve();
    }, seconds * 1000 * ctx.timeScale);
  }).finally(() => ctx.killers.delete(pid));
}

/** Why `wav` is not what the CLI must push (encodeWav16's 44-byte PCM mono 16-bit header), or undefined. */
function wavProblem(wav: Buffer): string | undefined {
  if (wav.length < 44 || wav.toString('latin1', 0, 4) !== 'RIFF' || wav.toString('latin1', 8, 16) !== 'WAVEfmt ' || wav.toString('latin1', 36, 40) !== 'data') {
    return 'not a 44-byte-header RIFF/WAVE file';
  }
  const rate = wav.readUInt32LE(24);
  if (wav.readUInt32LE(4) !== wav.length - 8 || wav.readUInt32LE(16) !== 16 || wav.readUInt16LE(20) !== 1 || wav.readUInt16LE(22) !== 1 ||
      wav.readUInt32LE(28) !== rate * 2 || wav.readUInt16LE(32) !== 2 || wav.readUInt16LE(34) !== 16) {
    return 'header is not PCM mono 16-bit';
  }
  if (rate < 4000 || rate > 192000) return `sample rate ${rate}`;
  const data = wav.readUInt32LE(40);
  if (data !== wav.length - 44 || data === 0 || data % 2 !== 0) return `data size ${data} for ${wav.length - 44} bytes`;
  return undefined;
}

/**
 * The recorder's play mode (docs/recorder.md): `play --in PATH` exactly, the file as the CLI
 * writes it, then READY, the clip's duration (× timeScale), DONE <samples>. The CLI never has
 * a reason to send anything else, so other arguments or a malformed file are also shell errors.
 */
function fakePlayer(args: string[], env: Record<string, string>, pid: number, out: ShellOutput, ctx: ShellContext): Promise<void> {
  const finish = startAppProcess(args, env, pid, out, ctx);
  if (finish === null) return Promise.resolve();
  if (args.length !== 5 || args[3] !== '--in' || !args[4]) {
    ctx.shellErrors.push(`player arguments not in the contract: ${args.slice(2).join(' ')}`);
    finish(EXIT_CODES.BAD_ARGS, 'ERROR BAD_ARGS usage: play --in PATH');
    return Promise.resolve();
  }
  if (Number(ctx.props['ro.build.version.sdk']) < 23) {
    finish(EXIT_CODES.UNSUPPORTED_ANDROID, 'ERROR UNSUPPORTED_ANDROID Android 6 (SDK 23) or newer is needed');
    return Promise.resolve();
  }
  const path = args[4];
  const file = ctx.fs.get(path);
  if (!file) {
    ctx.shellErrors.push(`player started on a missing file ${path}`);
    finish(EXIT_CODES.BAD_FILE, `ERROR BAD_FILE cannot read ${path}: ${path} (No such file or directory)`);
    return Promise.resolve();
  }
  const problem = wavProblem(file.data);
  if (problem) {
    ctx.shellErrors.push(`player given a WAV the CLI should not write (${problem}): ${path}`);
    finish(EXIT_CODES.BAD_FILE, `ERROR BAD_FILE ${path}: ${problem}`);
    return Promise.resolve();
  }
  ctx.played.push(Buffer.from(file.data));
  const samples = (file.data.length - 44) / 2;
  const rate = file.data.readUInt32LE(24);
  const code = ctx.player.startsWith('error:') ? ctx.player.slice('error:'.length) : undefined;
  if (code !== undefined && code !== 'PLAY_ERROR') {
    finish(EXIT_CODES[code] ?? 1, `ERROR ${code} simulated failure`);
    return Promise.resolve();
  }
  out.write('READY\n');
  return new Promise<void>((resolve) => {
    ctx.killers.set(pid, () => { clearTimeout(timer); resolve(); });
    const timer = ctx.player === 'hang' ? undefined : setTimeout(() => {
      if (code !== undefined) finish(EXIT_CODES[code], `ERROR ${code} simulated failure after ${Math.floor(samples / 2)} of ${samples} samples`);
      else finish(0, `DONE ${samples}`);
      resolve();
    }, (code !== undefined ? 0.5 : 1) * (samples / rate) * 1000 * ctx.timeScale);
  }).finally(() => ctx.killers.delete(pid));
}

/** Stream mode's block: 20 ms of sound. */
const STREAM_BLOCK_MS = 20;

/**
 * The recorder's stream mode (docs/recorder.md): `stream --rate R --socket NAME --log PATH` exactly,
 * LISTENING, one client on `localabstract:NAME`, then READY and `streamSample(i)` without end, in
 * 20 ms blocks at `streamSpeed` × real time. Like the real one it keeps at most 1 s of sound
 * unsent (here: bytes the host has not acknowledged), drops whole blocks beyond that and says
 * `OVERRUN <total>` when the host reads again; it stops by itself when the client goes (host
 * closed the stream, transport dropped), removing its log, and after 10 s without a client.
 * Behaviours: `error:AUDIO_INIT` after the client came; `error:READ_ERROR` and 'die' after 0.25 s of sound;
 * 'overrun': a phone too busy to send, which drops the second second of sound (50 blocks); 'hang': a JVM
 * that never gets to LISTENING, until killed.
 */
function fakeStreamer(args: string[], env: Record<string, string>, pid: number, out: ShellOutput, ctx: ShellContext): Promise<void> {
  const finish = startAppProcess(args, env, pid, out, ctx);
  if (finish === null) return Promise.resolve();
  const opts = new Map<string, string>();
  for (let i = 3; i < args.length; i += 2) opts.set(args[i], args[i + 1]);
  const rate = Number(opts.get('--rate'));
  const name = opts.get('--socket');
  const log = opts.get('--log');
  if (args.length !== 9 || !(Number.isInteger(rate) && rate >= 8000 && rate <= 48000) || !name || !log) {
    ctx.shellErrors.push(`stream arguments not in the contract: ${args.slice(2).join(' ')}`);
    finish(EXIT_CODES.BAD_ARGS, 'ERROR BAD_ARGS usage: stream --rate R --socket NAME --log PATH');
    return Promise.resolve();
  }
  if (Number(ctx.props['ro.build.version.sdk']) < 30) {
    finish(EXIT_CODES.UNSUPPORTED_ANDROID, 'ERROR UNSUPPORTED_ANDROID Android 11 (SDK 30) or newer is needed');
    return Promise.resolve();
  }
  if (ctx.abstractSockets.has(name)) {
    finish(EXIT_CODES.SOCKET_ERROR, `ERROR SOCKET_ERROR cannot listen on the socket ${name}: java.io.IOException: Address already in use`);
    return Promise.resolve();
  }
  const proc = ctx.processes.find((p) => p.pid === pid) as SimProcess;
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let client: SimLocalSocket | undefined;
    const stop = (code?: number, line?: string) => {
      clearTimeout(timer);
      ctx.abstractSockets.delete(name);
      if (proc.micOpen) { proc.micOpen = false; proc.micReleasedAt = performance.now(); }
      if (code !== undefined) finish(code, line);
      client?.close();
      ctx.killers.delete(pid);
      resolve();
    };
    ctx.killers.set(pid, () => stop());
    if (ctx.recorder === 'hang') return;
    timer = setTimeout(() => {
      ctx.fs.delete(log);
      stop(EXIT_CODES.NO_CLIENT, 'ERROR NO_CLIENT nobody connected to the socket within 10 s');
    }, 10_000 * ctx.timeScale);
    ctx.abstractSockets.set(name, (socket) => {
      ctx.abstractSockets.delete(name);
      clearTimeout(timer);
      client = socket;
      let given = 0;
      socket.onClose(() => {
        // EPIPE on the next write: the microphone is released, the log removed, DONE to nobody.
        if (proc.state !== 'running') return;
        ctx.fs.delete(log);
        stop(0, `DONE ${given}`);
      });
      out.write(`${SIM_WORKAROUNDS}\n`);
      const failWith = /^error:(.+)$/.exec(ctx.recorder)?.[1];
      if (failWith === 'AUDIO_INIT') { stop(EXIT_CODES.AUDIO_INIT, 'ERROR AUDIO_INIT cannot record from the microphone: simulated failure'); return; }
      proc.micOpen = true;
      out.write('READY\n');
      const block = Math.round((rate * STREAM_BLOCK_MS) / 1000);
      const maxQueued = rate * 2; // one second of 16-bit samples
      const started = performance.now();
      proc.streamStartedAt = started;
      let dropped = 0;
      let dropping = false;
      const tick = () => {
        if (proc.state !== 'running') return;
        // Every block due by now at streamSpeed × real time (a late timer catches up, as a mic's buffer would).
        const due = Math.floor(((performance.now() - started) / 1000) * rate * ctx.streamSpeed / block) * block;
        while (given < due && proc.state === 'running') {
          if (failWith !== undefined || ctx.recorder === 'die') {
            if (given >= rate / 4) {
              if (ctx.recorder === 'die') { logToStderr(env, ctx, 'java.lang.IllegalStateException: simulated death of the audio server\n'); stop(1); return; }
              stop(EXIT_CODES[failWith as string] ?? 1, `ERROR ${failWith} AudioRecord.read returned -3 after ${given} samples`);
              return;
            }
          }
          const data = Buffer.alloc(block * 2);
          // 'silent': what Android 12+ gives when the Microphone access toggle is off (zeros, no error).
          if (ctx.recorder !== 'silent') for (let i = 0; i < block; i++) data.writeInt16LE(streamSample(given + i), 2 * i);
          given += block;
          const busy = ctx.recorder === 'overrun' && given > rate && given <= 2 * rate;
          if (busy || socket.queuedBytes() + data.length > maxQueued) {
            dropped += block;
            dropping = true;
            const ranges = (proc.droppedRanges ??= []);
            const last = ranges.at(-1);
            if (last && last[1] === given - block) last[1] = given; else ranges.push([given - block, given]);
            continue;
          }
          if (dropping) { dropping = false; out.write(`OVERRUN ${dropped}\n`); }
          socket.write(data);
        }
        timer = setTimeout(tick, Math.max(1, STREAM_BLOCK_MS / Math.max(1, ctx.streamSpeed)));
      };
      tick();
    });
    out.write('LISTENING\n');
  });
}
