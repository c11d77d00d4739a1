/**
 * The on-device recorder (android/recorder/dlaudio-recorder.dex), tested without a phone:
 * - the committed .dex is exactly what the smali sources build into, and dexdump accepts it;
 * - its real bytecode, translated to JVM bytecode by enjarify, runs on the host JVM against
 *   the android.* stand-ins in test/recorder-stubs (a microphone playing a known waveform,
 *   a settable SDK level, a speaker that keeps what it is given, ...), and must follow
 *   docs/recorder.md: the WAV, the stdout lines, the exit statuses, no file left behind on
 *   failure; in play mode, the exact samples reaching the track and the wait for the last one;
 *   in stream mode, the exact samples on the socket, the stop when its client goes, whole blocks
 *   dropped for a client that does not read, and each error.
 * Needs Debian packages libsmali-java (smali), dexdump, enjarify, openjdk-17-jdk-headless.
 */
import { spawn, spawnSync } from 'node:child_process';
import { connect as netConnect, type Socket } from 'node:net';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const committedDex = join(root, 'android/recorder/dlaudio-recorder.dex');

/** Binary → the Debian package that provides it here (`dpkg -S`). */
const tools: Record<string, string> = {
  smali: 'libsmali-java',
  dexdump: 'dexdump',
  enjarify: 'enjarify',
  java: 'openjdk-17-jre-headless',
  javac: 'openjdk-17-jdk-headless',
};

function missingTools(): string | undefined {
  const missing = Object.keys(tools).filter((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0);
  if (missing.length === 0) return undefined;
  const reason = `missing ${missing.map((b) => `${b} (Debian package ${tools[b]})`).join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`${reason}: required in CI`);
  return reason;
}

const skipReason = missingTools();
function needTools(ctx: TestContext): void {
  if (skipReason) ctx.skip(skipReason);
}

function sh(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: env ?? process.env });
  if (r.error || r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`);
  }
  return r.stdout;
}

let tmp = '';
let classpath = '';
let fakeAm = ''; // a PATH dir whose `am` logs its arguments, as the device's would act
let lockedAm = ''; // a PATH dir whose `am` logs but fails: the shell never reaches the foreground
let amLog = '';

beforeAll(() => {
  if (skipReason) return;
  tmp = mkdtempSync(join(tmpdir(), 'dlaudio-recorder-'));
  const stubsSrc = join(root, 'test/recorder-stubs');
  const javaFiles: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.java')) javaFiles.push(join(dir, e.name));
    }
  };
  walk(stubsSrc);
  sh('javac', ['-d', join(tmp, 'stubs'), ...javaFiles]);
  // enjarify must find Debian's python3, not another one earlier on PATH.
  sh('enjarify', ['-o', join(tmp, 'recorder.jar'), committedDex], { ...process.env, PATH: `/usr/bin:${process.env.PATH ?? ''}` });
  classpath = `${join(tmp, 'recorder.jar')}:${join(tmp, 'stubs')}`;

  amLog = join(tmp, 'am.log');
  fakeAm = join(tmp, 'bin');
  lockedAm = join(tmp, 'locked-bin');
  mkdirSync(fakeAm);
  mkdirSync(lockedAm);
  writeFileSync(join(fakeAm, 'am'), `#!/bin/sh\necho "$*" >> '${amLog}'\n`);
  writeFileSync(join(lockedAm, 'am'), `#!/bin/sh\necho "(locked) $*" >> '${amLog}'\nexit 1\n`);
  chmodSync(join(fakeAm, 'am'), 0o755);
  chmodSync(join(lockedAm, 'am'), 0o755);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  /** The protocol lines, without the WORKAROUNDS line (kept in `workarounds`). */
  stdout: string;
  /** The WORKAROUNDS line's steps, or undefined when it was not printed. */
  workarounds: string | undefined;
  /** stderr lines that are not stub logs: what vendor code printed through System.out/err. */
  strange: string[];
  /** The stubs' `stub: ...` lines: what the recorder asked of the framework. */
  stub: string[];
  am: string[];
  out: string;
}

let runs = 0;
/** Runs dlaudio.Recorder; `out` defaults to a fresh path in an existing directory. */
function record(args: string[], knobs: Record<string, string | number> = {}, amDir = fakeAm, { jvm = [] as string[], noise = false } = {}): Run {
  const dir = join(tmp, `run-${++runs}`);
  mkdirSync(dir);
  const out = join(dir, 'rec.wav');
  const finalArgs = args.map((a) => (a === '@out' ? out : a));
  rmSync(amLog, { force: true });
  const props = Object.entries({ 'stub.amLog': amLog, ...knobs }).map(([k, v]) => `-D${k.startsWith('stub.') ? k : `stub.${k}`}=${v}`);
  const r = spawnSync('java', ['-Xshare:auto', '-XX:TieredStopAtLevel=1', ...jvm, '-cp', classpath, ...props, 'dlaudio.Recorder', ...finalArgs], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${amDir}:${process.env.PATH ?? ''}` },
    maxBuffer: 1 << 20,
  });
  if (r.error) throw r.error;
  const stub = r.stderr.split('\n').filter((l) => l.startsWith('stub: ')).map((l) => l.slice(6));
  const strange = r.stderr.split('\n').filter((l) => l && !l.startsWith('stub: '));
  if (!noise) expect(strange, 'nothing but stub logs on stderr (no stack trace)').toEqual([]);
  const am = existsSync(amLog) ? readFileSync(amLog, 'utf8').split('\n').filter(Boolean) : [];
  const lines = r.stdout.split('\n');
  const w = lines.find((l) => l.startsWith('WORKAROUNDS '));
  const stdout = lines.filter((l) => !l.startsWith('WORKAROUNDS ')).join('\n');
  return { status: r.status, stdout, workarounds: w?.slice('WORKAROUNDS '.length), strange, stub, am, out };
}

const sample = (i: number): number => ((i * 997) << 16) >> 16; // the stub mic's (short) (i * 997)

function expectNothingLeft(run: Run): void {
  expect(existsSync(run.out), `${run.out} must not exist`).toBe(false);
  expect(existsSync(`${run.out}.part`), `${run.out}.part must not exist`).toBe(false);
}

function expectWav(path: string, rate: number, samples: number): void {
  const b = readFileSync(path);
  expect(b.length).toBe(44 + 2 * samples);
  expect(b.toString('latin1', 0, 4)).toBe('RIFF');
  expect(b.readUInt32LE(4)).toBe(36 + 2 * samples);
  expect(b.toString('latin1', 8, 16)).toBe('WAVEfmt ');
  expect(b.readUInt32LE(16)).toBe(16);
  expect(b.readUInt16LE(20)).toBe(1); // PCM
  expect(b.readUInt16LE(22)).toBe(1); // mono
  expect(b.readUInt32LE(24)).toBe(rate);
  expect(b.readUInt32LE(28)).toBe(rate * 2);
  expect(b.readUInt16LE(32)).toBe(2);
  expect(b.readUInt16LE(34)).toBe(16);
  expect(b.toString('latin1', 36, 40)).toBe('data');
  expect(b.readUInt32LE(40)).toBe(2 * samples);
  for (let i = 0; i < samples; i++) {
    const got = b.readInt16LE(44 + 2 * i);
    if (got !== sample(i)) expect.fail(`sample ${i}: got ${got}, the microphone gave ${sample(i)}`);
  }
}

describe('recorder .dex', () => {
  it('is byte-identical to a rebuild of the smali sources (npm run build:recorder), and the build is reproducible', (ctx) => {
    needTools(ctx);
    const committed = readFileSync(committedDex);
    for (const name of ['rebuild-1.dex', 'rebuild-2.dex']) {
      sh('sh', [join(root, 'android/recorder/build.sh'), join(tmp, name)]);
      const rebuilt = readFileSync(join(tmp, name));
      expect(rebuilt.equals(committed), `${name} differs from the committed .dex: run npm run build:recorder and commit it`).toBe(true);
    }
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('is a well-formed dex (dexdump) holding dlaudio.Recorder.main', (ctx) => {
    needTools(ctx);
    expect(readFileSync(committedDex).subarray(0, 8).toString('latin1')).toBe('dex\n035\0');
    expect(sh('dexdump', ['-c', committedDex])).toContain('Checksum verified');
    const dump = sh('dexdump', [committedDex]);
    for (const cls of ['Recorder', 'Player', 'Streamer', 'ShellContext', 'Workarounds', 'Failure']) {
      expect(dump).toContain(`Class descriptor  : 'Ldlaudio/${cls};'`);
    }
    expect(dump).toMatch(/name\s+: 'main'\s+type\s+: '\(\[Ljava\/lang\/String;\)V'\s+access\s+: 0x0009 \(PUBLIC STATIC\)/);
  });
});

describe('recorder on the host JVM (enjarify + android.* stubs)', () => {
  it('Android 13: records seconds × rate samples of MIC, mono 16-bit, as the shell (com.android.shell, uid 2000)', (ctx) => {
    needTools(ctx);
    const run = record(['--seconds', '0.5', '--rate', '16000', '--out', '@out'], { sdk: 33 });
    expect(run.stdout).toBe('READY\nDONE 8000\n');
    expect(run.status).toBe(0);
    expectWav(run.out, 16000, 8000);
    expect(existsSync(`${run.out}.part`)).toBe(false);
    // The system context belongs to "android": only ShellContext's overrides make the stub mic accept.
    expect(run.stub).toEqual([
      'main looper prepared',
      'system context created, mSystemThread=true',
      // buffer: 1 s of audio (more than 8 × the stub's 1280-byte minimum)
      'build source=1 rate=16000 channelMask=16 encoding=2 buffer=32000 package=com.android.shell uid=2000',
      'startRecording state=3',
      'released after 8000 samples',
    ]);
    expect(run.am, 'no foreground trick after Android 11').toEqual([]);
  });

  it.for([31, 34, 36])('Android SDK %i without a system context: ShellContext alone satisfies AudioRecord', (sdk, ctx) => {
    needTools(ctx);
    const run = record(['--seconds', '0.2', '--rate', '16000', '--out', '@out'], { sdk, systemContext: 'fail' });
    expect(run.stdout).toBe('READY\nDONE 3200\n');
    expect(run.status).toBe(0);
    expectWav(run.out, 16000, 3200);
    expect(run.stub).toContain('build source=1 rate=16000 channelMask=16 encoding=2 buffer=32000 package=com.android.shell uid=2000');
  });

  it.for([
    [0.25, 44100],
    [0.3333, 22050],
    [1, 8000],
    [60, 48000],
  ])('writes round(%s s × %s Hz) samples', ([seconds, rate], ctx) => {
    needTools(ctx);
    const run = record(['--out', '@out', '--rate', String(rate), '--seconds', String(seconds)], { sdk: 31 });
    const n = Math.round(seconds * rate);
    expect(run.stdout).toBe(`READY\nDONE ${n}\n`);
    expect(run.status).toBe(0);
    expectWav(run.out, rate, n);
  });

  it('Android 11: brings com.android.shell to the foreground while recording starts, retrying until it may', (ctx) => {
    needTools(ctx);
    const run = record(['--seconds', '0.1', '--rate', '16000', '--out', '@out'], { sdk: 30, failFirst: 2 });
    expect(run.stdout).toBe('READY\nDONE 1600\n');
    expect(run.status).toBe(0);
    expectWav(run.out, 16000, 1600);
    expect(run.am).toEqual([
      'start -a android.intent.action.MAIN -c android.intent.category.LAUNCHER -n com.android.shell/.HeapDumpActivity',
      'force-stop com.android.shell',
    ]);
    // On 11 the package comes from ActivityThread's Application: the stub reads it there.
    const builds = run.stub.filter((l) => l.startsWith('build '));
    expect(builds).toHaveLength(3);
    for (const b of builds) expect(b).toContain('package=com.android.shell uid=2000');
  });

  it('Android 11, shell never in the foreground (phone locked): AUDIO_INIT after the retries, shell stopped', (ctx) => {
    needTools(ctx);
    const run = record(['--seconds', '1', '--rate', '16000', '--out', '@out'], { sdk: 30 }, lockedAm);
    expect(run.stdout).toMatch(/^ERROR AUDIO_INIT .*is the phone unlocked.*\(shell not in foreground\)\n$/);
    expect(run.status).toBe(4);
    expect(run.stub.filter((l) => l.startsWith('build '))).toHaveLength(10);
    expect(run.am).toEqual([
      '(locked) start -a android.intent.action.MAIN -c android.intent.category.LAUNCHER -n com.android.shell/.HeapDumpActivity',
      '(locked) force-stop com.android.shell',
    ]);
    expectNothingLeft(run);
  });

  it.for([29, 23])('Android SDK %i: UNSUPPORTED_ANDROID before touching the microphone or the output', (sdk, ctx) => {
    needTools(ctx);
    const run = record(['--seconds', '1', '--rate', '16000', '--out', '@out'], { sdk });
    expect(run.stdout).toBe(
      `ERROR UNSUPPORTED_ANDROID Android SDK ${sdk} cannot record the microphone from adb shell: Android 11 (SDK 30) or newer is needed\n`,
    );
    expect(run.status).toBe(3);
    expect(run.stub).toEqual([]);
    expect(run.am).toEqual([]);
    expectNothingLeft(run);
  });

  const ok = ['--seconds', '1', '--rate', '16000', '--out', '@out'];
  it.for<[string, string[]]>([
    ['no arguments', []],
    ['no --out', ['--seconds', '1', '--rate', '16000']],
    ['empty --out', ['--seconds', '1', '--rate', '16000', '--out', '']],
    ['no --seconds', ['--rate', '16000', '--out', '@out']],
    ['no --rate', ['--seconds', '1', '--out', '@out']],
    ['--seconds 0', ['--seconds', '0', '--rate', '16000', '--out', '@out']],
    ['--seconds -1', ['--seconds', '-1', '--rate', '16000', '--out', '@out']],
    ['--seconds 60.5', ['--seconds', '60.5', '--rate', '16000', '--out', '@out']],
    ['--seconds abc', ['--seconds', 'abc', '--rate', '16000', '--out', '@out']],
    ['--seconds NaN', ['--seconds', 'NaN', '--rate', '16000', '--out', '@out']],
    ['--seconds too short for one sample', ['--seconds', '0.00001', '--rate', '8000', '--out', '@out']],
    ['--rate 7999', ['--seconds', '1', '--rate', '7999', '--out', '@out']],
    ['--rate 48001', ['--seconds', '1', '--rate', '48001', '--out', '@out']],
    ['--rate 16000.5', ['--seconds', '1', '--rate', '16000.5', '--out', '@out']],
    ['unknown argument', [...ok, '--gain', '2']],
    ['value missing at the end', [...ok, '--rate']],
  ])('BAD_ARGS: %s', ([, args], ctx) => {
    needTools(ctx);
    const run = record(args);
    expect(run.stdout).toMatch(/^ERROR BAD_ARGS \S[^\n]*\n$/);
    expect(run.status).toBe(2);
    expect(run.stub).toEqual([]);
    expectNothingLeft(run);
  });

  it('AUDIO_INIT: the microphone cannot be opened (busy or no permission)', (ctx) => {
    needTools(ctx);
    const run = record(['--seconds', '1', '--rate', '16000', '--out', '@out'], { mic: 'busy' });
    expect(run.stdout).toMatch(/^ERROR AUDIO_INIT cannot record from the microphone .*UnsupportedOperationException: Cannot create AudioRecord\n$/);
    expect(run.status).toBe(4);
    expectNothingLeft(run);
  });

  it('AUDIO_INIT: startRecording does not start; the AudioRecord is released', (ctx) => {
    needTools(ctx);
    const run = record(['--seconds', '1', '--rate', '16000', '--out', '@out'], { mic: 'nostart' });
    expect(run.stdout).toMatch(/^ERROR AUDIO_INIT .*startRecording\(\) did not start\n$/);
    expect(run.status).toBe(4);
    expect(run.stub).toContain('released after 0 samples');
    expectNothingLeft(run);
  });

  it('READ_ERROR: AudioRecord.read returns an error code mid-way; nothing is left behind', (ctx) => {
    needTools(ctx);
    const run = record(['--seconds', '0.5', '--rate', '16000', '--out', '@out'], { readErrorAt: 1000 });
    expect(run.stdout).toBe('READY\nERROR READ_ERROR AudioRecord.read returned -3 after 1000 of 8000 samples\n');
    expect(run.status).toBe(5);
    expect(run.stub).toContain('released after 1000 samples');
    expectNothingLeft(run);
  });

  it('WRITE_ERROR: unwritable --out fails before the microphone is opened', (ctx) => {
    needTools(ctx);
    const run = record(['--seconds', '1', '--rate', '16000', '--out', join(tmp, 'no-such-dir', 'rec.wav')]);
    expect(run.stdout).toMatch(/^ERROR WRITE_ERROR cannot write the recording: .*no-such-dir\/rec\.wav\.part[^\n]*\n$/);
    expect(run.status).toBe(6);
    expect(run.stub).toEqual([]);
    expect(existsSync(join(tmp, 'no-such-dir'))).toBe(false);
  });

  it('WRITE_ERROR: the finished recording cannot take its name; the .part is removed', (ctx) => {
    needTools(ctx);
    const dir = join(tmp, 'a-directory.wav');
    mkdirSync(dir);
    const run = record(['--seconds', '0.1', '--rate', '8000', '--out', dir]);
    expect(run.stdout).toBe(`READY\nERROR WRITE_ERROR cannot rename the recording to ${dir}\n`);
    expect(run.status).toBe(6);
    expect(run.stub).toContain('released after 800 samples');
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(existsSync(`${dir}.part`)).toBe(false);
  });
});

const ALL_OK = 'looper=ok activity-thread=ok configuration-controller=ok bound-application=ok system-context=ok initial-application=ok';

describe('recorder on real phones: scrcpy\'s workarounds, on the host JVM', () => {
  const take = ['--seconds', '0.1', '--rate', '16000', '--out', '@out'];

  it.for([30, 31, 33, 36])('SDK %i: every workaround runs and says so in one WORKAROUNDS line before READY', (sdk, ctx) => {
    needTools(ctx);
    const run = record(take, { sdk });
    expect(run.status).toBe(0);
    expect(run.workarounds).toBe(sdk >= 31 ? ALL_OK : ALL_OK.replace('configuration-controller=ok', 'configuration-controller=skipped'));
    expectWav(run.out, 16000, 1600);
  });

  it.for<[string, number]>([['honor', 31], ['vivo', 33], ['vivo', 30], ['settings', 33], ['settings', 30]])(
    '%s (SDK %i): vendor code that needs an Application, the bound app info and the shell\'s ContentResolver is satisfied', ([vendor, sdk], ctx) => {
      needTools(ctx);
      const run = record(take, { sdk, vendor });
      expect(run.stdout).toBe('READY\nDONE 1600\n');
      expect(run.status).toBe(0);
      expectWav(run.out, 16000, 1600);
      if (vendor === 'honor') expect(run.stub).toContain('honor startRecording package=17:com.android.shell');
      if (vendor === 'vivo') expect(run.stub).toContain('vivo opPackage=com.android.shell');
      if (vendor === 'settings') {
        // Through getContentProviderExternal (no caller app needed), as package com.android.shell.
        expect(run.stub).toContain('getContentProviderExternal settings user 0');
        expect(run.stub).toContain('settings read 1');
      }
    });

  it('Honor without the app binding (AppBindData cannot be built): the step says failed, AUDIO_INIT carries the NullPointerException', (ctx) => {
    needTools(ctx);
    const run = record(take, { sdk: 31, vendor: 'honor', appBindData: 'fail' });
    expect(run.workarounds).toBe(ALL_OK.replace('bound-application=ok', 'bound-application=failed(java.lang.UnsupportedOperationException)'));
    expect(run.stdout).toMatch(/^ERROR AUDIO_INIT cannot record from the microphone .*java\.lang\.NullPointerException/);
    expect(run.status).toBe(4);
    expectNothingLeft(run);
  });

  it('Samsung: the ConfigurationController is installed before the system context is asked for (12+); on 11 it does not exist', (ctx) => {
    needTools(ctx);
    const s12 = record(take, { sdk: 31, systemContext: 'samsung' });
    expect(s12.workarounds).toBe(ALL_OK);
    expect(s12.stub).toContain('system context created, mSystemThread=true');
    const s11 = record(take, { sdk: 30, systemContext: 'samsung' });
    expect(s11.workarounds).toBe(ALL_OK.replace('configuration-controller=ok', 'configuration-controller=skipped').replace('system-context=ok', 'system-context=failed(java.lang.NullPointerException)'));
    expect(s11.stdout).toBe('READY\nDONE 1600\n');
  });

  it('check (dlaudio doctor): loads, runs the workarounds, DONE 0, touches no audio', (ctx) => {
    needTools(ctx);
    const run = record(['check'], { sdk: 34 });
    expect(run.workarounds).toBe(ALL_OK);
    expect(run.stdout).toBe('DONE 0\n');
    expect(run.status).toBe(0);
    expect(run.stub.filter((l) => l.startsWith('build ') || l.startsWith('track '))).toEqual([]);
    const extra = record(['check', '--now']);
    expect(extra.stdout).toBe('ERROR BAD_ARGS check takes no arguments\n');
    expect(extra.status).toBe(2);
  });

  it('vendor noise on System.out and a stack trace on System.err go to stderr (the log), never into the protocol', (ctx) => {
    needTools(ctx);
    const run = record(take, { noise: 1 }, fakeAm, { noise: true });
    expect(run.stdout).toBe('READY\nDONE 1600\n');
    expect(run.status).toBe(0);
    expect(run.stub).toContain('vendor noise through System.out');
    expect(run.strange).toContain('READY');
    expect(run.strange).toContain('ERROR AUDIO_INIT fake');
    expect(run.strange).toContain("java.lang.RuntimeException: stub: a vendor's stack trace");
    expectWav(run.out, 16000, 1600);
  });

  it('reads returning 0 (WOULD_BLOCK, EINTR) are retried: the take is complete and exact', (ctx) => {
    needTools(ctx);
    const run = record(['--seconds', '0.5', '--rate', '16000', '--out', '@out'], { zeroReads: 6 });
    expect(run.stdout).toBe('READY\nDONE 8000\n');
    expect(run.status).toBe(0);
    expect(run.stub).toContain('released after 8000 samples and 6 empty reads');
    expectWav(run.out, 16000, 8000);
  });

  it('reads returning 0 for over a second: READ_ERROR, nothing left behind', (ctx) => {
    needTools(ctx);
    const run = record(take, { zeroReads: 100000 });
    expect(run.stdout).toBe('READY\nERROR READ_ERROR no audio for 1 s: AudioRecord.read returned 0 after 0 of 1600 samples\n');
    expect(run.status).toBe(5);
    const empty = Number(/and (\d+) empty reads/.exec(run.stub.join('\n'))?.[1]);
    expect(empty).toBeGreaterThanOrEqual(15); // 50 ms each: about a second
    expect(empty).toBeLessThan(40);
    expectNothingLeft(run);
  });

  it('an OutOfMemoryError while recording ends as ERROR INTERNAL with its class and message; the mic is released, no file left', (ctx) => {
    needTools(ctx);
    const run = record(take, { oom: 'read' });
    expect(run.stdout).toBe('READY\nERROR INTERNAL java.lang.OutOfMemoryError: stub: Failed to allocate a 65552 byte allocation\n');
    expect(run.status).toBe(9);
    expect(run.stub).toContain('released after 0 samples');
    expectNothingLeft(run);
  });
});

/** One RIFF chunk: id, little-endian size, body, and the pad byte after an odd-sized body. */
function chunk(id: string, body: Buffer, declaredSize = body.length): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(declaredSize, 4);
  return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
}

function fmtChunk({ format = 1, channels = 1, rate = 16000, bits = 16, size = 16 } = {}): Buffer {
  const b = Buffer.alloc(Math.max(size, 16));
  b.writeUInt16LE(format, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE((rate * channels * bits) / 8, 8);
  b.writeUInt16LE((channels * bits) / 8, 12);
  b.writeUInt16LE(bits, 14);
  return chunk('fmt ', b.subarray(0, size));
}

function pcm(samples: Int16Array): Buffer {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}

function riff(...chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...chunks]);
  return Buffer.concat([chunk('RIFF', body).subarray(0, 8), body]);
}

/** Full scale, both signs, odd: byte order and offsets show. */
function tone(n: number): Int16Array {
  const s = new Int16Array(n);
  for (let i = 0; i < n; i++) s[i] = ((i * 7919) << 16) >> 16;
  return s;
}

const wav16 = (samples: Int16Array, rate = 16000): Buffer => riff(fmtChunk({ rate }), chunk('data', pcm(samples)));

interface PlayRun extends Omit<Run, 'out'> {
  input: string;
  /** Every frame the stub track was written, or undefined when no track was released. */
  track: Int16Array | undefined;
  /** From the stub's release line. */
  releasedAtHead: number | undefined;
}

/** Runs `dlaudio.Recorder play --in <file holding wav>` (no file when wav is null). */
function play(wav: Buffer | null, knobs: Record<string, string | number> = {}, args?: (input: string) => string[]): PlayRun {
  const dir = join(tmp, `play-${++runs}`);
  mkdirSync(dir);
  const input = join(dir, 'in.wav');
  if (wav) writeFileSync(input, wav);
  const dump = join(dir, 'track.raw');
  const r = record(args ? args(input) : ['play', '--in', input], { trackDump: dump, ...knobs });
  let track: Int16Array | undefined;
  if (existsSync(dump)) {
    const b = readFileSync(dump);
    track = new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  }
  const released = r.stub.map((l) => /^released at head (\d+) /.exec(l)).find((m) => m);
  return { ...r, input, track, releasedAtHead: released ? Number(released[1]) : undefined };
}

/** The track got exactly the WAV's samples, then only silence (the padding that lets the tail play). */
function expectPlayed(run: PlayRun, samples: Int16Array, bufferFrames: number): void {
  expect(run.track, 'a track was written and released').toBeDefined();
  const t = run.track as Int16Array;
  expect(t.length).toBe(samples.length + bufferFrames);
  for (let i = 0; i < samples.length; i++) {
    if (t[i] !== samples[i]) expect.fail(`frame ${i}: the track got ${t[i]}, the WAV holds ${samples[i]}`);
  }
  expect(t.subarray(samples.length).every((v) => v === 0)).toBe(true);
  // Released only once the head had passed the last sample: the command does not return early.
  expect(run.releasedAtHead).toBeGreaterThanOrEqual(samples.length);
}

describe('player (recorder play mode) on the host JVM', () => {
  it('Android 13: plays every sample of a 16 kHz WAV on the media stream, waits for the last one, then releases', (ctx) => {
    needTools(ctx);
    const samples = tone(8000);
    const run = play(wav16(samples), { sdk: 33 });
    expect(run.stdout).toBe('READY\nDONE 8000\n');
    expect(run.status).toBe(0);
    // buffer: 100 ms (3200 bytes) beats twice the stub's 1280-byte minimum
    expect(run.stub.slice(0, 3)).toEqual([
      'main looper prepared',
      'track usage=1 content=1 rate=16000 channelMask=4 encoding=2 mode=1 buffer=3200',
      'play state=3',
    ]);
    expect(run.stub).toHaveLength(4);
    expect(run.stub[3]).toMatch(/^released at head \d+ after 9600 frames written, \d+ polls$/);
    expectPlayed(run, samples, 1600);
    expect(run.am, 'playing needs no foreground trick').toEqual([]);
    expect(readFileSync(run.input).equals(wav16(samples)), 'the input is left for the CLI to delete').toBe(true);
  });

  it('a clip shorter than the track buffer still starts and plays to its last sample', (ctx) => {
    needTools(ctx);
    const samples = tone(100);
    const run = play(wav16(samples));
    expect(run.stdout).toBe('READY\nDONE 100\n');
    expect(run.status).toBe(0);
    expectPlayed(run, samples, 1600);
  });

  it('reads any chunk layout: an odd-sized LIST chunk before fmt, a fact chunk before data; 44.1 kHz', (ctx) => {
    needTools(ctx);
    const samples = tone(4410);
    const wav = riff(chunk('LIST', Buffer.from('INFOISFT\x05\0\0\0dlau', 'latin1')), fmtChunk({ rate: 44100 }), chunk('fact', Buffer.alloc(4)), chunk('data', pcm(samples)));
    const run = play(wav);
    expect(run.stdout).toBe('READY\nDONE 4410\n');
    expect(run.status).toBe(0);
    expect(run.stub).toContain('track usage=1 content=1 rate=44100 channelMask=4 encoding=2 mode=1 buffer=8820');
    expectPlayed(run, samples, 4410);
  });

  it.for([23, 30, 36])('Android SDK %i: plays without any of the microphone workarounds', (sdk, ctx) => {
    needTools(ctx);
    const samples = tone(1600);
    const run = play(wav16(samples), { sdk, systemContext: 'fail' });
    expect(run.stdout).toBe('READY\nDONE 1600\n');
    expect(run.status).toBe(0);
    expect(run.stub.some((l) => l.startsWith('system context'))).toBe(false);
    expect(run.am).toEqual([]);
    expectPlayed(run, samples, 1600);
  });

  it('Android SDK 22: UNSUPPORTED_ANDROID before reading the file or opening the output', (ctx) => {
    needTools(ctx);
    const run = play(wav16(tone(160)), { sdk: 22 });
    expect(run.stdout).toBe('ERROR UNSUPPORTED_ANDROID Android SDK 22 cannot play from adb shell with this player: Android 6 (SDK 23) or newer is needed\n');
    expect(run.status).toBe(3);
    expect(run.stub).toEqual([]);
  });

  const ok = tone(320);
  it.for<[string, Buffer | null | 'dir', RegExp]>([
    ['missing file', null, /^cannot read \S+in\.wav: .*No such file/],
    ['a folder', 'dir', /^cannot read \S+in\.wav: /],
    ['empty file', Buffer.alloc(0), /in\.wav is not a RIFF\/WAVE file$/],
    ['not RIFF', Buffer.concat([Buffer.from('RIFX'), wav16(ok).subarray(4)]), /in\.wav is not a RIFF\/WAVE file$/],
    ['RIFF but not WAVE', Buffer.concat([wav16(ok).subarray(0, 8), Buffer.from('AVI '), wav16(ok).subarray(12)]), /is not a RIFF\/WAVE file$/],
    ['stereo', riff(fmtChunk({ channels: 2 }), chunk('data', pcm(ok))), /in\.wav is format 1, 2 channel\(s\), 16 bits: the player takes PCM \(format 1\), mono, 16-bit$/],
    ['8-bit', riff(fmtChunk({ bits: 8 }), chunk('data', Buffer.alloc(320, 128))), /is format 1, 1 channel\(s\), 8 bits/],
    ['32-bit float', riff(fmtChunk({ format: 3, bits: 32 }), chunk('data', Buffer.alloc(640))), /is format 3, 1 channel\(s\), 32 bits/],
    ['extensible', riff(fmtChunk({ format: 0xfffe }), chunk('data', pcm(ok))), /is format 65534, /],
    ['2 kHz', wav16(ok, 2000), /has a sample rate of 2000 Hz, outside 4000 to 192000$/],
    ['384 kHz', wav16(ok, 384000), /has a sample rate of 384000 Hz, outside 4000 to 192000$/],
    ['truncated data', riff(fmtChunk(), chunk('data', pcm(ok), 2 * ok.length + 2)), /is truncated: a chunk runs past the end of the file$/],
    ['no data chunk', riff(fmtChunk()), /has no data chunk$/],
    ['data before fmt', riff(chunk('data', pcm(ok)), fmtChunk()), /has no fmt chunk before its data$/],
    ['no samples', riff(fmtChunk(), chunk('data', Buffer.alloc(0))), /has no samples$/],
    ['short fmt chunk', riff(fmtChunk({ size: 14 }), chunk('data', pcm(ok))), /has a damaged fmt chunk$/],
  ])('BAD_FILE: %s, before the output is opened', ([, wav, message], ctx) => {
    needTools(ctx);
    const run = play(wav === 'dir' ? null : wav, {}, wav === 'dir' ? (input) => { mkdirSync(input); return ['play', '--in', input]; } : undefined);
    expect(run.stdout).toMatch(/^ERROR BAD_FILE [^\n]+\n$/);
    expect(run.stdout.slice('ERROR BAD_FILE '.length).trimEnd()).toMatch(message);
    expect(run.status).toBe(7);
    expect(run.stub).toEqual([]);
  });

  it.for<[string, string[]]>([
    ['no --in', ['play']],
    ['--in without a value', ['play', '--in']],
    ['empty --in', ['play', '--in', '']],
    ['a recording argument', ['play', '--in', '@in', '--rate', '16000']],
  ])('BAD_ARGS: %s', ([, args], ctx) => {
    needTools(ctx);
    const run = play(wav16(ok), {}, (input) => args.map((a) => (a === '@in' ? input : a)));
    expect(run.stdout).toMatch(/^ERROR BAD_ARGS \S[^\n]*\n$/);
    expect(run.status).toBe(2);
    expect(run.stub).toEqual([]);
  });

  it('AUDIO_INIT: the AudioTrack cannot be created', (ctx) => {
    needTools(ctx);
    const run = play(wav16(ok), { track: 'fail' });
    expect(run.stdout).toBe("ERROR AUDIO_INIT cannot open the phone's audio output: java.lang.UnsupportedOperationException: Cannot create AudioTrack\n");
    expect(run.status).toBe(4);
  });

  it('AUDIO_INIT: play() does not start; the track is released', (ctx) => {
    needTools(ctx);
    const run = play(wav16(ok), { track: 'nostart' });
    expect(run.stdout).toBe("ERROR AUDIO_INIT cannot open the phone's audio output: play() did not start\n");
    expect(run.status).toBe(4);
    expect(run.stub.at(-1)).toBe('released at head 0 after 0 frames written, 0 polls');
  });

  it('PLAY_ERROR: write returns an error code mid-way; the track is released', (ctx) => {
    needTools(ctx);
    const run = play(wav16(tone(8000)), { writeErrorAt: 1000 });
    expect(run.stdout).toBe('READY\nERROR PLAY_ERROR AudioTrack.write returned -6 after 1000 of 9600 samples\n');
    expect(run.status).toBe(8);
    expect(run.stub.at(-1)).toMatch(/^released at head 0 after 1000 frames written/);
  });

  it('an OutOfMemoryError while playing ends as ERROR INTERNAL; the track is released', (ctx) => {
    needTools(ctx);
    const run = play(wav16(tone(8000)), { track: 'oom' });
    expect(run.stdout).toBe('READY\nERROR INTERNAL java.lang.OutOfMemoryError: stub: Failed to allocate a 4194320 byte allocation\n');
    expect(run.status).toBe(9);
    expect(run.stub.at(-1)).toMatch(/^released at head 0 after 0 frames written/);
  });

  it('streams a 60 MiB WAV (31 min at 16 kHz) in a 24 MiB heap: the file is never held in memory', (ctx) => {
    needTools(ctx);
    const dir = join(tmp, 'big');
    mkdirSync(dir);
    const input = join(dir, 'big.wav');
    const samples = 30 * 1024 * 1024;
    const data = Buffer.alloc(2 * samples);
    for (let i = 0; i < samples; i += 4096) data.writeInt16LE((i / 4096) % 30000, 2 * i);
    writeFileSync(input, riff(fmtChunk(), chunk('data', data)));
    const run = record(['play', '--in', input], { trackKeep: 0, trackStep: 1 << 22 }, fakeAm, { jvm: ['-Xmx24m'] });
    expect(run.stdout).toBe(`READY\nDONE ${samples}\n`);
    expect(run.status).toBe(0);
    expect(run.stub.at(-1)).toMatch(new RegExp(`^released at head \\d+ after ${samples + 1600} frames written`));
  });

  it('PLAY_ERROR: the head stops moving (a stuck output) for 2 s', (ctx) => {
    needTools(ctx);
    const run = play(wav16(tone(8000)), { track: 'stall' });
    expect(run.stdout).toBe('READY\nERROR PLAY_ERROR playback stopped at sample 1000 of 8000\n');
    expect(run.status).toBe(8);
    expect(run.releasedAtHead).toBe(1000);
  });
});

interface StreamRun {
  /** Resolves when the recorder has printed `line` on stdout (its protocol channel). */
  said(line: RegExp): Promise<string>;
  /** Connects to the abstract socket (a Unix socket file here) and keeps every byte received. */
  connect(): Promise<{ socket: Socket; bytes(): Buffer; ended: Promise<void> }>;
  exited: Promise<{ status: number | null; stdout: string; stub: string[]; strange: string[]; at: number }>;
  kill(): void;
  log: string;
  socketPath: string;
}

/** Starts `dlaudio.Recorder stream` on the host JVM without waiting for it (it runs until its client goes). */
function startStream(args: string[], knobs: Record<string, string | number> = {}): StreamRun {
  const dir = join(tmp, `stream-${++runs}`);
  mkdirSync(dir);
  const log = join(dir, 'stream.log');
  writeFileSync(log, ''); // the shell's 2>LOG creates it
  const finalArgs = args.map((a) => (a === '@log' ? log : a));
  const props = Object.entries({ 'stub.socketDir': dir, ...knobs }).map(([k, v]) => `-D${k.startsWith('stub.') ? k : `stub.${k}`}=${v}`);
  const child = spawn('java', ['-Xshare:auto', '-XX:TieredStopAtLevel=1', '-cp', classpath, ...props, 'dlaudio.Recorder', 'stream', ...finalArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve(l: string): void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters.splice(0)) {
      const line = stdout.split('\n').find((l) => w.re.test(l));
      if (line !== undefined) w.resolve(line); else waiters.push(w);
    }
  });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<{ status: number | null; stdout: string; stub: string[]; strange: string[]; at: number }>((resolve) => {
    child.once('close', (status) => {
      const lines = stderr.split('\n');
      resolve({
        status, stdout: stdout.split('\n').filter((l) => !l.startsWith('WORKAROUNDS ')).join('\n'),
        stub: lines.filter((l) => l.startsWith('stub: ')).map((l) => l.slice(6)),
        strange: lines.filter((l) => l && !l.startsWith('stub: ')),
        at: performance.now(),
      });
    });
  });
  const socketPath = join(dir, args[args.indexOf('--socket') + 1] ?? 'none');
  return {
    log, socketPath, exited,
    kill: () => child.kill('SIGKILL'),
    said: (re) => new Promise((resolve, reject) => {
      const line = stdout.split('\n').find((l) => re.test(l));
      if (line !== undefined) { resolve(line); return; }
      waiters.push({ re, resolve });
      void exited.then((r) => reject(new Error(`the recorder exited (${r.status}) before saying ${re}; stdout: ${r.stdout}; stderr: ${r.strange.join(' / ')}`)));
    }),
    connect: () => new Promise((resolve, reject) => {
      const socket = netConnect(socketPath);
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      const ended = new Promise<void>((r) => socket.once('close', () => r()));
      socket.once('error', reject);
      socket.once('connect', () => resolve({ socket, bytes: () => Buffer.concat(chunks), ended }));
    }),
  };
}

/** Stops a run that would not stop by itself, and fails the test. */
async function exitWithin<T>(p: Promise<T>, ms: number, run: StreamRun): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => { run.kill(); reject(new Error(`the recorder still ran ${ms} ms later`)); }, ms); });
  try { return await Promise.race([p, late]); } finally { clearTimeout(timer); }
}

const until = async (cond: () => boolean, what: string, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('recorder stream mode on the host JVM', () => {
  it('streams raw 16-bit little-endian MIC samples, every one of the 65 536 values byte-exact, and stops by itself when the client closes', async (ctx) => {
    needTools(ctx);
    const run = startStream(['--rate', '16000', '--socket', 'dlaudio-s1', '--log', '@log'], { sdk: 33, pace: 16 });
    expect(await run.said(/^LISTENING$/)).toBe('LISTENING');
    const client = await run.connect();
    await run.said(/^READY$/);
    const want = 70_000;
    await until(() => client.bytes().length >= want * 2, `${want} samples`);
    const closedAt = performance.now();
    client.socket.destroy();
    const end = await exitWithin(run.exited, 10_000, run);
    console.log(`host JVM stream mode: stopped (mic released, process gone) ${(end.at - closedAt).toFixed(0)} ms after the client closed`);
    const bytes = client.bytes();
    const n = Math.floor(bytes.length / 2);
    const values = new Set<number>();
    for (let i = 0; i < n; i++) {
      const got = bytes.readInt16LE(2 * i);
      if (got !== sample(i)) expect.fail(`sample ${i}: got ${got}, the microphone gave ${sample(i)}`);
      values.add(got);
    }
    expect(values.size).toBe(65_536);
    expect(end.status).toBe(0);
    expect(end.strange).toEqual([]);
    expect(end.stdout).toMatch(/^LISTENING\nREADY\nDONE \d+\n$/);
    expect(Number(/DONE (\d+)/.exec(end.stdout)?.[1])).toBeGreaterThanOrEqual(n);
    expect(end.stub).toEqual(expect.arrayContaining([
      'listening on dlaudio-s1', 'accepted a client', 'server socket closed',
      'build source=1 rate=16000 channelMask=16 encoding=2 buffer=32000 package=com.android.shell uid=2000',
    ]));
    expect(end.stub.at(-1)).toMatch(/^released after \d+ samples$/);
    // The mic is opened only once a client is there.
    expect(end.stub.indexOf('accepted a client')).toBeLessThan(end.stub.findIndex((l) => l.startsWith('build ')));
    expect(existsSync(run.log), 'its log is removed: the CLI is gone').toBe(false);
    expect(existsSync(run.socketPath)).toBe(false);
  });

  it('a client that stops reading: whole 20 ms blocks are dropped on the phone (bounded queue), counted in OVERRUN, and the stream goes on', async (ctx) => {
    needTools(ctx);
    const run = startStream(['--rate', '16000', '--socket', 'dlaudio-s2'], { sdk: 33, pace: 16 });
    await run.said(/^LISTENING$/);
    const client = await run.connect();
    await run.said(/^READY$/);
    client.socket.pause();
    // 16 × real time: 2 s of stall is 512 000 samples, far more than the socket buffers and the 1 s queue hold.
    await new Promise((r) => setTimeout(r, 2000));
    client.socket.resume();
    const line = await run.said(/^OVERRUN \d+$/);
    const dropped = Number(line.split(' ')[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped % 320, 'whole blocks of 20 ms at 16 kHz').toBe(0);
    const got = client.bytes().length;
    await until(() => client.bytes().length > got + 32_000, 'the stream to go on after the stall');
    client.socket.destroy();
    const end = await exitWithin(run.exited, 10_000, run);
    expect(end.status).toBe(0);
    const bytes = client.bytes();
    // Each block arrives whole: the sequence only jumps at block boundaries.
    const jumps: number[] = [];
    for (let i = 1; i < bytes.length / 2; i++) {
      if (((bytes.readInt16LE(2 * i) - bytes.readInt16LE(2 * i - 2)) & 0xffff) !== 997) jumps.push(i);
    }
    expect(jumps.length).toBeGreaterThan(0);
    expect(jumps.filter((i) => i % 320 !== 0)).toEqual([]);
    expect(end.stub.at(-1)).toMatch(/^released after \d+ samples$/);
  });

  it('AUDIO_INIT once the client is there: ERROR line, exit 4, the socket closes, the mic is not held', async (ctx) => {
    needTools(ctx);
    const run = startStream(['--rate', '16000', '--socket', 'dlaudio-s3', '--log', '@log'], { sdk: 33, mic: 'busy' });
    await run.said(/^LISTENING$/);
    const client = await run.connect();
    const end = await exitWithin(run.exited, 10_000, run);
    await client.ended;
    expect(end.status).toBe(4);
    expect(end.stdout).toMatch(/^LISTENING\nERROR AUDIO_INIT cannot record from the microphone .*Cannot create AudioRecord\n$/);
    expect(client.bytes().length).toBe(0);
    // The CLI is there to read the log for its report, then removes it.
    expect(existsSync(run.log)).toBe(true);
  });

  it('READ_ERROR mid-stream: ERROR after READY, exit 5, the mic released; what arrived is exact', async (ctx) => {
    needTools(ctx);
    const run = startStream(['--rate', '16000', '--socket', 'dlaudio-s4'], { sdk: 33, pace: 16, readErrorAt: 8000 });
    await run.said(/^LISTENING$/);
    const client = await run.connect();
    const end = await exitWithin(run.exited, 10_000, run);
    await client.ended;
    expect(end.status).toBe(5);
    expect(end.stdout).toBe('LISTENING\nREADY\nERROR READ_ERROR AudioRecord.read returned -3 after 8000 samples\n');
    const bytes = client.bytes();
    expect(bytes.length).toBeLessThanOrEqual(16_000);
    for (let i = 0; i < bytes.length / 2; i++) expect(bytes.readInt16LE(2 * i)).toBe(sample(i));
    expect(end.stub.at(-1)).toBe('released after 8000 samples');
  });

  it('nobody connects within 10 s (the CLI went away first): ERROR NO_CLIENT, exit 11, its log removed, the mic never opened', async (ctx) => {
    needTools(ctx);
    const run = startStream(['--rate', '16000', '--socket', 'dlaudio-s5', '--log', '@log'], { sdk: 33 });
    const end = await exitWithin(run.exited, 20_000, run);
    expect(end.status).toBe(11);
    expect(end.stdout).toBe('LISTENING\nERROR NO_CLIENT nobody connected to the socket within 10 s\n');
    expect(end.stub.some((l) => l.startsWith('build '))).toBe(false);
    expect(existsSync(run.log)).toBe(false);
    expect(existsSync(run.socketPath)).toBe(false);
  }, 30_000);

  it.for<[string, string[], Record<string, string | number>, string, number]>([
    ['no --socket', ['--rate', '16000'], {}, 'ERROR BAD_ARGS --socket needs the name of the abstract socket to listen on', 2],
    ['a rate out of range', ['--rate', '4000', '--socket', 'x'], {}, 'ERROR BAD_ARGS --rate needs a whole number of Hz from 8000 to 48000', 2],
    ['an unknown argument', ['--rate', '16000', '--socket', 'x', '--seconds', '5'], {}, 'ERROR BAD_ARGS unknown argument: --seconds', 2],
    ['Android 10', ['--rate', '16000', '--socket', 'x'], { sdk: 29 }, 'ERROR UNSUPPORTED_ANDROID Android SDK 29 cannot record the microphone from adb shell: Android 11 (SDK 30) or newer is needed', 3],
  ])('%s: refused before listening', async ([, args, knobs, line, status], ctx) => {
    needTools(ctx);
    const run = startStream(args, { sdk: 33, ...knobs });
    const end = await exitWithin(run.exited, 10_000, run);
    expect(end.stdout).toBe(`${line}\n`);
    expect(end.status).toBe(status);
    expect(end.stub).toEqual([]);
  });

  it('the socket name is taken: ERROR SOCKET_ERROR, exit 10', async (ctx) => {
    needTools(ctx);
    const taken = join(tmp, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'dlaudio-s6'), '');
    const run = startStream(['--rate', '16000', '--socket', 'dlaudio-s6'], { sdk: 33, socketDir: taken });
    const end = await exitWithin(run.exited, 10_000, run);
    expect(end.status).toBe(10);
    expect(end.stdout).toMatch(/^ERROR SOCKET_ERROR cannot listen on the socket dlaudio-s6: java\.io\.IOException: Address already in use\n$/);
  });
});
