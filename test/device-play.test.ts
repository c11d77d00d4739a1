/**
 * `dlaudio play` and `train --device --play` end to end: the real CLI → adbkit → the real adb
 * server (Debian package adb) → the simulated phone in test/sim, whose fake player checks
 * the contract (`play --in PATH`, a 44-byte-header PCM mono 16-bit WAV) and keeps the bytes.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adbMissingReason } from './sim/adb-server.js';
import type { SimDevice, SimDeviceOptions } from './sim/device.js';
import { usePhoneLab } from './sim/lab.js';
import { simulatedWav } from './sim/signal.js';
import { runCli } from './sim/run-cli.js';
import { SAMPLE } from './helpers/sample.js';
import { chunk, fmt, riff } from './helpers/audio-wav-builder.js';
import { encodeWav16, loadAudio } from '../src/audio/wav.js';
import { loadModel } from '../src/model/model-file.js';
import { reconstructSamples } from '../src/model/reconstruct.js';

const skipReason = adbMissingReason();
const REMOTE_DEX = '/data/local/tmp/dlaudio-recorder.dex';
const PLAY_PATH = /^\/data\/local\/tmp\/dlaudio-play-[0-9a-f]{12}\.wav$/;

describe.skipIf(skipReason !== undefined)(`dlaudio play against a simulated phone${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const lab = usePhoneLab();
  let dir: string;
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  async function phone(opts: SimDeviceOptions = {}): Promise<SimDevice> {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-play-'));
    return lab.phone(opts);
  }
  /** Everything on the phone but the recorder itself. */
  const leftovers = (d: SimDevice) => [...d.fs.keys()].filter((p) => p !== REMOTE_DEX);
  const expectedWav = async (path: string) => Buffer.from(encodeWav16((await loadAudio(path)).samples, 16000));

  it('plays the bundled sample: the phone gets exactly its 16 kHz mono 16-bit bytes, then the file is removed', async () => {
    const d = await phone();
    const r = await runCli(['play', SAMPLE], lab.server.env).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Installed the recorder on Pixel 7');
    expect(r.stderr).toContain('Playing 5.0 s on Pixel 7');
    expect(r.stderr).toContain('Played 5.0 s on Pixel 7');
    expect(r.stdout).toBe(`${SAMPLE}: played 5.00 s at 16000 Hz on Pixel 7\n`);
    expect(d.played).toHaveLength(1);
    expect(d.played[0].equals(await expectedWav(SAMPLE))).toBe(true);
    expect(d.pushes).toHaveLength(2);
    expect(d.pushes[0]).toBe(REMOTE_DEX);
    expect(d.pushes[1]).toMatch(PLAY_PATH);
    const player = d.commands.find((c) => c.includes(' play '));
    expect(player).toBe(`echo PID $$; CLASSPATH='${REMOTE_DEX}' exec app_process / dlaudio.Recorder play --in '${d.pushes[1]}' 2>'${d.pushes[1]}.log'`);
    expect(d.processes.map((p) => [p.state, p.exitCode])).toEqual([['exited', 0]]);
    expect(leftovers(d)).toEqual([]);
  });

  it('converts any WAV first (44.1 kHz stereo 16-bit here) and says so; --json describes what was played', async () => {
    const d = await phone();
    const n = 44100;
    const stereo = new Int16Array(2 * n);
    for (let i = 0; i < n; i++) { stereo[2 * i] = Math.round(12000 * Math.sin(i / 7)); stereo[2 * i + 1] = Math.round(-8000 * Math.sin(i / 11)); }
    const file = join(dir, 'stereo.wav');
    writeFileSync(file, riff([fmt({ tag: 1, channels: 2, rate: 44100, bits: 16 }), chunk('data', new Uint8Array(stereo.buffer))]));
    const r = await runCli(['play', file, '--json'], lab.server.env).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`converted ${file}: 44100 Hz stereo 16-bit → 16000 Hz mono 16-bit`);
    expect(d.played).toHaveLength(1);
    expect(d.played[0].equals(await expectedWav(file))).toBe(true);
    expect(JSON.parse(r.stdout)).toEqual({ path: file, serial: d.serial, model: 'Pixel 7', samples: 16000, sampleRate: 16000, seconds: 1 });
    expect(leftovers(d)).toEqual([]);
  });

  it('does not push the recorder again when the phone has the same one', async () => {
    const d = await phone();
    expect((await runCli(['play', SAMPLE], lab.server.env).done).code).toBe(0);
    const second = await runCli(['play', SAMPLE], lab.server.env).done;
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('Installed the recorder');
    expect(d.pushes.filter((p) => p === REMOTE_DEX)).toHaveLength(1);
    expect(d.played).toHaveLength(2);
    expect(leftovers(d)).toEqual([]);
  });

  it('on Ctrl-C while playing: kills the player, removes the file from the phone, exits 130', async () => {
    const d = await phone({ player: 'hang' });
    const run = runCli(['play', SAMPLE], lab.server.env);
    await run.waitForStderr('Playing 5.0 s');
    expect(leftovers(d)).toHaveLength(2); // the WAV and the player's log
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('dlaudio: interrupted: playback was stopped on the phone');
    expect(d.processes.map((p) => p.state)).toEqual(['killed']);
    expect(d.commands.at(-1)).toMatch(new RegExp(`^kill ${d.processes[0].pid} 2>/dev/null; rm -f '/data/local/tmp/dlaudio-play-`));
    expect(leftovers(d)).toEqual([]);
  });

  it.for<[string, SimDeviceOptions['player'], RegExp]>([
    ['AUDIO_INIT', 'error:AUDIO_INIT', /^dlaudio: Pixel 7 \(127\.0\.0\.1:\d+\) could not open its audio output \(simulated failure\): end any call, close apps that hold the audio, then run again; details in dlaudio-report-127\.0\.0\.1_\d+\.txt: attach it when asking for help$/],
    ['PLAY_ERROR', 'error:PLAY_ERROR', /^dlaudio: Pixel 7 \(127\.0\.0\.1:\d+\) stopped playing \(simulated failure after 40000 of 80000 samples\): run again; if it persists, restart the phone; details in dlaudio-report-127\.0\.0\.1_\d+\.txt: attach it when asking for help$/],
  ])('player ERROR %s: one line saying what to do, a report, and no file left on the phone', async ([code, player, line]) => {
    const d = await phone({ player });
    const r = await runCli(['play', SAMPLE], lab.server.env, dir).done;
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('dlaudio:'))).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(line.source, 'm'));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(leftovers(d)).toEqual([]);
    const report = readFileSync(join(dir, `dlaudio-report-${d.serial.replace(':', '_')}.txt`), 'utf8');
    expect(report).toMatch(/^failed while: (starting the player|playing)$/m);
    expect(report).toContain(`ERROR ${code} simulated failure`);
    expect(report).toContain(`command: dlaudio play ${SAMPLE}`);
    expect(report).toMatch(/^manufacturer: Google$/m);
    expect(report).toMatch(/^sdk: 34$/m);
    expect(report).toMatch(/^security patch: 2024-05-05$/m);
  });

  it('no phone connected: one line on how to connect one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-play-'));
    const r = await runCli(['play', SAMPLE], lab.server.env).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dlaudio: no Android device found: plug the phone in with a USB cable and enable USB debugging/m);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('phone not authorized yet: one line on accepting the prompt, nothing sent', async () => {
    const d = await phone({ state: 'unauthorized' });
    const r = await runCli(['play', SAMPLE], lab.server.env).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dlaudio: 127\.0\.0\.1:\d+ has not allowed this computer yet: unlock the phone and accept the "Allow USB debugging\?" prompt/m);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(d.commands).toEqual([]);
  });

  it('refuses Android 5 before pushing anything', async () => {
    const d = await phone({ sdk: 22, model: 'Moto G' });
    const r = await runCli(['play', SAMPLE], lab.server.env).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dlaudio: Moto G \(127\.0\.0\.1:\d+\) runs Android \S+ \(API 22\): playing from the computer needs Android 6 or newer/m);
    expect(d.pushes).toEqual([]);
    expect(d.processes).toEqual([]);
  });

  it('a missing WAV is refused before talking to adb', async () => {
    const d = await phone();
    const r = await runCli(['play', join(dir, 'nope.wav')], lab.server.env).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dlaudio: \S+nope\.wav: no such file/m);
    expect(d.commands).toEqual([]);
  });

  it('train --device --play: records, trains, then plays the reconstruction on the phone that recorded', async () => {
    const other = await phone({ model: 'Pixel 6' });
    const d = await lab.phone({ model: 'Pixel 8' });
    const keep = join(dir, 'kept.wav');
    const model = join(dir, 'model.json');
    const r = await runCli(['train', '--device', d.serial, '--play', '--seconds', '1', '--epochs', '3', '--seed', '5', '--keep', keep, '--save', model, '--json'], lab.server.env).done;
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(keep).equals(simulatedWav(1, 16000))).toBe(true);
    expect(r.stderr).toContain("playing the network's reconstruction of the recording (100 frames)");
    expect(r.stderr).toContain('Played 1.0 s on Pixel 8');
    expect((JSON.parse(r.stdout) as { config: { frames: number } }).config.frames).toBe(100);
    // What the phone played is the saved model's reconstruction of the recording, byte for byte.
    const { net, scale } = loadModel(model);
    const rec = reconstructSamples(net, scale, (await loadAudio(keep)).samples);
    expect(d.played).toHaveLength(1);
    expect(d.played[0].equals(Buffer.from(encodeWav16(rec.samples, 16000)))).toBe(true);
    expect(d.played[0].equals(Buffer.from(encodeWav16((await loadAudio(keep)).samples, 16000))), 'not the recording itself').toBe(false);
    expect(other.commands).toEqual([]);
    expect(leftovers(d)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['kept.wav', 'model.json']);
  });

  it('train --play without --device is a usage error (exit 2), before any work', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-play-'));
    for (const args of [['train', '--play'], ['train', '--wav', SAMPLE, '--play']]) {
      const r = await runCli(args, lab.server.env).done;
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('dlaudio: --play goes with --device: it plays the reconstruction on the phone that recorded (for a file: --out-wav FILE, then `dlaudio play FILE`)\n');
    }
  });
});
