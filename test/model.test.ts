import { describe, it, expect } from 'vitest';
import { createAutoEncoder, initUniform, forward, gradients, sgdStep, meanLoss, type AutoEncoder } from '../src/model/autoencoder.js';
import { SgdKernel } from '../src/model/sgd-kernel.js';
import { gradCheck, gradCheckEachCount, type GradientFn } from '../src/model/gradcheck.js';
import { train } from '../src/model/train.js';
import { Rng } from '../src/model/rng.js';
import { sampleFrames } from './helpers/sample.js';

function randomFrames(rng: Rng, count: number, n = 160): Float64Array {
  const f = new Float64Array(count * n);
  for (let i = 0; i < f.length; i++) f[i] = 0.3 * Math.sin(i * 0.05) + rng.uniform(-0.2, 0.2);
  return f;
}

function cloneNet(net: AutoEncoder): AutoEncoder {
  return { ...net, W: net.W.slice(), V: net.V.slice() };
}

describe('the course gradients', () => {
  it('match central finite differences on random weights and frames', () => {
    const rng = new Rng(7);
    const net = createAutoEncoder(160, 10, 'float64');
    initUniform(net, rng);
    const frames = randomFrames(rng, 3);
    const r = gradCheck(net, frames, 3);
    expect(r.checked).toBeGreaterThan(3000);
    expect(r.maxRelErrorW).toBeLessThan(1e-6);
    expect(r.maxRelErrorV).toBeLessThan(1e-6);
  });

  it('match finite differences on real speech frames with other sizes', () => {
    const { data } = sampleFrames();
    const picked = data.slice(200 * 160, 203 * 160);
    for (const hidden of [1, 3, 32]) {
      const net = createAutoEncoder(160, hidden, 'float64');
      initUniform(net, new Rng(hidden));
      const r = gradCheck(net, picked, 3);
      expect(Math.max(r.maxRelErrorW, r.maxRelErrorV)).toBeLessThan(1e-6);
    }
  });

  it('pass on every frame count from 1 to all 500 of the sample: the error does not grow with the frames', () => {
    // The loss summed over 450 frames used to lose float64 digits (1.14e-6 on correct gradients).
    // 3 hidden units keep it fast; the sums per frame are the same code for any hidden size.
    const { data, count } = sampleFrames();
    const net = createAutoEncoder(160, 3, 'float64');
    initUniform(net, new Rng(1));
    const each = gradCheckEachCount(net, data, count);
    expect(each).toHaveLength(500);
    const worst = each.map((r) => Math.max(r.maxRelErrorW, r.maxRelErrorV));
    expect(Math.max(...worst)).toBeLessThan(1e-6);
    expect(each[36]).toEqual(gradCheck(net, data, 37)); // the same check, count by count
    expect(each[0].checked).toBeGreaterThan(0);
  });

  it('a wrong gradient fails on every frame count too', () => {
    const { data } = sampleFrames();
    const net = createAutoEncoder(160, 3, 'float64');
    initUniform(net, new Rng(1));
    const noTwoInV: GradientFn = (n, x, o, f) => {
      const g = gradients(n, x, o, f);
      return { dV: g.dV.map((v) => v / 2), dW: g.dW };
    };
    const loud = data.subarray(40 * 160, 140 * 160); // frames of voice: the gradients are not all 0
    for (const r of gradCheckEachCount(net, loud, 100, 1e-4, noTwoInV)) expect(r.maxRelErrorV).toBeGreaterThan(0.3);
  });

  it('gradcheck catches a wrong gradient (so it can fail)', () => {
    const rng = new Rng(3);
    const net = createAutoEncoder(160, 10, 'float64');
    initUniform(net, rng);
    const frames = randomFrames(rng, 2);
    // The classic slip: forgetting the factor 2 of d(e²)/de in ∂L/∂W only.
    const noTwoInW: GradientFn = (n, x, o, f) => {
      const g = gradients(n, x, o, f);
      return { dV: g.dV, dW: g.dW.map((v) => v / 2) };
    };
    const bad = gradCheck(net, frames, 2, 1e-4, noTwoInW);
    expect(bad.maxRelErrorW).toBeGreaterThan(0.3); // |a − n| / (|a| + |n|) = 1/3
    expect(bad.maxRelErrorV).toBeLessThan(1e-6);
  });
});

describe('one SGD step, computed by hand', () => {
  it('frame size 2, one hidden unit', () => {
    // x = (0.4, 0.2), W = (0.5, −0.25), V = (1, 2)ᵀ, lr = 0.1
    // pre = 0.15 = z; y = (0.15, 0.3); e = (−0.25, 0.1); L = 0.0725
    // ∂L/∂V = 2e·z = (−0.075, 0.03); Σ V·e = −0.05; ∂L/∂W = 2·(−0.05)·x = (−0.04, −0.02)
    const net = createAutoEncoder(2, 1, 'float64');
    net.W.set([0.5, -0.25]);
    net.V.set([1, 2]);
    const x = new Float64Array([0.4, 0.2]);
    const loss = sgdStep(net, x, 0, 0.1);
    expect(loss).toBeCloseTo(0.0725, 15);
    expect(net.W[0]).toBeCloseTo(0.504, 15);
    expect(net.W[1]).toBeCloseTo(-0.248, 15);
    expect(net.V[0]).toBeCloseTo(1.0075, 15);
    expect(net.V[1]).toBeCloseTo(1.997, 15);
  });

  it('a dead unit (Z = 0) leaves its W row and V column unchanged', () => {
    const net = createAutoEncoder(2, 1, 'float64');
    net.W.set([-0.5, -0.25]);
    net.V.set([1, 2]);
    const x = new Float64Array([0.4, 0.2]);
    expect(sgdStep(net, x, 0, 0.1)).toBeCloseTo(0.2, 15); // y = 0: L = 0.16 + 0.04
    expect(Array.from(net.W)).toEqual([-0.5, -0.25]);
    expect(Array.from(net.V)).toEqual([1, 2]);
  });
});

describe('the fast kernel', () => {
  it('gives the readable reference\'s losses and weights (float64), frame order and shuffled', () => {
    const { data, count } = sampleFrames(120);
    for (const shuffle of [false, true]) {
      const ref = createAutoEncoder(160, 10, 'float64');
      initUniform(ref, new Rng(11));
      const fast = cloneNet(ref);
      const kernel = new SgdKernel(fast);
      const orderRng = new Rng(99);
      const order = Uint32Array.from({ length: count }, (_, i) => i);
      for (let e = 0; e < 5; e++) {
        if (shuffle) orderRng.shuffle(order);
        let refSum = 0;
        for (let t = 0; t < count; t++) refSum += sgdStep(ref, data, order[t] * 160, 0.01);
        const fastSum = kernel.epoch(data, shuffle ? order : null, count, 0.01);
        expect(Math.abs(fastSum - refSum) / refSum).toBeLessThan(1e-12);
      }
      kernel.finish();
      for (let i = 0; i < ref.W.length; i++) expect(fast.W[i]).toBeCloseTo(ref.W[i], 12);
      for (let i = 0; i < ref.V.length; i++) expect(fast.V[i]).toBeCloseTo(ref.V[i], 12);
    }
  });

  it('agrees with the reference with float32 weights, as dlaudio trains', () => {
    const { data, count } = sampleFrames(450);
    const ref = createAutoEncoder(160, 10, 'float32');
    initUniform(ref, new Rng(5));
    const fast = cloneNet(ref);
    const kernel = new SgdKernel(fast);
    for (let e = 0; e < 10; e++) {
      let refSum = 0;
      for (let t = 0; t < count; t++) refSum += sgdStep(ref, data, t * 160, 0.01);
      const fastSum = kernel.epoch(data, null, count, 0.01);
      // Only float32 rounding of differently-ordered sums separates them.
      expect(Math.abs(fastSum - refSum) / refSum).toBeLessThan(1e-5);
    }
  });
});

describe('training', () => {
  it('the loss goes down on the bundled sample over 50 epochs', async () => {
    const { data, count } = sampleFrames();
    const net = createAutoEncoder(160, 10);
    const rng = new Rng(1);
    initUniform(net, rng);
    const r = await train(net, data, count, rng, { lr: 0.01, epochs: 50, shuffle: false });
    expect(r.stopped).toBe('done');
    expect(r.losses).toHaveLength(50);
    expect(r.losses[49]).toBeLessThan(0.7 * r.losses[0]);
    // Mostly downhill: each 10-epoch average below the previous one.
    const avg = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;
    for (let b = 1; b < 5; b++) expect(avg(r.losses.slice(b * 10, b * 10 + 10))).toBeLessThan(avg(r.losses.slice((b - 1) * 10, b * 10)));
    // The trained weights are left in the net (V written back from the kernel's transposed copy).
    expect(meanLoss(net, data, count)).toBeLessThan(r.losses[0]);
  });

  it('the same seed gives identical losses; another seed does not', async () => {
    const { data, count } = sampleFrames(100);
    const run = async (seed: number, shuffle: boolean): Promise<number[]> => {
      const net = createAutoEncoder(160, 10);
      const rng = new Rng(seed);
      initUniform(net, rng);
      return (await train(net, data, count, rng, { lr: 0.01, epochs: 8, shuffle })).losses;
    };
    expect(await run(42, true)).toEqual(await run(42, true));
    expect(await run(42, true)).not.toEqual(await run(43, true));
    expect(await run(42, true)).not.toEqual(await run(42, false));
  });

  it('stops on divergence', async () => {
    const { data, count } = sampleFrames(100);
    const net = createAutoEncoder(160, 10);
    const rng = new Rng(1);
    initUniform(net, rng);
    const r = await train(net, data, count, rng, { lr: 50, epochs: 200, shuffle: false });
    expect(r.stopped).toBe('diverged');
    expect(r.losses.length).toBeLessThan(200);
  });
});
