import { describe, it, expect, beforeAll } from 'vitest';
import { fitPca, pcaEigenvalues, pcaLoss, pcaProject, pcaReference, pcaShapeOf, pcaShapeOfDecoder, type Pca } from '../src/model/pca.js';
import { createNetwork, initNetwork, networkMeanLoss, decoderLayers } from '../src/model/network.js';
import { train } from '../src/model/train.js';
import { Rng } from '../src/model/rng.js';
import { sampleFrames } from './helpers/sample.js';
import { symmetricEigenvalues } from '../src/model/sym-eigenvalues.js';
import { sine16 } from './helpers/audio-wav-builder.js';

const N = 160;

/** M = mean of (x − μ)(x − μ)ᵀ, written the plain way (no symmetry tricks), for checking. */
function secondMoment(data: Float64Array, count: number, mean: Float64Array | null): Float64Array {
  const m = new Float64Array(N * N);
  for (let t = 0; t < count; t++) {
    for (let a = 0; a < N; a++) {
      for (let b = 0; b < N; b++) m[a * N + b] += (data[t * N + a] - (mean?.[a] ?? 0)) * (data[t * N + b] - (mean?.[b] ?? 0));
    }
  }
  return m.map((v) => v / count);
}

/** Mean Σ(Y−X)² of projecting every frame on the first k of `basis` (orthonormal rows), around `mean`. */
function projectionLoss(data: Float64Array, count: number, basis: Float64Array, k: number, mean: Float64Array | null): number {
  let sum = 0;
  for (let t = 0; t < count; t++) {
    const x = Array.from({ length: N }, (_, d) => data[t * N + d] - (mean?.[d] ?? 0));
    const y = new Float64Array(N);
    for (let i = 0; i < k; i++) {
      let c = 0;
      for (let d = 0; d < N; d++) c += basis[i * N + d] * x[d];
      for (let d = 0; d < N; d++) y[d] += c * basis[i * N + d];
    }
    for (let d = 0; d < N; d++) sum += (y[d] - x[d]) ** 2;
  }
  return sum / count;
}

/** Gram–Schmidt on random vectors: a random k-dim subspace. */
function randomBasis(rng: Rng, k: number): Float64Array {
  const b = new Float64Array(k * N);
  for (let i = 0; i < k; i++) {
    for (let d = 0; d < N; d++) b[i * N + d] = rng.uniform(-1, 1);
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let d = 0; d < N; d++) dot += b[i * N + d] * b[j * N + d];
      for (let d = 0; d < N; d++) b[i * N + d] -= dot * b[j * N + d];
    }
    let norm = 0;
    for (let d = 0; d < N; d++) norm += b[i * N + d] ** 2;
    for (let d = 0; d < N; d++) b[i * N + d] /= Math.sqrt(norm);
  }
  return b;
}

describe('PCA of the sample\'s frames (uncentred: the course\'s network has no biases)', () => {
  const { data, count } = sampleFrames();
  let p: Pca;
  let m: Float64Array;
  beforeAll(() => {
    p = fitPca(data, count, N, { centred: false });
    m = secondMoment(data, count, null);
  });

  it('gives orthonormal eigenvectors of M = mean x·xᵀ, eigenvalues largest first', () => {
    for (let i = 0; i < N; i += 7) {
      for (let j = i; j < N; j += 13) {
        let dot = 0;
        for (let d = 0; d < N; d++) dot += p.vectors[i * N + d] * p.vectors[j * N + d];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 10);
      }
      // M v = λ v
      for (let a = 0; a < N; a++) {
        let mv = 0;
        for (let b = 0; b < N; b++) mv += m[a * N + b] * p.vectors[i * N + b];
        expect(mv).toBeCloseTo(p.eigenvalues[i] * p.vectors[i * N + a], 10);
      }
    }
    for (let i = 1; i < N; i++) expect(p.eigenvalues[i]).toBeLessThanOrEqual(p.eigenvalues[i - 1]);
  });

  it('PCA-k loss = the sum of the discarded eigenvalues = trace(M) − top k = the direct projection loss', () => {
    let trace = 0;
    for (let a = 0; a < N; a++) trace += m[a * N + a];
    for (const k of [0, 1, 3, 10, 40, 160]) {
      const loss = pcaLoss(p, k);
      let top = 0;
      for (let i = 0; i < k; i++) top += p.eigenvalues[i];
      expect(loss).toBeCloseTo(trace - top, 9);
      expect(loss).toBeCloseTo(projectionLoss(data, count, p.vectors, k, null), 9);
    }
    expect(pcaLoss(p, 160)).toBeCloseTo(0, 12);
    expect(pcaLoss(p, 0)).toBeCloseTo(trace, 12);
  });

  it('pcaProject is the projection the loss is about', () => {
    const y = new Float64Array(N);
    let sum = 0;
    for (let t = 0; t < count; t++) {
      pcaProject(p, 10, data, t * N, y);
      for (let d = 0; d < N; d++) sum += (y[d] - data[t * N + d]) ** 2;
    }
    expect(sum / count).toBeCloseTo(pcaLoss(p, 10), 9);
  });

  it('no random 10-dim subspace does better', () => {
    const rng = new Rng(9);
    const best = pcaLoss(p, 10);
    for (let r = 0; r < 5; r++) expect(projectionLoss(data, count, randomBasis(rng, 10), 10, null)).toBeGreaterThan(best);
  });

  it('is a bound the trained course network stays above (train --epochs 200 --seed 42, and other sizes)', async () => {
    for (const [hidden, seed, epochs] of [[10, 42, 200], [3, 1, 100], [20, 7, 100]]) {
      const net = createNetwork([N, hidden, N]);
      const rng = new Rng(seed);
      initNetwork(net, rng);
      await train(net, data, count, rng, { lr: 0.01, epochs, shuffle: false });
      const trained = networkMeanLoss(net, data, count);
      const ref = pcaReference(pcaShapeOf(net), data, count);
      expect(ref).toMatchObject({ k: hidden, centred: false, isBound: true });
      expect(ref.loss).toBeLessThanOrEqual(trained);
      // …and SGD gets within a few times of it, so the bound is not vacuous.
      expect(trained / ref.loss).toBeLessThan(3);
    }
  });
});

describe('centred PCA (networks with biases)', () => {
  // The sample's frames shifted by a constant: only a network with biases (an offset) can follow that for free.
  const { data: raw, count } = sampleFrames(120);
  const data = raw.map((v) => v + 0.05);

  it('its loss is the sum of the discarded eigenvalues of the covariance, and beats the uncentred one', () => {
    const c = fitPca(data, count, N, { centred: true });
    const mean = c.mean!;
    expect(mean[0]).toBeCloseTo(raw.slice(0).filter((_, i) => i % N === 0).reduce((s, v) => s + v, 0) / count + 0.05, 12);
    expect(pcaLoss(c, 10)).toBeCloseTo(projectionLoss(data, count, c.vectors, 10, mean), 9);
    const cov = secondMoment(data, count, mean);
    let trace = 0;
    for (let a = 0; a < N; a++) trace += cov[a * N + a];
    expect(pcaLoss(c, 0)).toBeCloseTo(trace, 9);
    expect(pcaLoss(c, 10)).toBeLessThan(pcaLoss(fitPca(data, count, N, { centred: false }), 10));
  });

  it('is chosen for a network with biases; deeper decoders get a reference, not a bound', () => {
    expect(pcaShapeOf(createNetwork([N, 10, N], { bias: true }))).toEqual({ frameSize: N, k: 10, centred: true, isBound: true });
    expect(pcaShapeOf(createNetwork([N, 64, 10, 64, N]))).toEqual({ frameSize: N, k: 10, centred: false, isBound: false });
    // A deep encoder but one linear decoder layer: the output is still in a 10-dim subspace.
    expect(pcaShapeOf(createNetwork([N, 64, 10, N])).isBound).toBe(true);
    const deep = createNetwork([N, 64, 8, 32, N], { bias: true });
    expect(pcaShapeOfDecoder(decoderLayers(deep))).toEqual(pcaShapeOf(deep));
  });
});

describe('PCA on a sine', () => {
  it('two components hold a pure tone: PCA-2 leaves only the 16-bit rounding noise', () => {
    const s = sine16(160 * 100, 437, 16000, 10000);
    const data = Float64Array.from(s, (v) => v / 32000);
    const p = fitPca(data, 100, N, { centred: false });
    const energy = pcaLoss(p, 0);
    // rounding noise: variance 1/12 per sample (in 16-bit units), spread over 158 of 160 directions
    expect(pcaLoss(p, 2)).toBeLessThan((1.5 * 160 * (1 / 12)) / 32000 ** 2);
    expect(pcaLoss(p, 1) / energy).toBeGreaterThan(0.2);
  });
});

describe('PCA of fewer frames than dimensions (train --frames 1, a 10 ms file)', () => {
  // Frames from the middle of the sample, where there is speech.
  const s = sampleFrames(270);
  const frames = (n: number): Float64Array => s.data.slice(250 * N, (250 + n) * N);

  it('k ≥ the frame count: the loss is exactly 0, not rounding noise', () => {
    for (const n of [1, 3, 10]) expect(pcaLoss(fitPca(frames(n), n, N, { centred: false }), 10)).toBe(0);
    // Around their mean, n frames span n − 1 dimensions.
    expect(pcaLoss(fitPca(frames(11), 11, N, { centred: true }), 10)).toBe(0);
  });

  it('below that rank the discarded eigenvalues still count', () => {
    const p = fitPca(frames(3), 3, N, { centred: false });
    expect(pcaLoss(p, 2)).toBeGreaterThan(0);
    expect(pcaLoss(p, 2)).toBeCloseTo(projectionLoss(frames(3), 3, p.vectors, 2, null), 12);
  });
});

describe('the bound without eigenvectors (train): symmetricEigenvalues', () => {
  // numpy 2.4: np.linalg.eigvalsh of M = XᵀX / count (X: the bundled sample's 500 frames / 32000),
  // sum of all but the k largest; centred: of the covariance.
  const NUMPY: Array<[number, boolean, number]> = [
    [1, false, 1.0032333906803985],
    [10, false, 0.43165752497875043],
    [32, false, 0.05111888431018313],
    [10, true, 0.43051478369376733],
  ];
  const { data, count } = sampleFrames();
  for (const [k, centred, expected] of NUMPY) {
    it(`PCA-${k}${centred ? ', centred' : ''}: numpy's value to 1e-12 relative, and ml-matrix's`, () => {
      const bound = pcaLoss({ eigenvalues: pcaEigenvalues(data, count, N, { centred }) }, k);
      expect(Math.abs(bound - expected) / expected).toBeLessThan(1e-12);
      const full = pcaLoss(fitPca(data, count, N, { centred }), k);
      expect(Math.abs(bound - full) / full).toBeLessThan(1e-12);
    });
  }

  it('every eigenvalue matches ml-matrix\'s, on random matrices of several sizes (diagonal and rank-1 ones too)', () => {
    const rng = new Rng(7);
    for (const n of [1, 2, 3, 17, 60]) {
      const frames = new Float64Array(n * 3 * n);
      for (let i = 0; i < frames.length; i++) frames[i] = rng.uniform(-1, 1);
      const ours = pcaEigenvalues(frames, 3 * n, n, { centred: false });
      const theirs = fitPca(frames, 3 * n, n, { centred: false }).eigenvalues;
      for (let i = 0; i < n; i++) expect(ours[i]).toBeCloseTo(theirs[i], 12);
    }
    expect(Array.from(symmetricEigenvalues(Float64Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 4 - i / 5 : 0)), 4))).toEqual([4, 3, 2, 1]);
    // Rank-deficient: a pure tone (two eigenvalues, the rest rounding noise), with and without a
    // whisper of noise, and exact silence; the sum of all eigenvalues is the trace whatever the rank.
    for (const noise of [0, 1e-9]) {
      const tone = Float64Array.from({ length: 300 * N }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 1000 * i) / 16000) + noise * Math.sin(i * i));
      const ev = pcaEigenvalues(tone, 300, N, { centred: false });
      const trace = tone.reduce((s, v) => s + v * v, 0) / 300;
      expect(ev.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 10);
      expect(pcaLoss({ eigenvalues: ev }, 2)).toBeLessThan(1e-12);
    }
    expect(Array.from(pcaEigenvalues(new Float64Array(4 * N), 4, N, { centred: true }))).toEqual(new Array(N).fill(0));
    const one = pcaEigenvalues(Float64Array.from({ length: 8 }, (_, i) => i + 1), 1, 8, { centred: false });
    expect(one[0]).toBeCloseTo(204, 12); // 1² + … + 8²
    expect(Array.from(one.subarray(1))).toEqual(new Array(7).fill(0));
  });
});
