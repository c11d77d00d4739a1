/** The CLI end to end on what issue 12 added: a window of a recording (--start/--seconds) and a compressed file. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBin } from './helpers/run.js';
import { SAMPLE } from './helpers/sample.js';
import { readPcm16 } from './helpers/audio-sox.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dlaudio-input-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('train --start/--seconds', () => {
  it('trains on the window asked for: its frames are the sample\'s from 1 s to 3 s', async () => {
    const r = await runBin(['train', '--wav', SAMPLE, '--start', '1', '--seconds', '2', '--epochs', '0', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { config: { frames: number } };
    expect(j.config.frames).toBe(200);
  });

  it('--start past the end is a usage error (exit 2) that gives the length; --start with --device is refused', async () => {
    const r = await runBin(['train', '--wav', SAMPLE, '--start', '60']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dlaudio: --start 60 is past the end of .*sample\.wav \(5\.00 s\): give a smaller --start\n$/);
    const d = await runBin(['train', '--device', 'x', '--start', '1']);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/--start goes with a file/);
  });
});

const lame = spawnSync('lame', ['--version']).status === 0;
describe.skipIf(!lame && process.env.CI !== 'true')(`convert an MP3 named .wav${lame ? '' : ' (skipped: apt-get install lame)'}`, () => {
  it('tells the format from the bytes and writes 16 kHz mono 16-bit', async () => {
    const mp3 = join(dir, 'voice.wav'); // an MP3, whatever its name says
    const made = spawnSync('lame', ['--quiet', '-b', '64', SAMPLE, mp3]);
    expect(made.status).toBe(0);
    const out = join(dir, 'out.wav');
    const r = await runBin(['convert', mp3, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/converted .*voice\.wav: 16000 Hz mono MP3 → 16000 Hz mono 16-bit/);
    expect(readPcm16(out).length).toBe(80000);
    expect(readFileSync(out).toString('ascii', 0, 4)).toBe('RIFF');
  });
});
