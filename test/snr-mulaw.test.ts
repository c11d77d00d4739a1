import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { snr, SEG_MAX_DB, SEG_MIN_DB } from '../src/audio/snr.js';
import { mulawDecode, mulawDecodeSample, mulawEncode, mulawEncodeSample, mulawRoundTrip } from '../src/audio/mulaw.js';
import { telephoneRoundTrip } from '../src/audio/telephone.js';
import { createNetwork } from '../src/model/network.js';
import { reconstructSamples } from '../src/model/reconstruct.js';
import { sine16 } from './helpers/audio-wav-builder.js';
import { sampleInt16, SAMPLE } from './helpers/sample.js';
import { skipWithoutSox, SOX_SKIP_REASON, sox, readPcm16 } from './helpers/audio-sox.js';

describe('SNR', () => {
  it('is 10·log10(signal energy / error energy), over the common length', () => {
    const x = Int16Array.from([1000, -2000, 3000, 0]);
    const y = Int16Array.from([1010, -2000, 2990, 0, 555]);
    expect(snr(x, y).snr).toBeCloseTo(10 * Math.log10((1000 ** 2 + 2000 ** 2 + 3000 ** 2) / 200), 12);
    expect(snr(x, x).snr).toBe(Infinity);
  });

  it('halving the error gains 6.02 dB', () => {
    const x = sine16(1600, 300, 16000, 8000);
    const y1 = x.map((v, i) => v + (i % 2 ? 40 : -40));
    const y2 = x.map((v, i) => v + (i % 2 ? 20 : -20));
    expect(snr(x, y2).snr - snr(x, y1).snr).toBeCloseTo(20 * Math.log10(2), 9);
  });

  it('segmental: the mean of per-frame SNRs, each clamped to [−10, 35] dB, digital silence left out', () => {
    const n = 160;
    const x = new Int16Array(4 * n);
    const y = new Int16Array(4 * n);
    for (let i = 0; i < n; i++) {
      x[i] = 1000; y[i] = 1000 + (i % 2 ? 100 : -100); // frame 0: 20 dB
      x[n + i] = 1000; y[n + i] = 1000; // frame 1: perfect → clamped to 35
      x[2 * n + i] = 10; y[2 * n + i] = 1000; // frame 2: hopeless → clamped to −10
      // frame 3: silence in x (and noise in y): no SNR, skipped
      y[3 * n + i] = 50;
    }
    const s = snr(x, y);
    expect(s.segments).toBe(3);
    expect(s.segmental).toBeCloseTo((20 + SEG_MAX_DB + SEG_MIN_DB) / 3, 9);
    expect(snr(new Int16Array(320), new Int16Array(320)).segmental).toBeNaN();
  });
});

/**
 * An identity-like network on a pure tone: a 160-sample frame of a sine lies in the plane of
 * u1 = sin and u2 = cos at that frequency, and relu(u·x) − relu(−u·x) = u·x, so 4 hidden units
 * [u1, −u1, u2, −u2] with V = Wᵀ reproduce the plane's projection P·x exactly.
 * Derived threshold: the 16-bit input is s = tone + e with |e_i| ≤ ½; the output rounds P·s, so
 * s − out = (I − P)e + r with |r_i| ≤ ½; ‖s − out‖ ≤ ‖e‖ + ‖r‖ ≤ √n, i.e. error energy ≤ n (1 LSB²
 * per sample) and SNR ≥ 10·log10(Σs² / n). Float32 weights move P by ~1e-7: far below that.
 */
describe('an identity-like model on a sine', () => {
  it('reaches the SNR derived from 16-bit rounding alone', () => {
    const freq = 437;
    const rate = 16000;
    const s = sine16(160 * 200, freq, rate, 10000);
    const u1 = Array.from({ length: 160 }, (_, i) => Math.sin((2 * Math.PI * freq * i) / rate));
    let u2 = Array.from({ length: 160 }, (_, i) => Math.cos((2 * Math.PI * freq * i) / rate));
    const norm = (v: number[]): number[] => { const l = Math.hypot(...v); return v.map((x) => x / l); };
    const a = norm(u1);
    const dot = a.reduce((sum, v, i) => sum + v * u2[i], 0);
    u2 = norm(u2.map((v, i) => v - dot * a[i]));
    const rows = [a, a.map((v) => -v), u2, u2.map((v) => -v)];
    const net = createNetwork([160, 4, 160]);
    rows.forEach((r, j) => r.forEach((v, i) => { net.layers[0].W[j * 160 + i] = v; net.layers[1].W[i * 4 + j] = v; }));

    const rec = reconstructSamples(net, 32000, s);
    const energy = s.reduce((sum, v) => sum + v * v, 0);
    const threshold = 10 * Math.log10(energy / s.length);
    expect(threshold).toBeGreaterThan(76);
    const got = snr(rec.original, rec.samples);
    expect(got.snr).toBeGreaterThanOrEqual(threshold);
    expect(rec.clipped).toBe(0);

    // The same network without the negative halves (plain relu(u·x)) loses half of each frame: it must fail the threshold.
    const half = createNetwork([160, 2, 160]);
    [a, u2].forEach((r, j) => r.forEach((v, i) => { half.layers[0].W[j * 160 + i] = v; half.layers[1].W[i * 2 + j] = v; }));
    expect(snr(s, reconstructSamples(half, 32000, s).samples).snr).toBeLessThan(10);
  });
});

describe('G.711 µ-law', () => {
  it('known code points: 0 → 0xFF, full scale → 0x80/0x00, decoded to the middle of the step', () => {
    expect(mulawEncodeSample(0)).toBe(0xff);
    expect(mulawEncodeSample(32767)).toBe(0x80);
    expect(mulawEncodeSample(-32768)).toBe(0x00);
    expect(mulawDecodeSample(0xff)).toBe(0);
    expect(mulawDecodeSample(0x80)).toBe(32124);
    expect(mulawDecodeSample(0x00)).toBe(-32124);
    expect(mulawDecodeSample(0xfe)).toBe(8); // segment 0, step 1: segment 0's steps are 8 apart
  });

  it('agrees with wavefile\'s codec on every 16-bit value and every code', () => {
    const all = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) all[i] = i - 32768;
    const w = new wavefile.WaveFile();
    w.fromScratch(1, 16000, '16', all);
    w.toMuLaw();
    const theirs = (w.data as { samples: Uint8Array }).samples;
    expect(mulawEncode(all)).toEqual(theirs);
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const w2 = new wavefile.WaveFile();
    w2.fromScratch(1, 16000, '8m', codes);
    w2.fromMuLaw();
    expect(mulawDecode(codes)).toEqual(w2.getSamples(false, Int16Array));
  });

  it('each sample stays within half a step (a step is 2^(segment+3)) until the clip at 32635', () => {
    for (let x = -32635; x <= 32635; x += 7) {
      const code = mulawEncodeSample(x);
      const segment = ((~code & 0xff) >> 4) & 7;
      expect(Math.abs(mulawDecodeSample(code) - x)).toBeLessThanOrEqual(2 ** (segment + 3) / 2);
    }
  });

  it.skipIf(skipWithoutSox)(`gives the SNR sox gives on the sample (8-bit µ-law and back)${skipWithoutSox ? ` (${SOX_SKIP_REASON})` : ''}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlaudio-mulaw-'));
    try {
      sox('-D', SAMPLE, '-e', 'mu-law', '-b', '8', join(dir, 'mu.wav'));
      sox('-D', join(dir, 'mu.wav'), '-e', 'signed-integer', '-b', '16', join(dir, 'back.wav'));
      const x = sampleInt16();
      const theirs = readPcm16(join(dir, 'back.wav'));
      expect(theirs.length).toBe(x.length);
      expect(snr(x, mulawRoundTrip(x)).snr).toBeCloseTo(snr(x, theirs).snr, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('as on the telephone (8 kHz, 64 kbit/s)', () => {
    it('keeps a 1 kHz tone, removes a 6 kHz one, and returns the input\'s length', () => {
      const low = sine16(16000, 1000, 16000, 8000);
      const high = sine16(16000, 6000, 16000, 8000);
      const lowBack = telephoneRoundTrip(low, 16000);
      expect(lowBack.length).toBe(low.length);
      // µ-law alone gives ~38 dB on a loud tone; the resampling filters must not cost much of it.
      expect(snr(low, lowBack).snr).toBeGreaterThan(30);
      const highBack = telephoneRoundTrip(high, 16000);
      let energy = 0;
      for (const v of highBack) energy += v * v;
      // Above the 4 kHz Nyquist frequency of 8 kHz: nothing audible survives (below −40 dB).
      expect(10 * Math.log10(energy / high.reduce((a, v) => a + v * v, 0))).toBeLessThan(-40);
    });

    it.skipIf(skipWithoutSox)(`is within 1 dB of sox's 8 kHz µ-law round trip on the sample${skipWithoutSox ? ` (${SOX_SKIP_REASON})` : ''}`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'dlaudio-tel-'));
      try {
        sox('-D', SAMPLE, '-r', '8000', '-e', 'mu-law', '-b', '8', join(dir, 'tel.wav'));
        sox('-D', join(dir, 'tel.wav'), '-r', '16000', '-e', 'signed-integer', '-b', '16', join(dir, 'back.wav'));
        const x = sampleInt16();
        const theirs = readPcm16(join(dir, 'back.wav'));
        expect(theirs.length).toBe(x.length);
        expect(Math.abs(snr(x, telephoneRoundTrip(x, 16000)).snr - snr(x, theirs).snr)).toBeLessThan(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
