/**
 * `dlaudio live --device` end to end: the real bin → adbkit → the real adb server (Debian package
 * adb) → the simulated phone, whose fake recorder streams streamSample(i) without end. What the
 * session heard (--keep) must be the phone's samples byte for byte, and however it ends (--minutes,
 * Ctrl-C) the phone must be left clean: recorder stopped, microphone released, nothing in /data/local/tmp.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adbMissingReason } from './sim/adb-server.js';
import type { SimDevice } from './sim/device.js';
import type { SimProcess } from './sim/shell.js';
import { usePhoneLab } from './sim/lab.js';
import { streamSample } from './sim/signal.js';
import { runCli } from './sim/run-cli.js';
import { loadModel } from '../src/model/model-file.js';

const skipReason = adbMissingReason();
const REMOTE_DEX = '/data/local/tmp/dlaudio-recorder.dex';

const until = async (cond: () => boolean, what: string, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

async function expectPhoneClean(d: SimDevice): Promise<void> {
  const streamer = (): SimProcess | undefined => d.processes.find((p) => p.argv[3] === 'stream');
  await until(() => streamer() !== undefined && streamer()!.state !== 'running', 'the recorder to stop');
  expect(streamer()!.micOpen ?? false).toBe(false);
  expect([...d.fs.keys()]).toEqual([REMOTE_DEX]);
  expect(d.processes.filter((x) => x.state === 'running')).toEqual([]);
}

function keptSamples(path: string): Int16Array {
  const kept = readFileSync(path);
  const bytes = kept.readUInt32LE(40);
  expect(kept.length).toBe(44 + bytes);
  return new Int16Array(kept.buffer.slice(kept.byteOffset + 44, kept.byteOffset + 44 + bytes));
}

/** What was kept is what the phone captured, sample for sample from the first. */
function expectPhoneSamples(heard: Int16Array): void {
  for (let i = 0; i < heard.length; i++) if (heard[i] !== streamSample(i)) expect.fail(`sample ${i}: kept ${heard[i]}, the phone captured ${streamSample(i)}`);
}

describe.skipIf(skipReason !== undefined)(`dlaudio live --device against a simulated phone${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const lab = usePhoneLab();
  let dir: string;
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  /** A session at the real rate with --save and --keep, once its first 0.5 s chunk is learnt. */
  async function firstChunkDone(seed: string): Promise<{ d: SimDevice; run: ReturnType<typeof runCli> }> {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-live-dev-'));
    const d = await lab.phone({ timeScale: 1 });
    const run = runCli(['live', '--device', '--chunk', '0.5', '--seed', seed, '--save', join(dir, 'm.json'), '--keep', join(dir, 'k.wav')], { ...lab.server.env, NO_COLOR: '1' });
    await run.waitForStderr('chunk 1 ');
    return { d, run };
  }

  /** The model and the sound so far are there (nothing else: no temp file), the sound the phone's. */
  function expectSavedAndKept(): void {
    expect(readdirSync(dir).sort()).toEqual(['k.wav', 'm.json']);
    const heard = keptSamples(join(dir, 'k.wav'));
    expect(heard.length).toBeGreaterThanOrEqual(8000);
    expectPhoneSamples(heard);
  }

  it('--minutes: the phone\'s samples byte for byte in --keep, every chunk trained or counted as skipped, the phone left clean', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-live-dev-'));
    const d = await lab.phone();
    const keep = join(dir, 'session.wav');
    const r = await runCli(['live', '--device', '--minutes', '0.05', '--chunk', '1', '--seed', '1', '--json', '--keep', keep, '--save', join(dir, 'm.json')], lab.server.env).done;
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.at(-1) as { type: string; heardSeconds: number; chunks: number; skipped: number; stopped: string };
    expect(summary).toMatchObject({ type: 'summary', heardSeconds: 3, stopped: 'minutes' });
    expect(summary.chunks + summary.skipped).toBe(3);
    expect(lines.filter((l) => l.type === 'chunk')).toHaveLength(3);
    const heard = keptSamples(keep);
    expect(heard.length).toBe(48000);
    expectPhoneSamples(heard);
    expect(loadModel(join(dir, 'm.json')).net.sizes).toEqual([160, 10, 160]);
    await expectPhoneClean(d);
  }, 60_000);

  it('a phone faster than training (20× real time, a wide network): whole chunks skipped and counted, every sample still read and kept', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-live-dev-'));
    const d = await lab.phone({ streamSpeed: 20 });
    const keep = join(dir, 'session.wav');
    const r = await runCli(['live', '--device', '--minutes', '0.2', '--chunk', '0.5', '--layers', '160,1024,10,1024,160', '--seed', '3', '--json', '--keep', keep], lab.server.env).done;
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.at(-1) as { chunks: number; skipped: number };
    const chunks = lines.filter((l) => l.type === 'chunk');
    expect(chunks).toHaveLength(24);
    expect(summary.chunks + summary.skipped).toBe(24);
    // Each 0.5 s chunk arrives every 25 ms; one pass of this network takes longer, so some are skipped, not queued.
    expect(summary.skipped).toBeGreaterThan(0);
    expect(chunks.filter((c) => c.trained === false).every((c) => c.reason === 'training slower than real time')).toBe(true);
    expect(r.stderr).toMatch(/skipped \d+ chunks?: training slower than real time/);
    const heard = keptSamples(keep);
    expect(heard.length).toBe(24 * 8000);
    expectPhoneSamples(heard);
    await expectPhoneClean(d);
  }, 60_000);

  it('the cable pulled mid-session: one line saying so, what was heard kept and the model saved, no temp file, the recorder stopped', async () => {
    const { d, run } = await firstChunkDone('4');
    d.unplug();
    const r = await run.done;
    expect(r.code).not.toBe(0);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last, r.stderr).toMatch(/^dlaudio: /);
    expect(last).not.toMatch(/    at /);
    expect(last).toMatch(/stopped before finishing/);
    expect(r.stdout).toMatch(/^heard: .*\(the sound stopped: see below\)$/m);
    // The sound after the last whole chunk, if any came before the cable went.
    if (/^not learnt:/m.test(r.stdout)) expect(r.stdout).toMatch(/^not learnt: +the last [\d.]+ s \(captured when the sound stopped\)$/m);
    expectSavedAndKept();
    expect(loadModel(join(dir, 'm.json')).net.sizes).toEqual([160, 10, 160]);
    const streamer = d.processes.find((p) => p.argv[3] === 'stream');
    await until(() => streamer !== undefined && streamer.state !== 'running', 'the recorder to stop');
    expect(streamer!.micOpen ?? false).toBe(false);
  }, 60_000);

  it('a phone sending only zeros (Microphone access off, Android 13): one warning naming the causes for its version', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-live-dev-'));
    const d = await lab.phone({ recorder: 'silent', sdk: 33 });
    const r = await runCli(['live', '--device', '--minutes', '0.05', '--chunk', '1', '--seed', '1'], { ...lab.server.env, NO_COLOR: '1' }).done;
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: the phone sends only silence'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Quick Settings → "Microphone access" is off \(turn it on\)/);
    expect(r.stderr).toMatch(/^chunk 3 .* silence /m);
    await expectPhoneClean(d);
  }, 60_000);

  it('Ctrl-C: exit 130, the model and the sound so far saved, no temp file, the phone left clean', async () => {
    const { d, run } = await firstChunkDone('2');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    expectSavedAndKept();
    expect(r.stdout).toMatch(/^heard: .*stopped by Ctrl-C/m);
    expect(r.stdout).toMatch(/^source: +Pixel 7/m);
    await expectPhoneClean(d);
  }, 60_000);
});
