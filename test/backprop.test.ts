import { describe, it, expect } from 'vitest';
import { createAutoEncoder, initUniform, forward, gradients, sgdStep } from '../src/model/autoencoder.js';
import { createNetwork, initNetwork, fromAutoEncoder, networkMeanLoss, type Network } from '../src/model/network.js';
import { Backprop, BackpropKernel, networkGradients } from '../src/model/backprop.js';
import { networkGradCheck, type NetworkGradientFn } from '../src/model/gradcheck.js';
import { train, type TrainOptions } from '../src/model/train.js';
import { Rng } from '../src/model/rng.js';
import { sampleFrames } from './helpers/sample.js';

function randomFrames(rng: Rng, count: number, n: number): Float64Array {
  const f = new Float64Array(count * n);
  for (let i = 0; i < f.length; i++) f[i] = 0.3 * Math.sin(i * 0.37) + rng.uniform(-0.3, 0.3);
  return f;
}

function randomNet(sizes: number[], bias: boolean, seed: number): Network {
  const net = createNetwork(sizes, { bias, precision: 'float64' });
  const rng = new Rng(seed);
  initNetwork(net, rng, 0.5);
  for (const l of net.layers) if (l.b) for (let i = 0; i < l.b.length; i++) l.b[i] = rng.uniform(-0.2, 0.2);
  return net;
}

function cloneNet(net: Network): Network {
  return { sizes: [...net.sizes], layers: net.layers.map((l) => ({ ...l, W: l.W.slice(), b: l.b ? l.b.slice() : null })) };
}

/** Equal up to float64 rounding: |a − b| ≤ 1e-12 · the largest |b|. */
function expectSame(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) if (Math.abs(a[i] - b[i]) > 1e-12 * scale) expect(a[i]).toBe(b[i]);
}

function maxRelDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.abs(b[i])));
}

describe('back-propagation against finite differences', () => {
  const cases: [number[], boolean][] = [
    [[6, 4, 6], false],
    [[6, 4, 6], true],
    [[8, 5, 3, 5, 8], false],
    [[8, 5, 3, 5, 8], true],
    [[7, 9, 2, 7], true],
    [[5, 6, 6, 6, 6, 5], true],
  ];
  for (const [sizes, bias] of cases) {
    it(`${sizes.join(',')} ${bias ? 'with' : 'without'} biases, random frames`, () => {
      const net = randomNet(sizes, bias, sizes.length * 10 + (bias ? 1 : 0));
      const frames = randomFrames(new Rng(99), 5, sizes[0]);
      const r = networkGradCheck(net, frames, 5);
      expect(r.checked).toBeGreaterThan(0.8 * net.layers.reduce((s, l) => s + l.W.length + (l.b ? l.b.length : 0), 0));
      expect(r.maxRelError).toBeLessThan(1e-6);
      for (const c of r.layers) expect(c.maxRelErrorB === null).toBe(!bias);
    });
  }

  it('160,16,4,16,160 with biases on real speech', () => {
    const { data } = sampleFrames();
    const picked = data.slice(150 * 160, 152 * 160);
    const net = createNetwork([160, 16, 4, 16, 160], { bias: true, precision: 'float64' });
    initNetwork(net, new Rng(2));
    const r = networkGradCheck(net, picked, 2);
    expect(r.maxRelError).toBeLessThan(1e-6);
  });

  it('a big network can be checked on an evenly spread sample of its parameters', () => {
    const net = randomNet([8, 20, 8], true, 9);
    const frames = randomFrames(new Rng(2), 3, 8);
    const r = networkGradCheck(net, frames, 3, 1e-4, undefined, 100);
    expect(r.layers.map((c) => c.stride)).toEqual([4, 4]); // 348 parameters, at most 100 checks
    expect(r.layers.map((c) => c.parameters)).toEqual([180, 168]);
    expect(r.checked + r.skippedNearKink).toBe(40 + 5 + 40 + 2); // W 160 → 40, b 20 → 5, W 160 → 40, b 8 → 2
    expect(r.maxRelError).toBeLessThan(1e-6);
  });

  it('fails when one layer\'s gradient is wrong (so it can fail)', () => {
    const net = randomNet([8, 5, 3, 5, 8], true, 4);
    const frames = randomFrames(new Rng(5), 3, 8);
    // The classic slip: relu' forgotten in one layer's δ, here imitated by halving that layer's gradient.
    const wrong: NetworkGradientFn = (n, f, c) => {
      const g = networkGradients(n, f, c);
      g.gW[1] = g.gW[1].map((v) => v / 2);
      return g;
    };
    const r = networkGradCheck(net, frames, 3, 1e-4, wrong);
    expect(r.layers[1].maxRelErrorW).toBeGreaterThan(0.3);
    expect(r.layers[0].maxRelErrorW).toBeLessThan(1e-6);
  });

  it('for the course network, equals the course formulas (to rounding)', () => {
    const ae = createAutoEncoder(160, 10, 'float64');
    initUniform(ae, new Rng(8));
    const { data } = sampleFrames(300);
    const bp = new Backprop(fromAutoEncoder(ae));
    for (const t of [40, 120, 250]) {
      const f = forward(ae, data, t * 160);
      const g = gradients(ae, data, t * 160, f);
      bp.zeroGradients();
      expect(bp.forward(data, t * 160)).toBeCloseTo(f.loss, 13);
      bp.backward(data, t * 160);
      expectSame(bp.grads.gW[0], g.dW);
      expectSame(bp.grads.gW[1], g.dV);
      expect(g.dW.some((v) => v !== 0)).toBe(true);
    }
  });
});

describe('training the course network through back-propagation', () => {
  const { data, count } = sampleFrames();
  const opts = (o: Partial<TrainOptions> = {}): TrainOptions => ({ lr: 0.01, epochs: 15, shuffle: false, ...o });

  it('float64: per-epoch losses equal the course\'s sgdStep loop (1e-6 relative)', async () => {
    const ae = createAutoEncoder(160, 10, 'float64');
    initUniform(ae, new Rng(11));
    const net = cloneNet(fromAutoEncoder(ae));
    const course: number[] = [];
    for (let e = 0; e < 15; e++) {
      let s = 0;
      for (let t = 0; t < count; t++) s += sgdStep(ae, data, t * 160, 0.01);
      course.push(s / count);
    }
    const r = await train(net, data, count, new Rng(0), opts({ engine: 'backprop' }));
    expect(r.kernel).toBe('backprop');
    expect(maxRelDiff(r.losses, course)).toBeLessThan(1e-6);
    net.layers[1].W.forEach((v, i) => expect(v).toBeCloseTo(ae.V[i], 12));
  });

  it('float32, shuffled: the same per-epoch losses as the course kernel with the same seed', async () => {
    const results = [];
    for (const engine of ['auto', 'backprop-ts'] as const) {
      const net = createNetwork([160, 10, 160]);
      const rng = new Rng(4);
      initNetwork(net, rng);
      results.push(await train(net, data, count, rng, opts({ shuffle: true, epochs: 40, engine })));
    }
    expect(results[0].kernel).not.toBe('backprop');
    expect(results[1].kernel).toBe('backprop');
    expect(maxRelDiff(results[1].losses, results[0].losses)).toBeLessThan(1e-6);
    expect(results[1].losses[39]).toBeLessThan(0.8 * results[1].losses[0]);
  });

  it('batch 1 with SGD is per-sample SGD, and momentum 0 (the unfused path) is SGD', async () => {
    const base = randomNet([160, 12, 5, 12, 160], true, 3);
    const runs: { r: Awaited<ReturnType<typeof train>>; net: Network }[] = [];
    for (const o of [{}, { batch: 1 }, { batch: 1, optimizer: { kind: 'momentum', momentum: 0 } }] as Partial<TrainOptions>[]) {
      const net = cloneNet(base);
      runs.push({ r: await train(net, data, 100, new Rng(1), opts({ ...o, lr: 0.002, epochs: 5 })), net });
    }
    expect(runs[1].r.losses).toEqual(runs[0].r.losses);
    expect(maxRelDiff(runs[2].r.losses, runs[0].r.losses)).toBeLessThan(1e-12);
    runs[2].net.layers[3].W.forEach((v, i) => expect(v).toBeCloseTo(runs[0].net.layers[3].W[i], 12));
    expect(runs[0].r.losses[4]).toBeLessThan(runs[0].r.losses[0]);
  });
});

describe('mini-batches', () => {
  const batchCases: [number[], boolean, number, number][] = [
    [[6, 4, 3, 6], true, 3, 5],
    [[6, 4, 3, 6], false, 2, 5],
    [[8, 5, 3, 5, 8], true, 4, 9],
    [[7, 9, 7], true, 1, 3],
    [[5, 6, 6, 6, 6, 5], false, 3, 7],
  ];
  for (const [sizes, bias, B, count] of batchCases) {
    it(`${sizes.join(',')} ${bias ? 'with' : 'without'} biases, batch ${B} of ${count} frames: each step is the mean gradient of its frames`, () => {
      // The kernel keeps layers by columns; the reference (networkGradients) by rows: two codings checked against each other.
      const net = randomNet(sizes, bias, sizes.length + B);
      const frames = randomFrames(new Rng(B), count, sizes[0]);
      const ref = cloneNet(net);
      const kernel = new BackpropKernel(net, { batch: B, optimizer: { kind: 'momentum', momentum: 0 } });
      const total = kernel.epoch(frames, null, count, 0.1);
      kernel.finish();
      let expectedTotal = 0;
      for (let start = 0; start < count; start += B) {
        const size = Math.min(B, count - start);
        const g = networkGradients(ref, frames.subarray(start * sizes[0]), size);
        expectedTotal += g.loss; // measured before this batch's step
        ref.layers.forEach((l, i) => {
          for (let k = 0; k < l.W.length; k++) l.W[k] -= 0.1 * (g.gW[i][k] / size);
          if (l.b) for (let k = 0; k < l.b.length; k++) l.b[k] -= 0.1 * ((g.gb[i] as Float64Array)[k] / size);
        });
      }
      expect(total).toBeCloseTo(expectedTotal, 12);
      net.layers.forEach((l, i) => {
        expectSame(l.W, ref.layers[i].W);
        if (l.b) expectSame(l.b, ref.layers[i].b as Float64Array);
      });
      expect(Array.from(net.layers[0].W)).not.toEqual(Array.from(randomNet(sizes, bias, sizes.length + B).layers[0].W));
    });
  }

  it('a batch of all the frames is full-batch gradient descent: the epoch loss is the mean loss before it', async () => {
    const net = randomNet([8, 5, 8], false, 6);
    const frames = randomFrames(new Rng(8), 20, 8);
    const before = networkMeanLoss(net, frames, 20);
    const r = await train(net, frames, 20, new Rng(1), { lr: 0.05, epochs: 3, shuffle: true, batch: 20 });
    expect(r.losses[0]).toBeCloseTo(before, 12);
    expect(r.losses[2]).toBeLessThan(r.losses[0]);
  });

  it('batch 32 on the deep network learns', async () => {
    const { data } = sampleFrames(200);
    const net = createNetwork([160, 32, 10, 32, 160]);
    const rng = new Rng(5);
    initNetwork(net, rng);
    const r = await train(net, data, 200, rng, { lr: 0.001, epochs: 25, shuffle: true, batch: 32, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999 }, engine: 'backprop-ts' });
    expect(r.kernel).toBe('backprop');
    expect(r.stopped).toBe('done');
    expect(r.losses[24]).toBeLessThan(0.7 * r.losses[0]);
  });
});

describe('optimisers: steps computed by hand', () => {
  // The course's hand example: x = (0.4, 0.2), W = (0.5, −0.25), V = (1, 2)ᵀ:
  // ∂L/∂W = (−0.04, −0.02), ∂L/∂V = (−0.075, 0.03) (see model.test.ts).
  function tiny(): Network {
    const net = createNetwork([2, 1, 2], { precision: 'float64' });
    net.layers[0].W.set([0.5, -0.25]);
    net.layers[1].W.set([1, 2]);
    return net;
  }
  const x = new Float64Array([0.4, 0.2]);
  const params = (net: Network): number[] => [...net.layers[0].W, ...net.layers[1].W];

  it('momentum: the first step is SGD, the second adds μ times the first', () => {
    const net = tiny();
    const k = new BackpropKernel(net, { optimizer: { kind: 'momentum', momentum: 0.9 } });
    k.epoch(x, null, 1, 0.1);
    k.finish();
    // v = g; θ −= 0.1·g
    [0.504, -0.248, 1.0075, 1.997].forEach((v, i) => expect(params(net)[i]).toBeCloseTo(v, 15));
    // Second step: g₂ from the course formulas at the new weights; v = 0.9·g₁ + g₂.
    const ae = { frameSize: 2, hidden: 1, W: Float64Array.from(net.layers[0].W), V: Float64Array.from(net.layers[1].W) };
    const g2 = gradients(ae, x, 0, forward(ae, x, 0));
    const g1 = [-0.04, -0.02, -0.075, 0.03];
    const expected = params(net).map((p, i) => p - 0.1 * (0.9 * g1[i] + [...g2.dW, ...g2.dV][i]));
    k.epoch(x, null, 1, 0.1);
    k.finish();
    expected.forEach((v, i) => expect(params(net)[i]).toBeCloseTo(v, 15));
  });

  it('adam: the first step moves every weight by lr against its gradient\'s sign, the second as the formula says', () => {
    const net = tiny();
    const k = new BackpropKernel(net, { optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999 } });
    k.epoch(x, null, 1, 0.1);
    k.finish();
    // m̂ = g, v̂ = g²: θ −= 0.1·g/(|g| + 1e-8) ≈ θ − 0.1·sign(g)
    [0.6, -0.15, 1.1, 1.9].forEach((v, i) => expect(params(net)[i]).toBeCloseTo(v, 6));
    const ae = { frameSize: 2, hidden: 1, W: Float64Array.from(net.layers[0].W), V: Float64Array.from(net.layers[1].W) };
    const f2 = gradients(ae, x, 0, forward(ae, x, 0));
    const g2 = [...f2.dW, ...f2.dV];
    const g1 = [-0.04, -0.02, -0.075, 0.03];
    const expected = params(net).map((p, i) => {
      const m = 0.9 * 0.1 * g1[i] + 0.1 * g2[i];
      const v = 0.999 * 0.001 * g1[i] ** 2 + 0.001 * g2[i] ** 2;
      return p - (0.1 * (m / (1 - 0.9 ** 2))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
    });
    k.epoch(x, null, 1, 0.1);
    k.finish();
    expected.forEach((v, i) => expect(params(net)[i]).toBeCloseTo(v, 14));
  });

  it('the optimiser state lasts across epochs (adam\'s step count goes on)', () => {
    const a = tiny();
    const b = tiny();
    const frames = new Float64Array([0.4, 0.2, 0.1, -0.3]);
    const spec = { optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999 } as const };
    const ka = new BackpropKernel(a, spec);
    ka.epoch(frames, null, 2, 0.01);
    ka.epoch(frames, null, 2, 0.01);
    ka.finish();
    const kb = new BackpropKernel(b, spec);
    kb.epoch(new Float64Array([...frames, ...frames]), null, 4, 0.01);
    kb.finish();
    expect(params(a)).not.toEqual(params(tiny()));
    expect(params(a)).toEqual(params(b));
  });
});
