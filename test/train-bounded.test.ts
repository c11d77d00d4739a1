/**
 * Very long or very wide training stays bounded: the loss history of a long run is kept in fixed
 * memory, and a long epoch is cut into slices (so Ctrl-C lands) without changing the result; when Ctrl-C skips the model-loss pass the summary says so.
 */
import { describe, it, expect } from 'vitest';
import { LossHistory } from '../src/model/loss-history.js';
import { createNetwork, initNetwork, type Network } from '../src/model/network.js';
import { train, meanLossYielding, type TrainOptions } from '../src/model/train.js';
import { networkMeanLoss } from '../src/model/network.js';
import { Rng } from '../src/model/rng.js';
import { fmtModelLoss, modelLossJson, pcaJson, pcaLossLine } from '../src/cli/quality.js';
import type { PcaBound } from '../src/model/pca.js';

describe('LossHistory', () => {
  it('keeps every loss up to its exact limit', () => {
    const h = new LossHistory(100, 10, 5);
    for (let e = 0; e < 100; e++) h.push(e);
    expect(h.bucketed).toBe(false);
    expect(h.series()).toEqual(Array.from({ length: 100 }, (_, e) => e));
    expect(h.summary()).toBeNull();
  });

  it('past it: at most the bucket limit, min/mean/max exact per bucket, the ends exact', () => {
    const h = new LossHistory(100, 10, 5);
    const all: number[] = [];
    for (let e = 0; e < 12_345; e++) {
      const x = Math.sin(e) * 10 + e / 100;
      all.push(x);
      h.push(x);
    }
    const s = h.summary();
    expect(s).not.toBeNull();
    if (s === null) return;
    expect(h.count).toBe(12_345);
    expect(s.buckets.length).toBeLessThanOrEqual(10);
    expect(s.buckets[0].from).toBe(1);
    expect(s.buckets[s.buckets.length - 1].to).toBe(12_345);
    for (const b of s.buckets) {
      const part = all.slice(b.from - 1, b.to);
      expect(b.min).toBe(Math.min(...part));
      expect(b.max).toBe(Math.max(...part));
      expect(b.mean).toBeCloseTo(part.reduce((a, x) => a + x, 0) / part.length, 9);
    }
    expect(s.first).toEqual(all.slice(0, 5));
    expect(s.last).toEqual(all.slice(-5));
    expect(h.first).toBe(all[0]);
    expect(h.last).toBe(all[all.length - 1]);
    expect(h.series()).toHaveLength(s.buckets.length);
  });

  it('a NaN epoch (divergence) shows in its bucket', () => {
    const h = new LossHistory(4, 4, 2);
    for (let e = 0; e < 20; e++) h.push(e === 13 ? NaN : 1);
    const s = h.summary();
    expect(s?.buckets.some((b) => Number.isNaN(b.max))).toBe(true);
  });
});

function net(sizes: number[], seed: number): Network {
  const n = createNetwork(sizes, { bias: true });
  initNetwork(n, new Rng(seed));
  return n;
}

function frames(count: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: count * 160 }, () => (rng.next() - 0.5) * 0.4);
}

describe('long epochs in slices', () => {
  const cases: Array<[string, Partial<TrainOptions>]> = [
    ['per-sample SGD', {}],
    ['batch 8, adam, shuffled', { batch: 8, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999 }, shuffle: true }],
  ];
  for (const engine of ['backprop', 'backprop-ts'] as const) {
    for (const [name, extra] of cases) {
      it(`${engine}, ${name}: slices of 16 frames give the weights of one call per epoch`, async () => {
        const data = frames(100, 1);
        const whole = net([160, 12, 6, 12, 160], 2);
        const sliced = net([160, 12, 6, 12, 160], 2);
        const base = { lr: 0.01, epochs: 3, shuffle: false, engine, ...extra };
        const a = await train(whole, data, 100, new Rng(5), { ...base, sliceWork: Infinity });
        const params = whole.layers.reduce((s, l) => s + l.W.length + (l.b?.length ?? 0), 0);
        const b = await train(sliced, data, 100, new Rng(5), { ...base, sliceWork: 16 * params });
        whole.layers.forEach((l, k) => expect(Array.from(sliced.layers[k].W)).toEqual(Array.from(l.W)));
        expect(b.epochs).toBe(3);
        b.losses.forEach((x, e) => expect(x).toBeCloseTo(a.losses[e], 10));
      });
    }
  }

  it('a stop asked during a long epoch lands inside it, not after it', async () => {
    const data = frames(2000, 3);
    const n = net([160, 256, 256, 160], 4);
    let stop = false;
    setTimeout(() => { stop = true; }, 100);
    // One slice per frame, and far more work per epoch than 100 ms: only an in-epoch check can stop it.
    const r = await train(n, data, 2000, new Rng(1), { lr: 0.001, epochs: 1000, shuffle: false, engine: 'backprop-ts', sliceWork: 1, initialLoss: 1, shouldStop: () => stop });
    expect(r.stopped).toBe('interrupted');
    expect(r.epochs).toBe(0);
  });

  it('the loss passes yield too, and give the same mean', async () => {
    const data = frames(50, 5);
    const n = net([160, 20, 160], 6);
    const whole = networkMeanLoss(n, data, 50);
    expect(await meanLossYielding(n, data, 50)).toBe(whole);
    let stop = false;
    setTimeout(() => { stop = true; }, 50);
    const wide = net([160, 2048, 2048, 160], 7);
    expect(await meanLossYielding(wide, frames(2000, 8), 2000, () => stop)).toBeNaN();
  });
});

describe('the PCA line when the model loss was not measured (train interrupted before a long pass)', () => {
  const ref: PcaBound = { frameSize: 160, k: 10, centred: false, isBound: true, loss: 0.002 };
  it('says not measured, not "diverged", and gives no ratio', () => {
    expect(pcaLossLine(ref, null)).toBe('PCA-10 bound: 0.002 — yours: not measured (interrupted)');
    expect(fmtModelLoss(null)).toBe('not measured (interrupted)');
  });
  it('keeps the other cases: a measured loss with its ratio, NaN as diverged weights', () => {
    expect(pcaLossLine(ref, 0.003)).toBe('PCA-10 bound: 0.002 — yours: 0.003, 1.5× the bound');
    expect(pcaLossLine(ref, NaN)).toBe('PCA-10 bound: 0.002 — yours: not a number (diverged weights)');
  });
  it('a code as wide as the frame: PCA\'s 0 says why, with no ratio', () => {
    const wide: PcaBound = { frameSize: 160, k: 4096, centred: true, isBound: false, loss: 0 };
    expect(pcaLossLine(wide, 0.004)).toBe('PCA-4096 reference: 0 (a 4096-number code is as wide as the 160-sample frame: nothing to compress) — yours: 0.004');
  });
  it('--json: null with the reason when not measured; null without one when diverged', () => {
    expect(pcaJson(ref, null)).toMatchObject({ modelLoss: null, modelLossNotMeasured: 'interrupted', ratio: null });
    expect(JSON.parse(JSON.stringify(pcaJson(ref, NaN)))).toEqual({ k: 10, centred: false, isBound: true, loss: 0.002, modelLoss: null, ratio: null });
    expect(pcaJson(ref, 0.003)).toMatchObject({ modelLoss: 0.003, ratio: 1.5 });
    expect(pcaJson(ref, 0.003)).not.toHaveProperty('modelLossNotMeasured');
    expect(modelLossJson(null)).toEqual({ modelLoss: null, modelLossNotMeasured: 'interrupted' });
  });
});
