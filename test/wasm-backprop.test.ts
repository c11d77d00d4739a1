import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BackpropKernel, type BackpropOptions } from '../src/model/backprop.js';
import { createNetwork, initNetwork, type Network } from '../src/model/network.js';
import type { OptimizerSpec } from '../src/model/optimizer.js';
import { Rng } from '../src/model/rng.js';
import { train } from '../src/model/train.js';
import { WasmBackpropKernel, wasmBackpropAvailable, wasmBackpropUnsupported } from '../src/model/wasm-backprop.js';
import { WasmSgdKernel } from '../src/model/wasm-kernel.js';
import { createAutoEncoder, initUniform } from '../src/model/autoencoder.js';
import { BIN, ROOT, sampleFrames } from './helpers/sample.js';

// Real speech: the bundled sample as the trainer sees it (int16 / 32000, float64).
const { data: frames, count: frameCount } = sampleFrames();

/*
 * Tolerances. BackpropKernel sums in float64 (storing weights as float32); the WASM kernel works in
 * float32 throughout, 4 lanes at a time, so sums differ by a few float32 ulps. Both are deterministic
 * (IEEE arithmetic, no FMA): these numbers are the same on every machine. Measured over the cases
 * below (5–12 epochs): epoch losses agree to ≤ 2.4e-7 relative (adam, which divides by √v, the
 * most), weights to ≤ 3.1e-6 absolute. An lr 0.1 % off moves the losses by 6e-4 (checked below),
 * and so would any slip in the update order, a batch's mean or adam's bias correction.
 * Run long enough, two correct kernels part for good: once a ReLU unit's input is within a float32
 * rounding of 0, the two sums decide differently whether it is on, and the weights of that unit
 * part first. On the bundled sample the per-sample momentum case and the 6-layer adam one reach
 * such a unit after 5 epochs (their losses part at epochs 7 and 9, by 1.9e-5 and 8.8e-5), so
 * those two run 5 epochs.
 */
const LOSS_REL = 1e-5;
const WEIGHT_ABS = 2e-5;

function netFor(sizes: number[], bias: boolean, seed: number): Network {
  const net = createNetwork(sizes, { bias });
  const rng = new Rng(seed);
  initNetwork(net, rng);
  // Non-zero biases, so a bias that is dropped or used twice shows.
  for (const l of net.layers) if (l.b) for (let i = 0; i < l.b.length; i++) l.b[i] = rng.uniform(-0.05, 0.05);
  return net;
}

function cloneNet(net: Network): Network {
  return { sizes: [...net.sizes], layers: net.layers.map((l) => ({ ...l, W: l.W.slice(), b: l.b ? l.b.slice() : null })) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

interface Case {
  sizes: number[];
  bias: boolean;
  batch: number;
  optimizer: OptimizerSpec;
  shuffle: boolean;
  lr: number;
  epochs?: number;
  /** Frames to train on (default: all of the sample); frames of sizes[0] samples. */
  data?: { frames: Float64Array; count: number };
}

/** Trains the TS and WASM kernels side by side from the same weights; per-epoch Σ L of each. */
function trainBoth(c: Case, wasmLr = c.lr) {
  const { frames: f, count } = c.data ?? { frames, count: frameCount };
  const ref = netFor(c.sizes, c.bias, c.sizes.length * 7 + c.batch);
  const net = cloneNet(ref);
  const opts: BackpropOptions = { batch: c.batch, optimizer: c.optimizer };
  const ts = new BackpropKernel(ref, opts);
  const wasm = new WasmBackpropKernel(net, f, count, opts);
  const order = c.shuffle ? Uint32Array.from({ length: count }, (_, i) => i) : null;
  const rng = new Rng(9);
  const tsLoss: number[] = [];
  const wasmLoss: number[] = [];
  for (let e = 0; e < (c.epochs ?? 10); e++) {
    if (order !== null) rng.shuffle(order);
    tsLoss.push(ts.epoch(f, order, count, c.lr));
    wasmLoss.push(wasm.epoch(f, order, count, wasmLr));
  }
  ts.finish();
  wasm.finish();
  return { ref, net, tsLoss, wasmLoss };
}

function lossRel(r: ReturnType<typeof trainBoth>): number {
  return Math.max(...r.tsLoss.map((t, e) => Math.abs(r.wasmLoss[e] - t) / t));
}

function expectAgreement(r: ReturnType<typeof trainBoth>): void {
  for (const l of r.wasmLoss) expect(Number.isFinite(l)).toBe(true);
  expect(lossRel(r)).toBeLessThan(LOSS_REL);
  r.ref.layers.forEach((l, i) => {
    expect(maxAbsDiff(r.net.layers[i].W, l.W)).toBeLessThan(WEIGHT_ABS);
    if (l.b) expect(maxAbsDiff(r.net.layers[i].b as Float32Array, l.b)).toBeLessThan(WEIGHT_ABS);
  });
}

const SGD: OptimizerSpec = { kind: 'sgd' };
const MOMENTUM: OptimizerSpec = { kind: 'momentum', momentum: 0.9 };
const ADAM: OptimizerSpec = { kind: 'adam', beta1: 0.9, beta2: 0.999 };
const DEEP = [160, 64, 10, 64, 160];

/** The sample cut in frames of n samples (n not a multiple of 4: the kernel's padding). */
function framesOf(n: number): { frames: Float64Array; count: number } {
  const count = Math.floor(frames.length / n);
  return { frames: frames.subarray(0, count * n), count };
}

describe('WasmBackpropKernel against BackpropKernel (epoch losses within 1e-5, weights close)', () => {
  it('is available on Node 20 (WebAssembly SIMD, committed .wasm)', () => {
    expect(wasmBackpropAvailable()).toBe(true);
  });

  const cases: [string, Case][] = [
    ['160,64,10,64,160, per-sample SGD, frame order', { sizes: DEEP, bias: false, batch: 1, optimizer: SGD, shuffle: false, lr: 0.01 }],
    ['160,64,10,64,160 with biases, per-sample SGD, shuffled', { sizes: DEEP, bias: true, batch: 1, optimizer: SGD, shuffle: true, lr: 0.01 }],
    ['160,64,10,64,160 with biases, batch 32 (last batch 2), SGD', { sizes: DEEP, bias: true, batch: 32, optimizer: SGD, shuffle: true, lr: 0.05 }],
    ['160,64,10,64,160, batch 32, momentum', { sizes: DEEP, bias: false, batch: 32, optimizer: MOMENTUM, shuffle: true, lr: 0.03 }],
    ['160,64,10,64,160 with biases, per-sample momentum', { sizes: DEEP, bias: true, batch: 1, optimizer: MOMENTUM, shuffle: true, lr: 0.002, epochs: 5 }],
    ['160,64,10,64,160 with biases, batch 32, adam', { sizes: DEEP, bias: true, batch: 32, optimizer: ADAM, shuffle: true, lr: 0.001 }],
    ['160,64,10,64,160, per-sample adam, frame order', { sizes: DEEP, bias: false, batch: 1, optimizer: ADAM, shuffle: false, lr: 0.0005, epochs: 8 }],
    ['160,48,24,10,24,48,160 (6 layers) with biases, batch 8, adam', { sizes: [160, 48, 24, 10, 24, 48, 160], bias: true, batch: 8, optimizer: ADAM, shuffle: true, lr: 0.001, epochs: 5 }],
    ['160,37,7,33,160 (sizes not multiples of 4), batch 7, adam', { sizes: [160, 37, 7, 33, 160], bias: true, batch: 7, optimizer: ADAM, shuffle: true, lr: 0.001 }],
    ['160,10,160, the course network, per-sample SGD', { sizes: [160, 10, 160], bias: false, batch: 1, optimizer: SGD, shuffle: true, lr: 0.01, epochs: 12 }],
    ['frames of 18 samples: 18,9,5,9,18, batch 3, momentum', { sizes: [18, 9, 5, 9, 18], bias: true, batch: 3, optimizer: MOMENTUM, shuffle: true, lr: 0.001, data: framesOf(18) }],
    ['one linear layer (22,22), batch 4, SGD', { sizes: [22, 22], bias: true, batch: 4, optimizer: SGD, shuffle: false, lr: 0.01, epochs: 5, data: framesOf(22) }],
  ];
  it.each(cases)('%s', (_, c) => {
    const r = trainBoth(c);
    expectAgreement(r);
    expect(r.wasmLoss[r.wasmLoss.length - 1]).toBeLessThan(r.wasmLoss[0]); // it does learn
  });

  it('the tolerance can fail: an lr 0.1 % off is caught', () => {
    const c: Case = { sizes: DEEP, bias: true, batch: 32, optimizer: ADAM, shuffle: true, lr: 0.001 };
    expect(lossRel(trainBoth(c, c.lr * 1.001))).toBeGreaterThan(LOSS_REL);
  });

  it('adam\'s step count goes on across epochs (two epochs of 4 frames = one epoch of them twice)', () => {
    const two = frames.subarray(200 * 160, 204 * 160); // speech, not the silence at the start
    const twice = new Float64Array(8 * 160);
    twice.set(two);
    twice.set(two, 4 * 160);
    const a = netFor(DEEP, true, 1);
    const b = cloneNet(a);
    const ka = new WasmBackpropKernel(a, two, 4, { optimizer: ADAM });
    ka.epoch(two, null, 4, 0.001);
    ka.epoch(two, null, 4, 0.001);
    ka.finish();
    const kb = new WasmBackpropKernel(b, twice, 8, { optimizer: ADAM });
    kb.epoch(twice, null, 8, 0.001);
    kb.finish();
    a.layers.forEach((l, i) => expect(Array.from(l.W)).toEqual(Array.from(b.layers[i].W)));
    expect(Array.from(a.layers[0].W)).not.toEqual(Array.from(netFor(DEEP, true, 1).layers[0].W));
  });

  it('finish() after 0 epochs gives back exactly the initial weights and biases (odd sizes: padding)', () => {
    const orig = netFor([18, 9, 5, 9, 18], true, 3);
    const net = cloneNet(orig);
    const { frames: f, count } = framesOf(18);
    new WasmBackpropKernel(net, f, count).finish();
    net.layers.forEach((l, i) => {
      expect(l.W).toEqual(orig.layers[i].W);
      expect(l.b).toEqual(orig.layers[i].b);
    });
  });

  it('rejects other frames, out-of-range orders, bad batches and networks it cannot train', () => {
    const k = new WasmBackpropKernel(netFor(DEEP, false, 1), frames, frameCount);
    expect(() => k.epoch(frames.slice(), null, frameCount, 0.01)).toThrow(/frames it was built with/);
    expect(() => k.epoch(frames, null, frameCount + 1, 0.01)).toThrow(/outside/);
    const order = new Uint32Array(frameCount);
    order[3] = frameCount;
    expect(() => k.epoch(frames, order, frameCount, 0.01)).toThrow(/not a frame index/);
    expect(() => new WasmBackpropKernel(netFor(DEEP, false, 1), frames, frameCount, { batch: 0 })).toThrow(/batch/);
    const f64 = createNetwork(DEEP, { precision: 'float64' });
    expect(wasmBackpropUnsupported(f64)).toMatch(/float32/);
    expect(() => new WasmBackpropKernel(f64, frames, frameCount)).toThrow(/float32/);
    expect(wasmBackpropUnsupported(createNetwork([160, 10, 80]))).toMatch(/as long as the input/);
    expect(wasmBackpropUnsupported(netFor(DEEP, true, 1))).toBeNull();
  });
});

describe('train() picks the kernel', () => {
  const opts = { lr: 0.01, epochs: 6, shuffle: true };

  it('deeper networks, batches and optimisers run the WebAssembly back-propagation; float64 ones the TypeScript one', async () => {
    const r = await train(netFor(DEEP, true, 2), frames, frameCount, new Rng(1), { ...opts, batch: 16, optimizer: ADAM, lr: 0.001 });
    expect(r.kernel).toBe('wasm-backprop');
    expect(r.losses[5]).toBeLessThan(r.losses[0]);
    const f64 = createNetwork(DEEP, { precision: 'float64' });
    initNetwork(f64, new Rng(1));
    expect((await train(f64, frames, 50, new Rng(1), { ...opts, epochs: 1 })).kernel).toBe('backprop');
    expect((await train(netFor(DEEP, false, 2), frames, 50, new Rng(1), { ...opts, epochs: 1, engine: 'backprop-ts' })).kernel).toBe('backprop');
  });

  it('through train(), the same per-epoch losses as the TypeScript back-propagation', async () => {
    const base = netFor(DEEP, true, 5);
    const runs: Awaited<ReturnType<typeof train>>[] = [];
    for (const engine of ['auto', 'backprop-ts'] as const) {
      runs.push(await train(cloneNet(base), frames, frameCount, new Rng(3), { ...opts, batch: 32, optimizer: MOMENTUM, engine }));
    }
    expect(runs.map((r) => r.kernel)).toEqual(['wasm-backprop', 'backprop']);
    runs[0].losses.forEach((l, e) => expect(Math.abs(l - runs[1].losses[e]) / runs[1].losses[e]).toBeLessThan(LOSS_REL));
  });

  it('the course\'s setting keeps its fused kernel, bit for bit; forced through the general one, the same losses', async () => {
    const ae = createAutoEncoder(160, 10, 'float32');
    const rng = new Rng(4);
    initUniform(ae, rng);
    const twin = { ...ae, W: ae.W.slice(), V: ae.V.slice() };
    const order = Uint32Array.from({ length: frameCount }, (_, i) => i);
    const direct = new WasmSgdKernel(twin, frames, frameCount);
    const orderRng = new Rng(7);
    const expected: number[] = [];
    for (let e = 0; e < opts.epochs; e++) {
      orderRng.shuffle(order);
      expected.push(direct.epoch(frames, order, frameCount, 0.01) / frameCount);
    }
    const auto = await train({ ...ae, W: ae.W.slice(), V: ae.V.slice() }, frames, frameCount, new Rng(7), opts);
    expect(auto.kernel).toBe('wasm');
    expect(auto.losses).toEqual(expected);
    const general = await train({ ...ae, W: ae.W.slice(), V: ae.V.slice() }, frames, frameCount, new Rng(7), { ...opts, engine: 'backprop' });
    expect(general.kernel).toBe('wasm-backprop');
    general.losses.forEach((l, e) => expect(Math.abs(l - expected[e]) / expected[e]).toBeLessThan(LOSS_REL));
  });
});

// The fallback: a Node without WebAssembly (V8's --noexpose-wasm) trains on the TypeScript kernels.
describe('without WebAssembly (node --noexpose-wasm, the real bin)', () => {
  function kernelOf(args: string[]): string {
    const r = spawnSync(process.execPath, ['--noexpose-wasm', BIN, 'train', '--wav', 'fixtures/sample.wav', '--epochs', '2', '--frames', '60', '--json', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { timing: { kernel: string } }).timing.kernel;
  }
  it('a deeper network runs the TypeScript back-propagation, the course network the TypeScript course kernel', () => {
    expect(kernelOf(['--layers', '160,16,4,16,160', '--bias'])).toBe('backprop');
    expect(kernelOf([])).toBe('js');
  });
});
