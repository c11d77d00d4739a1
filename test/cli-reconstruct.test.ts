import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, readdirSync, existsSync, mkdirSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBin, unwrap } from './helpers/run.js';
import { SAMPLE_FRAMES, sampleInt16 } from './helpers/sample.js';
import { readPcm16 } from './helpers/audio-sox.js';
import { worstSampleError, diffAgainstBound } from './helpers/codec-bound.js';
import { readDla } from '../src/audio/dla.js';
import { halfSteps } from '../src/model/codec.js';
import { snr } from '../src/audio/snr.js';
import { encodeWav16 } from '../src/audio/wav.js';

let dir: string;
let model: string;
let trainJson: { modelLoss: number; pca: { k: number; isBound: boolean; centred: boolean; loss: number; ratio: number }; reconstruction: { path: string; snrDb: number; segmentalSnrDb: number; clipped: number; frames: number } };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dlaudio-codec-'));
  model = join(dir, 'model.json');
  const r = await runBin(['train', '--epochs', '200', '--seed', '42', '--save', model, '--out-wav', join(dir, 'train-recon.wav'), '--json']);
  expect(r.code, r.stderr).toBe(0);
  trainJson = JSON.parse(r.stdout);
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/** A user error: one line on stderr, no stack trace. */
function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

/** Nothing half-written: no temp file and none of the named outputs in `folder`. */
function expectNoOutput(folder: string, ...names: string[]): void {
  const left = readdirSync(folder);
  expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  for (const n of names) expect(left).not.toContain(n);
}

describe('train: the PCA bound and --out-wav', () => {
  it('--json has the PCA-10 bound below the trained loss and the reconstruction\'s SNR', () => {
    expect(trainJson.pca).toMatchObject({ k: 10, isBound: true, centred: false });
    expect(trainJson.pca.loss).toBeLessThanOrEqual(trainJson.modelLoss);
    expect(trainJson.pca.ratio).toBeCloseTo(trainJson.modelLoss / trainJson.pca.loss, 12);
    const wav = readPcm16(join(dir, 'train-recon.wav'));
    const original = sampleInt16().subarray(0, SAMPLE_FRAMES * 160);
    expect(wav.length).toBe(SAMPLE_FRAMES * 160);
    expect(trainJson.reconstruction.snrDb).toBeCloseTo(snr(original, wav).snr, 9);
    expect(trainJson.reconstruction.frames).toBe(SAMPLE_FRAMES);
  });

  it('the summary prints the PCA line and the reconstruction line', async () => {
    const r = await runBin(['train', '--epochs', '20', '--seed', '3', '--out-wav', join(dir, 'short.wav')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PCA-10 bound: [\d.]+ — yours: [\d.]+, [\d.]+× the bound/m);
    expect(unwrap(r.stdout, 16)).toMatch(/^reconstruction: .*short\.wav, SNR -?[\d.]+ dB, segmental -?[\d.]+ dB, clipped 0 samples/m);
  });

  it('a deeper network gets a PCA reference, not a bound', async () => {
    const r = await runBin(['train', '--epochs', '2', '--seed', '3', '--layers', '160,32,10,32,160', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).pca).toMatchObject({ k: 10, isBound: false });
  });

  it('--out-wav into a missing folder is refused before training', async () => {
    const r = await runBin(['train', '--epochs', '200', '--out-wav', join(dir, 'nope', 'x.wav')]);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr.split('\n').filter((l) => l.startsWith('dlaudio:')).join('\n'), /the folder .*nope does not exist/);
    expect(r.stderr).not.toContain('Training');
  });
});

describe('dlaudio reconstruct', () => {
  it('writes every frame through the model as a 16 kHz WAV and prints SNR, clipping, PCA and µ-law', async () => {
    const out = join(dir, 'recon.wav');
    const r = await runBin(['reconstruct', '--model', model, '--wav', 'fixtures/sample.wav', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    for (const re of [/^SNR: +-?[\d.]+ dB +segmental -?[\d.]+ dB$/m, /^clipped: +0 samples$/m, /^PCA-10 bound: +[\d.]+ dB/m, /^µ-law 8-bit: +[\d.]+ dB .*\(64 kbit\/s, the telephone's G\.711: 8 kHz/m, /^µ-law 16 kHz: +[\d.]+ dB .*128 kbit\/s/m, /^loss: .*PCA-10 bound: [\d.]+ — yours/m]) {
      expect(unwrap(r.stdout, 18)).toMatch(re); // 80 columns: notes go under the value
    }
    const header = readFileSync(out).subarray(0, 44);
    expect(header.readUInt32LE(24)).toBe(16000);
    expect(header.readUInt16LE(22)).toBe(1);
    // the same model on the same audio as train --out-wav: the same file
    expect(readFileSync(out)).toEqual(readFileSync(join(dir, 'train-recon.wav')));
  });

  it('--json: SNR as measured from the files, PCA SNR above the model\'s, µ-law near 37 dB', async () => {
    const r = await runBin(['reconstruct', '--model', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.output).toBeNull();
    expect(j.snrDb).toBeCloseTo(trainJson.reconstruction.snrDb, 9);
    expect(j.pca.snrDb).toBeGreaterThan(j.snrDb);
    expect(j.pca.loss).toBeCloseTo(trainJson.pca.loss, 12);
    expect(j.mulaw.kbps).toBe(128);
    expect(j.mulaw.snrDb).toBeGreaterThan(30);
    // At 8 kHz everything above 4 kHz is gone: far below 16 kHz µ-law, still above the 10-number code.
    expect(j.mulawTelephone.kbps).toBe(64);
    expect(j.mulawTelephone.snrDb).toBeLessThan(j.mulaw.snrDb - 10);
    expect(j.mulawTelephone.snrDb).toBeGreaterThan(j.snrDb);
    expect(j.loss).toBeCloseTo(trainJson.modelLoss, 6);
  });

  it('refuses a missing or broken model, and --out on the input', async () => {
    let r = await runBin(['reconstruct', '--model', join(dir, 'missing.json')]);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr.split('\n').filter((l) => l.startsWith('dlaudio:')).join('\n'), /model file not found/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"format":"dlaudio-autoencoder"');
    r = await runBin(['reconstruct', '--model', broken, '--out', join(dir, 'b.wav')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a valid dlaudio model/);
    expectNoOutput(dir, 'b.wav');
    r = await runBin(['reconstruct', '--model', model, '--wav', 'fixtures/sample.wav', '--out', 'fixtures/sample.wav']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is also an input/);
    r = await runBin(['reconstruct', '--wav', 'fixtures/sample.wav']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '--model/);
  });
});

describe('dlaudio compress / decompress', () => {
  const original = sampleInt16();

  for (const [bits, kbps, ratio] of [[4, 4, 64], [8, 8, 32], [16, 16, 16]]) {
    it(`${bits} bits: ${kbps} kbit/s, ×${ratio}; decompress gives reconstruct's samples up to the quantisation step`, async () => {
      const dla = join(dir, `s${bits}.dla`);
      const c = await runBin(['compress', 'fixtures/sample.wav', '--model', model, '-o', dla, '--bits', String(bits), '--json']);
      expect(c.code, c.stderr).toBe(0);
      const cj = JSON.parse(c.stdout);
      expect(cj).toMatchObject({ bits, kbps, pcmKbps: 256, ratio, frames: SAMPLE_FRAMES, codeSize: 10, range: 'unit' });
      const bytes = readFileSync(dla);
      expect(cj.bytes.total).toBe(bytes.length);

      const out = join(dir, `d${bits}.wav`);
      const d = await runBin(['decompress', dla, '-o', out, '--ref', 'fixtures/sample.wav', '--json']);
      expect(d.code, d.stderr).toBe(0);
      const dj = JSON.parse(d.stdout);
      expect(dj).toMatchObject({ bits, kbps, ratio, frames: SAMPLE_FRAMES, clipped: 0 });
      const decoded = readPcm16(out);
      expect(dj.snrDb).toBeCloseTo(snr(original.subarray(0, decoded.length), decoded).snr, 9);
      expect(dj.snrDb).toBeCloseTo(cj.snrDb, 9); // compress measured what decompress makes

      const f = readDla(bytes, dla);
      const bound = worstSampleError(f.decoder, halfSteps(f.maxima, f.codeSize, f.bits), f.scale);
      const reconstructed = readPcm16(join(dir, 'train-recon.wav'));
      const { worstRatio } = diffAgainstBound(decoded, reconstructed, bound);
      expect(worstRatio).toBeLessThanOrEqual(1);
      expect(cj.unquantised.snrDb).toBeCloseTo(trainJson.reconstruction.snrDb, 9);
    });
  }

  it('human output: bitrate, ratio, file size, SNR, µ-law and PCA lines', async () => {
    const c = await runBin(['compress', 'fixtures/sample.wav', '--model', model, '-o', join(dir, 'h.dla')]);
    expect(c.code, c.stderr).toBe(0);
    expect(unwrap(c.stdout, 18)).toMatch(/^bitrate: +10 codes × 8 bits × 100 frames\/s = 8 kbit\/s +\(16-bit PCM: 256 kbit\/s, ratio ×32\)$/m);
    expect(unwrap(c.stdout, 18)).toMatch(/^output: .*h\.dla, 11 488 bytes = header 36 \+ decoder 6 408 \+ ranges 40 \+ codes 5 000 \+ CRC 4$/m);
    expect(c.stdout).toMatch(/^SNR: +-?[\d.]+ dB/m);
    expect(c.stdout).toMatch(/^PCA-10 bound: /m);
    expect(c.stdout).toMatch(/^µ-law 8-bit: /m);
    const d = await runBin(['decompress', join(dir, 'h.dla'), '-o', join(dir, 'h.wav')]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/^SNR: +add --ref original\.wav/m);
    expect(d.stdout).toMatch(/ratio ×32/);
  });

  it('--range file stores one range; --bits must be 4, 8 or 16 (exit 2)', async () => {
    const c = await runBin(['compress', 'fixtures/sample.wav', '--model', model, '-o', join(dir, 'f.dla'), '--range', 'file', '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout).bytes.maxima).toBe(4);
    for (const bad of ['5', '0', 'eight']) {
      const r = await runBin(['compress', 'fixtures/sample.wav', '--model', model, '-o', join(dir, 'x.dla'), '--bits', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/expected 4, 8 or 16/);
    }
    const r = await runBin(['compress', 'fixtures/sample.wav', '--model', model, '-o', join(dir, 'x.dla'), '--range', 'frame']);
    expect(r.code).toBe(2);
    expectNoOutput(dir, 'x.dla');
  });

  it('decompress --ref with another length warns and compares the common frames', async () => {
    const short = join(dir, 'short-ref.wav');
    writeFileSync(short, encodeWav16(original.subarray(0, 100 * 160 + 37), 16000));
    const r = await runBin(['decompress', join(dir, 's8.dla'), '-o', join(dir, 'ref.wav'), '--ref', short, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*short-ref\.wav has 100 frames and .*s8\.dla 500: comparing the first 100/);
    const j = JSON.parse(r.stdout);
    expect(j.comparedFrames).toBe(100);
    const decoded = readPcm16(join(dir, 'ref.wav'));
    expect(decoded.length).toBe(SAMPLE_FRAMES * 160);
    expect(j.snrDb).toBeCloseTo(snr(original.subarray(0, 16000), decoded.subarray(0, 16000)).snr, 9);
  });

  it('refuses an output folder that is missing, or a folder as output', async () => {
    let r = await runBin(['compress', 'fixtures/sample.wav', '--model', model, '-o', join(dir, 'nope', 'x.dla')]);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /cannot write .*x\.dla: the folder .*nope does not exist/);
    mkdirSync(join(dir, 'folder.dla'));
    r = await runBin(['compress', 'fixtures/sample.wav', '--model', model, '-o', join(dir, 'folder.dla')]);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /it is a folder/);
    r = await runBin(['decompress', join(dir, 's8.dla'), '-o', join(dir, 'nope', 'x.wav')]);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /the folder .*nope does not exist/);
  });

  it('refuses every kind of damaged .dla with one line, exit 1, and writes nothing', async () => {
    const good = readFileSync(join(dir, 's8.dla'));
    const bad = join(dir, 'damaged');
    mkdirSync(bad);
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty.dla', new Uint8Array(0), /is empty/],
      ['wav.dla', readFileSync('fixtures/sample.wav').subarray(0, 2000), /is not a \.dla file/],
      ['v9.dla', Uint8Array.from(good, (b, i) => (i === 4 ? 9 : b)), /version 9; this dlaudio reads version 1/],
      ['flipped.dla', Uint8Array.from(good, (b, i) => (i === 5000 ? b ^ 1 : b)), /checksum mismatch/],
      ['extra.dla', Buffer.concat([good, Buffer.from([0])]), /1 unexpected bytes after its end/],
      ...[2, 11, 36, 500, 6444, 10000, good.length - 1].map((n): [string, Uint8Array, RegExp] => [`cut${n}.dla`, good.subarray(0, n), /is damaged: it is truncated/]),
    ];
    for (const [name, bytes, pattern] of cases) {
      writeFileSync(join(bad, name), bytes);
      const r = await runBin(['decompress', join(bad, name), '-o', join(bad, 'out.wav')]);
      expect(r.code, name).toBe(1);
      expectOneLine(r.stderr, pattern);
      expect(r.stdout).toBe('');
      expectNoOutput(bad, 'out.wav');
    }
    const r = await runBin(['decompress', join(dir, 'nothing.dla'), '-o', join(bad, 'out.wav')]);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /nothing\.dla: no such file/);
    expect(existsSync(join(bad, 'out.wav'))).toBe(false);
  });

  it('refuses a file far too large to be a .dla before reading it (sparse 1 GiB + 1 byte)', async () => {
    const huge = join(dir, 'huge.dla');
    writeFileSync(huge, '');
    truncateSync(huge, 1024 ** 3 + 1);
    const r = await runBin(['decompress', huge, '-o', join(dir, 'huge.wav')]);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /huge\.dla is too large for a \.dla file: 1 073 741 825 bytes, more than dlaudio's limit of 536 870 912 \(give the file written by `dlaudio compress`\); if you really need more, set DLAUDIO_MAX_FILE_BYTES/);
    expect(existsSync(join(dir, 'huge.wav'))).toBe(false);
    rmSync(huge);
  });
});
