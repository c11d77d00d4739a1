/**
 * What the offline commands write, refuse to write and print at the edges a learner hits: outputs
 * in a missing folder, over an input or over each other, after a diverged training; silent or very
 * short audio; broken model files.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBin } from './helpers/run.js';
import { BIN, SAMPLE, sampleInt16 } from './helpers/sample.js';
import { spawnSync } from 'node:child_process';
import { encodeWav16 } from '../src/audio/wav.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'dlaudio-outputs-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/** The error lines on stderr: exactly one, matching. */
function expectOneError(stderr: string, pattern: RegExp): void {
  const errors = stderr.split('\n').filter((l) => l.startsWith('dlaudio:'));
  expect(errors, stderr).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

/** A WAV of the sample's first `frames` frames, in the test folder. */
function wavFile(name: string, frames: number): string {
  const path = join(dir, name);
  writeFileSync(path, encodeWav16(sampleInt16().slice(0, frames * 160), 16000));
  return path;
}

describe('train --save is checked before training, like --out-wav and --report', () => {
  it('a missing folder: refused with one line before any epoch', async () => {
    const r = await runBin(['train', '--epochs', '5', '--seed', '1', '--save', join(dir, 'nope', 'm.json')]);
    expect(r.code).toBe(1);
    expectOneError(r.stderr, /the folder .*nope does not exist \(create it, or give another path with --save\)/);
    expect(r.stderr).not.toMatch(/^Training /m);
    expect(r.stdout).toBe('');
  });

  it('the input WAV: refused (exit 2), the WAV left as it was', async () => {
    const wav = wavFile('in.wav', 40);
    const before = readFileSync(wav);
    const r = await runBin(['train', '--epochs', '1', '--wav', wav, '--save', wav]);
    expect(r.code).toBe(2);
    expectOneError(r.stderr, /--save .*in\.wav is also an input: give another name/);
    expect(readFileSync(wav).equals(before)).toBe(true);
  });

  it('the bundled sample when no --wav is given: refused, the sample left as it was', async () => {
    const before = readFileSync(SAMPLE);
    try {
      const r = await runBin(['train', '--epochs', '1', '--save', SAMPLE]);
      expect(r.code).toBe(2);
      expectOneError(r.stderr, /is also an input/);
    } finally {
      // Should the check ever break, put the fixture back for the other tests.
      if (!readFileSync(SAMPLE).equals(before)) writeFileSync(SAMPLE, before);
    }
  });

  it('the same file as --out-wav: refused before training (exit 2)', async () => {
    const out = join(dir, 'both.wav');
    const r = await runBin(['train', '--epochs', '1', '--save', out, '--out-wav', out]);
    expect(r.code).toBe(2);
    expectOneError(r.stderr, /--save .*both\.wav and --out-wav .*both\.wav are the same file: give each its own name/);
    expect(readdirSync(dir)).not.toContain('both.wav');
  });

  it('over the --init model is allowed: it continues training that model', async () => {
    const model = join(dir, 'cont.json');
    const first = await runBin(['train', '--epochs', '2', '--seed', '3', '--save', model, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const again = await runBin(['train', '--epochs', '2', '--init', model, '--save', model, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { firstLoss: number }).firstLoss).toBeLessThan((JSON.parse(first.stdout) as { firstLoss: number }).firstLoss);
  });
});

describe('reconstruct: --out and --report', () => {
  it('the same file for both is refused (exit 2)', async () => {
    const model = join(dir, 'rec.json');
    expect((await runBin(['train', '--epochs', '1', '--seed', '1', '--save', model])).code).toBe(0);
    const out = join(dir, 'same.html');
    const r = await runBin(['reconstruct', '--model', model, '--out', out, '--report', out]);
    expect(r.code).toBe(2);
    expectOneError(r.stderr, /--out .*same\.html and --report .*same\.html are the same file/);
    expect(readdirSync(dir)).not.toContain('same.html');
  });
});

describe('train that diverges (--lr 1)', () => {
  it('writes neither --save nor --out-wav, says so, prints no NaN, exit 3', async () => {
    const model = join(dir, 'div.json');
    const wav = join(dir, 'div.wav');
    const r = await runBin(['train', '--lr', '1', '--epochs', '5', '--seed', '1', '--save', model, '--out-wav', wav]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^not written, the training diverged: .*div\.json, .*div\.wav$/m);
    expectOneError(r.stderr, /training diverged at epoch 1 .*: try --lr 0\.1 \(tried: it did not diverge in 5 epochs from the same weights\)$/);
    expect(readdirSync(dir).filter((f) => f.startsWith('div') || f.endsWith('.tmp'))).toEqual([]);
    expect(r.stdout).not.toMatch(/NaN/);
    expect(r.stdout).toMatch(/^model loss: +not a number \(diverged weights\)/m);
    expect(r.stdout).toMatch(/yours: not a number \(diverged weights\)\s/);
  });

  it('--json: valid JSON with reconstruction null, modelLoss null', async () => {
    const r = await runBin(['train', '--lr', '1', '--epochs', '5', '--seed', '1', '--out-wav', join(dir, 'div2.wav'), '--json']);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout) as { stopped: string; reconstruction: unknown; modelLoss: unknown; pca: { ratio: unknown } };
    expect(j).toMatchObject({ stopped: 'diverged', reconstruction: null, modelLoss: null, pca: { ratio: null } });
    expect(readdirSync(dir)).not.toContain('div2.wav');
  });
});

describe('a silent original (all zeros)', () => {
  it('reconstruct through a model with biases: SNR −∞ said in words, in the summary and the report', async () => {
    const model = join(dir, 'bias.json');
    const t = await runBin(['train', '--layers', '160,8,160', '--bias', '--epochs', '2', '--seed', '1', '--save', model]);
    expect(t.code, t.stderr).toBe(0);
    const silent = join(dir, 'silent.wav');
    writeFileSync(silent, encodeWav16(new Int16Array(1600), 16000));
    const report = join(dir, 'silent.html');
    const r = await runBin(['reconstruct', '--model', model, '--wav', silent, '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^SNR: +−∞ dB \(the original is silent\)/m);
    expect(r.stdout).not.toMatch(/Infinity|NaN/);
    expect(readFileSync(report, 'utf8')).toMatch(/data-key="snrDb".*>−∞ dB \(the original is silent\)</);
    const j = await runBin(['reconstruct', '--model', model, '--wav', silent, '--json']);
    expect((JSON.parse(j.stdout) as { snrDb: unknown }).snrDb).toBeNull();
  });
});

describe('compress / decompress of a file shorter than its decoder', () => {
  let model: string;
  beforeAll(async () => {
    model = join(dir, 'small.json');
    expect((await runBin(['train', '--epochs', '1', '--seed', '1', '--save', model])).code).toBe(0);
  });

  it('says the .dla is larger than the WAV, not "×0.05 smaller"', async () => {
    const wav = wavFile('ten.wav', 10);
    const dla = join(dir, 'ten.dla');
    const c = await runBin(['compress', wav, '--model', model, '-o', dla]);
    expect(c.code, c.stderr).toBe(0);
    const d = await runBin(['decompress', dla, '-o', join(dir, 'ten-out.wav')]);
    expect(d.code, d.stderr).toBe(0);
    for (const out of [c.stdout, d.stdout]) {
      const m = /^file: +×([\d.]+) larger than the 16-bit WAV \(3 244 bytes\): on so short a file the decoder's weights outweigh the codes$/m.exec(out.replace(/\n {18}/g, ' ')); // unwrapped (80 columns)
      expect(m, out).not.toBeNull();
      expect(Number(m![1])).toBeCloseTo(readFileSync(dla).length / 3244, 2);
      expect(out).not.toMatch(/smaller/);
    }
  });

  it('decompress with an unreadable --ref fails before writing its output', async () => {
    const dla = join(dir, 'ref.dla');
    expect((await runBin(['compress', wavFile('ref.wav', 10), '--model', model, '-o', dla])).code).toBe(0);
    const short = join(dir, 'short.wav');
    writeFileSync(short, encodeWav16(new Int16Array(100), 16000));
    const r = await runBin(['decompress', dla, '-o', join(dir, 'ref-out.wav'), '--ref', short]);
    expect(r.code).toBe(1);
    expectOneError(r.stderr, /short\.wav: too short/);
    expect(readdirSync(dir).filter((f) => f.startsWith('ref-out') || f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('a broken model file', () => {
  it('not JSON, with a newline in what V8 quotes: still one line, saying what to give instead', async () => {
    const model = join(dir, 'typo.json');
    writeFileSync(model, 'xx\n');
    const r = await runBin(['reconstruct', '--model', model, '--wav', wavFile('typo.wav', 2)]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(/^dlaudio: .*typo\.json is not a valid dlaudio model: not JSON \(.*\) \(give a \.json written by `dlaudio train --save`\)\n$/);
  });
});

describe('gradcheck on silence', () => {
  it('still passes (every gradient is 0) but warns that this proves little; none on the sample', async () => {
    const silent = join(dir, 'gc-silent.wav');
    writeFileSync(silent, encodeWav16(new Int16Array(1600), 16000));
    const r = await runBin(['gradcheck', '--wav', silent, '--seed', '1', '--hidden', '4']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: the 4 frames checked are silence \(all zeros\): most gradients are 0 there, so passing says little; give a --wav with sound$/m);
    const speech = await runBin(['gradcheck', '--seed', '1', '--hidden', '4', '--frames', '1']);
    expect(speech.code, speech.stderr).toBe(0);
    expect(speech.stderr).not.toMatch(/warning/);
  });
});

describe('a reader that leaves early (| head)', () => {
  const piped = (args: string, lines: number) => {
    // The shell's exit status is head's; dlaudio's own is printed after the pipe.
    return spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" ${args} 2>"$E" | head -${lines} >/dev/null; echo "\${PIPESTATUS[0]}"`], {
      encoding: 'utf8', env: { ...process.env, E: join(dir, 'pipe.err'), NO_COLOR: '1' },
    });
  };
  it('--help | head -1: no stack trace, exit 0', () => {
    const r = piped('--help', 1);
    expect(readFileSync(join(dir, 'pipe.err'), 'utf8')).toBe('');
    expect(r.stdout.trim()).toBe('0');
  });
  it('live --json | head -2 stops the session as Ctrl-C would: no EPIPE trace, no temp file left', () => {
    const keep = join(dir, 'pipe-keep.wav');
    const model = join(dir, 'pipe-model.json');
    piped(`live --wav "${SAMPLE}" --chunk 0.5 --json --keep "${keep}" --save "${model}"`, 2);
    const err = readFileSync(join(dir, 'pipe.err'), 'utf8');
    expect(err).not.toMatch(/EPIPE|    at /);
    // Ended as after Ctrl-C: what was heard and learnt is written.
    expect(readFileSync(keep).subarray(0, 4).toString()).toBe('RIFF');
    expect(JSON.parse(readFileSync(model, 'utf8'))).toHaveProperty('format', 'dlaudio-autoencoder');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
