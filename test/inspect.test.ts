// The numbers behind the report's pictures: spectra (fft.js), the units' shares, the subspace figure.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dominantFrequency, magnitudeSpectrum, spectrogram } from '../src/audio/spectrum.js';
import { codeSubspace, subspaceFit } from '../src/model/subspace.js';
import { worstFrames } from '../src/cli/report/frame-loss.js';
import { level, PALETTE } from '../src/cli/report/spectrogram.js';
import { fitPca } from '../src/model/pca.js';
import { frameLosses, inspectUnits } from '../src/model/inspect.js';
import { createNetwork, initNetwork, networkMeanLoss } from '../src/model/network.js';
import { Rng } from '../src/model/rng.js';
import { sampleFrames } from './helpers/sample.js';

const RATE = 16000;
const N = 160;
const tone = (hz: number, n = N, amp = 1, phase = 0.3): Float64Array => Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / RATE + phase));

describe('spectra (fft.js)', () => {
  it('the magnitude spectrum is the plain DFT\'s', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => Math.sin(i * 0.37) + 0.2 * ((i * 7919) % 13) - 1);
    const mag = magnitudeSpectrum(x, 128);
    expect(mag).toHaveLength(65);
    for (const k of [0, 1, 7, 30, 64]) {
      let re = 0;
      let im = 0;
      for (let t = 0; t < x.length; t++) {
        re += x[t] * Math.cos((2 * Math.PI * k * t) / 128);
        im -= x[t] * Math.sin((2 * Math.PI * k * t) / 128);
      }
      expect(mag[k]).toBeCloseTo(Math.hypot(re, im), 9);
    }
  });

  it('a pure tone of 160 samples peaks at its frequency', () => {
    for (const hz of [250, 1000, 3137, 6000]) expect(Math.abs(dominantFrequency(tone(hz), RATE) - hz)).toBeLessThan(8);
  });

  it('a spectrogram of a tone has its peak in the tone\'s row in every column, on a dB scale', () => {
    const x = tone(2000, 8000, 10000);
    const s = spectrogram(x, { window: 256, hop: 160, sampleRate: RATE });
    expect(s.columns).toBe(50);
    expect(s.bins).toBe(129);
    expect(s.binHz).toBe(62.5);
    for (let c = 2; c < s.columns - 2; c++) {
      let best = 0;
      for (let k = 0; k < s.bins; k++) if (s.db[c * s.bins + k] > s.db[c * s.bins + best]) best = k;
      expect(best * s.binHz).toBe(2000);
    }
    // Hann-windowed sine of amplitude A: peak |X| = A·window/4, so power A²·256²/16.
    expect(s.db[10 * s.bins + 32]).toBeCloseTo(10 * Math.log10((10000 * 256 / 4) ** 2), 1);
  });
});

/** n × k row-major columns from k vectors of length n. */
function asColumns(vectors: Float64Array[], n = N): Float64Array {
  const k = vectors.length;
  const out = new Float64Array(n * k);
  vectors.forEach((v, j) => { for (let i = 0; i < n; i++) out[i * k + j] = v[i]; });
  return out;
}

describe('subspace figure: principal angles between span(V) and PCA\'s top 10', () => {
  const { data, count } = sampleFrames();
  const pca = fitPca(data, count, N, { centred: false });
  const eig = (i: number): Float64Array => pca.vectors.slice(i * N, (i + 1) * N);

  it('V = the top-10 eigenvectors scores 100 %, also mixed and rescaled', () => {
    const top = Array.from({ length: 10 }, (_, i) => eig(i));
    expect(subspaceFit(asColumns(top), N, 10, pca.vectors).share).toBeCloseTo(1, 10);
    const rng = new Rng(5);
    const mixed = top.map(() => {
      const v = new Float64Array(N);
      for (const e of top) { const c = rng.uniform(-1, 1); for (let d = 0; d < N; d++) v[d] += c * e[d] * 3; }
      return v;
    });
    const fit = subspaceFit(asColumns(mixed), N, 10, pca.vectors);
    expect(fit.share).toBeCloseTo(1, 8);
    expect(fit.anglesDeg.every((a) => a < 1e-4)).toBe(true);
  });

  it('eigenvectors 11–20 score 0 %; cos θ·eᵢ + sin θ·e₁₀₊ᵢ scores cos²θ', () => {
    expect(subspaceFit(asColumns(Array.from({ length: 10 }, (_, i) => eig(10 + i))), N, 10, pca.vectors).share).toBeCloseTo(0, 10);
    const th = 0.6;
    const tilted = Array.from({ length: 10 }, (_, i) => eig(i).map((v, d) => Math.cos(th) * v + Math.sin(th) * eig(10 + i)[d]));
    const fit = subspaceFit(asColumns(tilted), N, 10, pca.vectors);
    expect(fit.share).toBeCloseTo(Math.cos(th) ** 2, 10);
    for (const a of fit.anglesDeg) expect(a).toBeCloseTo((th * 180) / Math.PI, 6);
  });

  it('a V with a dead (zero) unit spans at most 9/10', () => {
    const cols = Array.from({ length: 10 }, (_, i) => (i === 3 ? new Float64Array(N) : eig(i)));
    const fit = subspaceFit(asColumns(cols), N, 10, pca.vectors);
    expect(fit.rank).toBe(9);
    expect(fit.share).toBeCloseTo(0.9, 10);
  });

  it('a random V scores what numpy gives (its own second moment, eigh, QR and SVD)', (ctx) => {
    const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0);
    if (!python) {
      if (process.env.CI === 'true') throw new Error('numpy is required in CI (Debian: apt install python3-numpy)');
      ctx.skip('numpy is not installed (Debian: apt install python3-numpy): the independent oracle is skipped');
      return;
    }
    const rng = new Rng(11);
    const v = Float64Array.from({ length: N * 10 }, () => rng.uniform(-0.1, 0.1));
    const dir = mkdtempSync(join(tmpdir(), 'dlaudio-subspace-'));
    try {
      writeFileSync(join(dir, 'x.bin'), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      writeFileSync(join(dir, 'v.bin'), Buffer.from(v.buffer));
      const py = spawnSync(python, ['-c', `
import numpy as np, sys
d = sys.argv[1]
X = np.fromfile(d + '/x.bin', dtype='<f8').reshape(-1, 160)
V = np.fromfile(d + '/v.bin', dtype='<f8').reshape(160, 10)
M = X.T @ X / X.shape[0]
w, U = np.linalg.eigh(M)
U = U[:, np.argsort(w)[::-1][:10]]
Q, _ = np.linalg.qr(V)
c = np.linalg.svd(Q.T @ U, compute_uv=False)
print(' '.join(repr(float(x)) for x in [np.sum(c**2) / 10, *c]))
`, dir], { encoding: 'utf8' });
      expect(py.status, py.stderr).toBe(0);
      const [share, ...cos] = py.stdout.trim().split(' ').map(Number);
      const fit = subspaceFit(v, N, 10, pca.vectors);
      expect(fit.share).toBeCloseTo(share, 9);
      fit.cosines.forEach((c, i) => expect(c).toBeCloseTo(cos[i], 7));
      expect(fit.share).toBeGreaterThan(0);
      expect(fit.share).toBeLessThan(0.5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the units of the course\'s network', () => {
  it('atoms are V\'s columns, ordered by Σ z²·‖V_j‖², each with its tone\'s frequency; W\'s rows follow', () => {
    const h = 4;
    const net = createNetwork([N, h, N], { precision: 'float64' });
    const [enc, dec] = net.layers;
    const hz = [500, 1500, 3000, 5000];
    const amp = [0.1, 0.4, 0.2, 0.05];
    // W row j picks sample j; V column j is a tone of amplitude amp[j].
    for (let j = 0; j < h; j++) {
      enc.W[j * N + j] = 1;
      const t = tone(hz[j], N, amp[j]);
      for (let i = 0; i < N; i++) dec.W[i * h + j] = t[i];
    }
    const count = 50;
    const rng = new Rng(2);
    const frames = Float64Array.from({ length: count * N }, () => rng.uniform(-1, 1));
    const u = inspectUnits(net, frames, count, RATE);
    expect(u.course).toBe(true);
    expect(u.atoms).toHaveLength(h);
    const e = Array.from({ length: h }, (_, j) => {
      let s = 0;
      for (let t = 0; t < count; t++) s += Math.max(0, frames[t * N + j]) ** 2;
      return s * tone(hz[j], N, amp[j]).reduce((a, x) => a + x * x, 0);
    });
    const total = e.reduce((a, x) => a + x, 0);
    for (const a of u.atoms) {
      expect(a.share).toBeCloseTo(e[a.index] / total, 12);
      expect(Math.abs(a.hz - hz[a.index])).toBeLessThan(10);
    }
    expect(u.atoms.map((a) => a.index)).toEqual([...e.keys()].sort((a, b) => e[b] - e[a]));
    expect(u.filters.map((f) => f.index)).toEqual(u.atoms.map((a) => a.index));
    expect(u.filters[0].samples[u.filters[0].index]).toBe(1);
  });

  it('a deeper network shows its first layer\'s filters and its last layer\'s atoms, at most 10', () => {
    const net = createNetwork([N, 32, 6, 32, N], { bias: true });
    initNetwork(net, new Rng(1));
    const { data, count } = sampleFrames(40);
    const u = inspectUnits(net, data, count, RATE);
    expect(u.course).toBe(false);
    expect([u.atoms.length, u.filters.length, u.atomUnits, u.filterUnits]).toEqual([10, 10, 32, 32]);
    expect(u.atoms[0].samples).toHaveLength(N);
    for (let i = 1; i < 10; i++) expect(u.atoms[i].share).toBeLessThanOrEqual(u.atoms[i - 1].share);
  });

  it('the frame losses average to the model loss', () => {
    const net = createNetwork([N, 10, N]);
    initNetwork(net, new Rng(3));
    const { data, count } = sampleFrames(100);
    const l = frameLosses(net, data, count);
    expect(l.reduce((a, x) => a + x, 0) / count).toBeCloseTo(networkMeanLoss(net, data, count), 14);
  });
});

describe('the pictures\' own choices', () => {
  it('the five worst moments are the highest losses at least 20 frames apart, worst first', () => {
    const l = new Float64Array(200).fill(1);
    l[50] = 9; l[51] = 8.5; l[52] = 8; // one hard sound over three frames: one moment, not three
    l[120] = 7; l[10] = 6; l[180] = 5; l[160] = 4; l[95] = 3;
    l[3] = NaN;
    expect(worstFrames(l)).toEqual([50, 120, 10, 180, 160]);
    expect(worstFrames(new Float64Array(3).fill(2))).toEqual([0]);
  });

  it('the colour scale: the loudest cell is the brightest colour, 70 dB below and quieter the darkest', () => {
    expect(level(-3, -3)).toBe(PALETTE.length - 1);
    expect(level(-73, -3)).toBe(0);
    expect(level(-Infinity, -3)).toBe(0);
    expect(level(-38, -3)).toBe(Math.round((PALETTE.length - 1) / 2));
  });

  it('a code trained on fewer frames than it has units is compared on the directions those frames fill', () => {
    // 3 frames span 3 dimensions: the best 10-dimensional subspace is only fixed in 3 of them.
    const { data } = sampleFrames(3);
    const net = createNetwork([N, 10, N], { precision: 'float64' });
    const pca = fitPca(data, 3, N, { centred: false });
    for (let j = 0; j < 10; j++) for (let i = 0; i < N; i++) net.layers[1].W[i * 10 + j] = j < 3 ? pca.vectors[j * N + i] : Math.sin(i * (j + 1));
    const fit = codeSubspace(net, { k: 10, isBound: true, pca });
    expect(fit!.k).toBe(3);
    expect(fit!.share).toBeCloseTo(1, 9);
  });
});
