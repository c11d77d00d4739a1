/**
 * openPhoneStream (src/device/live-stream.ts) end to end: adbkit → the real adb server (Debian
 * package adb) → the simulated phone's shell and `localabstract:` socket, where the fake recorder's
 * stream mode captures streamSample(i) without end. The samples must arrive byte-exact, and
 * whatever ends the stream (close(), a dropped link, Ctrl-C) must leave the phone's microphone
 * released, no process running and nothing in /data/local/tmp but the recorder.
 */
import { describe, it, expect, afterEach, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { adbMissingReason, startAdbServer } from './sim/adb-server.js';
import { startSimulatedDevice, type SimDevice, type SimDeviceOptions } from './sim/device.js';
import type { SimProcess } from './sim/shell.js';
import { usePhoneLab } from './sim/lab.js';
import { streamSample } from './sim/signal.js';
import adbkit from '@devicefarmer/adbkit';
import { openPhoneStream, streamCommand, type PhoneStream } from '../src/device/live-stream.js';
import { commandLinePattern } from '../src/device/remote-cleanup.js';
import { UserError } from '../src/errors.js';
import type { Io } from '../src/util/output.js';

// adbkit in-process, as Node gives it to the shipped code: its default import is module.exports
// (vitest's interop would hand out exports.default, the Adb class, instead).
vi.mock('@devicefarmer/adbkit', async () => {
  const { createRequire } = await import('node:module');
  const adbkit = createRequire(import.meta.url)('@devicefarmer/adbkit') as Record<string, unknown>;
  return { ...adbkit, default: adbkit };
});

const skipReason = adbMissingReason();
const REMOTE_DEX = '/data/local/tmp/dlaudio-recorder.dex';
const DEX = fileURLToPath(new URL('../android/recorder/dlaudio-recorder.dex', import.meta.url));
const DRIVER = fileURLToPath(new URL('./sim/stream-levels.mjs', import.meta.url));

function quietIo(): Io & { text(): string } {
  let text = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { text += chunk.toString(); cb(); } });
  return { out: sink as unknown as NodeJS.WriteStream, err: sink as unknown as NodeJS.WriteStream, interactive: false, color: false, verbose: false, text: () => text };
}

const until = async (cond: () => boolean, what: string, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

const streamer = (d: SimDevice): SimProcess | undefined => d.processes.find((p) => p.argv[3] === 'stream');
/** The phone after a session: the recorder stopped, the mic free, only the recorder left in /data/local/tmp. */
async function expectPhoneClean(d: SimDevice): Promise<void> {
  await until(() => streamer(d)?.state !== 'running', 'the recorder to stop');
  const p = streamer(d) as SimProcess;
  expect(p.micOpen ?? false).toBe(false);
  expect([...d.fs.keys()]).toEqual([REMOTE_DEX]);
  expect(d.processes.filter((x) => x.state === 'running')).toEqual([]);
}

/** Reads the stream in the background as `live` would, once a first block came; `reading` settles when blocks() ends. */
async function readInBackground(s: PhoneStream): Promise<{ reading: Promise<void> }> {
  let n = 0;
  const reading = (async () => { for await (const block of s.blocks()) n += block.length; })();
  await until(() => n > 0, 'a first block');
  return { reading };
}

/** Reads until `samples` samples came, checking each against the fake microphone. */
async function readExact(stream: PhoneStream, samples: number): Promise<{ values: Set<number>; firstAt: number; lastAt: number }> {
  const values = new Set<number>();
  let i = 0;
  let firstAt = 0;
  let lastAt = 0;
  for await (const block of stream.blocks()) {
    if (!firstAt) firstAt = performance.now();
    for (const v of block) {
      if (v !== streamSample(i)) expect.fail(`sample ${i}: got ${v}, the phone captured ${streamSample(i)}`);
      values.add(v);
      i++;
    }
    lastAt = performance.now();
    if (i >= samples) break;
  }
  return { values, firstAt, lastAt };
}

describe('the stream command line', () => {
  it('is the contract\'s, and the clean-up\'s pkill pattern (a Ctrl-C before the PID line) finds it and only it', () => {
    const cmd = streamCommand('dlaudio-0123456789ab', '/data/local/tmp/dlaudio-0123456789ab.stream');
    expect(cmd).toBe("echo PID $$; CLASSPATH='/data/local/tmp/dlaudio-recorder.dex' exec app_process / dlaudio.Recorder stream --rate 16000 " +
      "--socket dlaudio-0123456789ab --log '/data/local/tmp/dlaudio-0123456789ab.stream.log' 2>'/data/local/tmp/dlaudio-0123456789ab.stream.log'");
    const pattern = new RegExp(commandLinePattern('/data/local/tmp/dlaudio-0123456789ab.stream'));
    const argv = 'app_process / dlaudio.Recorder stream --rate 16000 --socket dlaudio-0123456789ab --log /data/local/tmp/dlaudio-0123456789ab.stream.log';
    expect(pattern.test(argv)).toBe(true);
    expect(pattern.test(argv.replaceAll('0123456789ab', '0123456789ac'))).toBe(false);
    expect(pattern.test(`pkill -f '${commandLinePattern('/data/local/tmp/dlaudio-0123456789ab.stream')}'`)).toBe(false);
  });
});

describe.skipIf(skipReason !== undefined)(`openPhoneStream against a simulated phone${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const lab = usePhoneLab();
  let stream: PhoneStream | undefined;
  afterEach(async () => {
    await stream?.close();
    stream = undefined;
    // Failures write their diagnostics report in the current folder, as for a student.
    for (const f of readdirSync(process.cwd())) if (/^dlaudio-report-127\.0\.0\.1_\d+\.txt$/.test(f)) rmSync(f, { force: true });
  });

  const open = (d: SimDevice, io: Io = quietIo()) => openPhoneStream({ serial: d.serial, adbPort: lab.server.port, io });
  async function phone(opts: SimDeviceOptions = {}): Promise<SimDevice> {
    return lab.phone(opts);
  }

  it('every one of the 65 536 sample values arrives byte-exact; close() stops the recorder and leaves nothing on the phone', async () => {
    const d = await phone({ streamSpeed: 20 });
    stream = await open(d);
    expect(stream.sampleRate).toBe(16000);
    expect(stream.label).toBe(`Pixel 7 (${d.serial})`);
    const started = performance.now();
    const { values, lastAt } = await readExact(stream, 100_000);
    expect(values.size).toBe(65_536);
    const p = streamer(d) as SimProcess;
    expect(p.argv.slice(2)).toEqual(['dlaudio.Recorder', 'stream', '--rate', '16000', '--socket', expect.stringMatching(/^dlaudio-[0-9a-f]{12}$/),
      '--log', expect.stringMatching(/^\/data\/local\/tmp\/dlaudio-[0-9a-f]{12}\.stream\.log$/)]);
    expect(p.micOpen).toBe(true);
    const closedAt = performance.now();
    await stream.close();
    await stream.close(); // twice is fine
    await expectPhoneClean(d);
    console.log(`stream at 20× real time: ${(100_000 * 2 / 1024 / ((lastAt - started) / 1000)).toFixed(0)} KiB/s received; ` +
      `mic released ${((p.micReleasedAt ?? NaN) - closedAt).toFixed(0)} ms after close()`);
  });

  it('at the real rate: latency from a sample captured on the phone to its block in blocks() (measured, printed)', async () => {
    const d = await phone({ streamSpeed: 1 });
    stream = await open(d);
    const delays: number[] = [];
    let i = 0;
    for await (const block of stream.blocks()) {
      const p = streamer(d) as SimProcess;
      i += block.length;
      // The block's last sample was captured at streamStartedAt + i / 16 kHz (its end: a whole 20 ms block).
      delays.push(performance.now() - ((p.streamStartedAt as number) + (i * 1000) / 16000));
      if (i >= 16000) break;
    }
    delays.sort((a, b) => a - b);
    expect(i).toBeGreaterThanOrEqual(16000);
    console.log(`stream latency (capture of a block's last sample → blocks()), 1 s at real rate: median ${delays[delays.length >> 1].toFixed(1)} ms, max ${delays[delays.length - 1].toFixed(1)} ms`);
  });

  it('close() while blocks() waits: the iteration ends without error', async () => {
    const d = await phone({ streamSpeed: 1 });
    stream = await open(d);
    const s = stream;
    const { reading } = await readInBackground(s);
    await s.close();
    await expect(reading).resolves.toBeUndefined();
    await expectPhoneClean(d);
  });

  it('the caller\'s AbortSignal (its own Ctrl-C handling): aborting ends blocks() without error and cleans the phone', async () => {
    const d = await phone({ streamSpeed: 1 });
    const abort = new AbortController();
    const handlers = process.listenerCount('SIGINT');
    stream = await openPhoneStream({ serial: d.serial, adbPort: lab.server.port, io: quietIo(), signal: abort.signal });
    expect(process.listenerCount('SIGINT'), 'no SIGINT handler of its own').toBe(handlers);
    const { reading } = await readInBackground(stream);
    abort.abort(new Error('the caller stops'));
    await expect(reading).resolves.toBeUndefined();
    await expectPhoneClean(d);
  });

  it('a consumer slower than the stream: reading pauses (backpressure), what waits in this process stays bounded; the phone drops only whole blocks, all counted', async () => {
    const d = await phone({ streamSpeed: 20 });
    stream = await open(d);
    const s = stream;
    const it = s.blocks()[Symbol.asyncIterator]();
    const got: number[] = [];
    const take = async () => { const r = await it.next(); if (!r.done) got.push(...r.value); };
    await take();
    // 3 s not reading, at 20× real time: 960 000 samples (1.9 MB) are captured meanwhile.
    let maxBuffered = 0;
    const stallEnd = Date.now() + 3000;
    while (Date.now() < stallEnd) {
      maxBuffered = Math.max(maxBuffered, s.bufferedBytes());
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(maxBuffered).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThanOrEqual(128 * 1024);
    while (got.length < 1_200_000) await take();
    await it.return?.(undefined);
    // What the phone captured minus what it says it dropped, in order, is exactly what arrived.
    const p = streamer(d) as SimProcess;
    const ranges = [...(p.droppedRanges ?? [])];
    let index = 0;
    for (let k = 0; k < got.length; k++, index++) {
      while (ranges.length && index >= ranges[0][0]) { index = Math.max(index, ranges[0][1]); ranges.shift(); }
      if (got[k] !== streamSample(index)) expect.fail(`sample ${k} is not the phone's sample ${index}`);
    }
    const droppedBefore = (p.droppedRanges ?? []).filter(([, end]) => end <= index).reduce((n, [a, b]) => n + b - a, 0);
    expect(droppedBefore % 320).toBe(0);
    if (droppedBefore > 0) await until(() => s.droppedSamples() >= droppedBefore, 'the OVERRUN line');
    console.log(`slow consumer: at most ${(maxBuffered / 1024).toFixed(0)} KiB waited in the process during a 3 s stall at 20× real time; ` +
      `the phone dropped ${droppedBefore} samples (the adb server and the kernel's socket buffers took the rest)`);
    await s.close();
    await expectPhoneClean(d);
  });

  it('a phone that drops sound (OVERRUN): whole 20 ms blocks are missing, droppedSamples() says how many', async () => {
    const d = await phone({ streamSpeed: 20, recorder: 'overrun' });
    stream = await open(d);
    const s = stream;
    const samples: number[] = [];
    for await (const block of s.blocks()) {
      samples.push(...block);
      if (samples.length >= 48_000) break;
    }
    await until(() => s.droppedSamples() > 0, 'the OVERRUN line');
    expect(s.droppedSamples()).toBe(16_000);
    const jumps: number[] = [];
    for (let k = 1; k < samples.length; k++) if (((samples[k] - samples[k - 1]) & 0xffff) !== 997) jumps.push(k);
    expect(jumps).toEqual([16_000]);
    expect(samples[16_000]).toBe(streamSample(32_000));
    await s.close();
    await expectPhoneClean(d);
  });

  it('the phone unplugged (transport dropped) while streaming: the recorder stops by itself and removes its log; blocks() says what to do', async () => {
    const d = await phone({ streamSpeed: 1 });
    stream = await open(d);
    const s = stream;
    const { reading } = await readInBackground(s);
    const droppedAt = performance.now();
    d.unplug();
    const e = await reading.then(() => undefined, (x: unknown) => x);
    expect(e, String(e)).toBeInstanceOf(UserError);
    expect((e as Error).message).toMatch(/Pixel 7 \(127\.0\.0\.1:\d+\)|127\.0\.0\.1:\d+/);
    expect((e as Error).message).toMatch(/check that the phone and this computer are on the same Wi-Fi|check the USB cable/);
    await expectPhoneClean(d);
    const p = streamer(d) as SimProcess;
    expect(p.state).toBe('exited');
    console.log(`transport dropped: mic released ${((p.micReleasedAt ?? NaN) - droppedAt).toFixed(0)} ms later`);
  });

  it('the adb server killed while streaming: the recorder stops by itself, nothing left on the phone', async () => {
    const server = await startAdbServer();
    const d = await startSimulatedDevice({ streamSpeed: 1, timeScale: 0.05 });
    try {
      await server.connect(d.port);
      const s = await openPhoneStream({ serial: d.serial, adbPort: server.port, io: quietIo() });
      const { reading } = await readInBackground(s);
      await server.stop();
      const e = await reading.then(() => undefined, (x: unknown) => x);
      expect(e, String(e)).toBeInstanceOf(UserError);
      await s.close();
      await expectPhoneClean(d);
      expect(d.shellErrors).toEqual([]);
    } finally {
      await server.stop();
      await d.close();
    }
  });

  it('Ctrl-C in a program reading the stream: it exits 130 and the phone is left clean', async () => {
    const d = await phone({ streamSpeed: 1 });
    const child = spawn(process.execPath, [DRIVER, d.serial], { env: lab.server.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    await until(() => stdout.includes('samples, peak'), `a level line (stderr: ${stderr})`);
    expect(stdout).toMatch(/^16000 samples, peak \d+, rms -4\.\d dBFS, dropped 0$/m);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('dlaudio: interrupted: the stream was stopped on the phone');
    await expectPhoneClean(d);
  });

  it('dlaudio gone before it connected (killed at the worst moment): the recorder gives up after 10 s by itself, removes its log', async () => {
    const d = await phone(); // time ×0.05: the 10 s are 0.5 s here
    d.fs.set(REMOTE_DEX, { data: readFileSync(DEX), mode: 0o100644, mtime: Math.floor(Date.now() / 1000) });
    const device = adbkit.Adb.createClient({ port: lab.server.port }).getDevice(d.serial);
    const shell = await device.shell(streamCommand('dlaudio-0123456789ab', '/data/local/tmp/dlaudio-0123456789ab.stream'));
    const said = (await adbkit.Adb.util.readAll(shell)).toString();
    expect(said).toMatch(/^PID \d+\nLISTENING\nERROR NO_CLIENT nobody connected to the socket within 10 s\n$/);
    await expectPhoneClean(d);
    expect(streamer(d)?.exitCode).toBe(11);
  });

  it('Ctrl-C while the recorder starts (before LISTENING): exit 130, the recorder killed by its pid, nothing left', async () => {
    const d = await phone({ recorder: 'hang' });
    const child = spawn(process.execPath, [DRIVER, d.serial], { env: lab.server.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    await until(() => streamer(d)?.state === 'running', 'the recorder to start');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/^dlaudio: interrupted: the stream was stopped on the phone$/m);
    await expectPhoneClean(d);
    expect(streamer(d)?.state).toBe('killed');
    expect(d.commands.at(-1)).toMatch(/^kill \d+ 2>\/dev\/null; rm -f /);
  });

  it.for<[string, SimDeviceOptions, RegExp]>([
    ['the microphone busy', { recorder: 'error:AUDIO_INIT' }, /^the microphone of Pixel 7 \(127\.0\.0\.1:\d+\) could not be opened \(cannot record from the microphone: simulated failure\): close apps .*; details in dlaudio-report-/],
    ['adbd refusing the socket', { refuseSockets: true }, /^Pixel 7 \(127\.0\.0\.1:\d+\) refused the connection to the recorder's stream \(adb said: 'closed'\): update adb/],
    ['Android 10', { sdk: 29 }, /^Pixel 7 \(127\.0\.0\.1:\d+\) runs Android 10 \(API 29\): recording from the computer needs Android 11 or newer/],
  ])('%s: openPhoneStream refuses with the next step, nothing left on the phone', async ([, opts, message]) => {
    const d = await phone(opts);
    const e = await open(d).then(() => undefined, (x: unknown) => x);
    expect(e, String(e)).toBeInstanceOf(UserError);
    expect((e as Error).message).toMatch(message);
    expect([...d.fs.keys()].filter((k) => k !== REMOTE_DEX)).toEqual([]);
    expect(d.processes.filter((x) => x.state === 'running')).toEqual([]);
  });

  it.for<[string, SimDeviceOptions, RegExp]>([
    ['READ_ERROR', { recorder: 'error:READ_ERROR' }, /^Pixel 7 \(127\.0\.0\.1:\d+\) stopped delivering sound while recording \(AudioRecord\.read returned -3 after 4160 samples\): run again; if it persists, restart the phone; details in dlaudio-report-127\.0\.0\.1_\d+\.txt/],
    ['the recorder dying', { recorder: 'die' }, /^the recorder on Pixel 7 \(127\.0\.0\.1:\d+\) stopped before finishing: check that the phone and this computer are on the same Wi-Fi .*; details in dlaudio-report-/],
  ])('%s mid-stream: blocks() throws the next step after the exact samples, nothing left on the phone', async ([, opts, message]) => {
    const d = await phone({ streamSpeed: 1, ...opts });
    stream = await open(d);
    let i = 0;
    const e = await (async () => {
      for await (const block of (stream as PhoneStream).blocks()) for (const v of block) expect(v).toBe(streamSample(i++));
    })().then(() => undefined, (x: unknown) => x);
    expect(e, String(e)).toBeInstanceOf(UserError);
    expect((e as Error).message).toMatch(message);
    expect(i).toBe(4160); // 13 blocks of 20 ms: the first block boundary past 0.25 s
    await expectPhoneClean(d);
  });
});
