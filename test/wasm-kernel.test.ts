import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutoEncoder, initUniform, type AutoEncoder } from '../src/model/autoencoder.js';
import { Rng } from '../src/model/rng.js';
import { SgdKernel } from '../src/model/sgd-kernel.js';
import { WasmSgdKernel, wasmKernelAvailable } from '../src/model/wasm-kernel.js';
import { WasmBackpropKernel } from '../src/model/wasm-backprop.js';
import { createNetwork, initNetwork } from '../src/model/network.js';
import type { FrameData } from '../src/model/frame-data.js';
import { FLOAT32_FRAMES_MAX_BYTES } from '../src/model/wasm-load.js';
import { sampleFrames } from './helpers/sample.js';

const N = 160;

// Real speech: the bundled sample as the trainer sees it (int16 / 32000, float64).
const { data: frames, count: frameCount } = sampleFrames();

function twins(hidden: number, seed: number, frameSize = N): [AutoEncoder, AutoEncoder] {
  const a = createAutoEncoder(frameSize, hidden, 'float32');
  initUniform(a, new Rng(seed));
  const b = createAutoEncoder(frameSize, hidden, 'float32');
  b.W.set(a.W);
  b.V.set(a.V);
  return [a, b];
}

/*
 * Tolerances. SgdKernel sums in float64 (storing weights as float32); the WASM kernel sums in
 * float32, 4 lanes at a time, so each 160-term sum differs by a few float32 ulps (ε = 6e-8).
 * Both are deterministic (IEEE arithmetic, no FMA), so these numbers are the same on every machine.
 * Measured over 20 epochs, hidden 1/7/10/64, frame and shuffled order: epoch losses agree to
 * ≤ 4e-8 relative, weights (|w| < 0.34) to ≤ 1.5e-7 absolute. The subtlest plausible bug, the
 * backward sum reading V after its update instead of before, moves the losses by 6e-6 to 1e-4.
 * Runs are kept short because the two trajectories slowly part (rounding flips a ReLU now and
 * then): after 200 epochs with 64 units they differ by 2e-5, after 1000 by 1.4e-4.
 */
const LOSS_REL = 3e-7;
const WEIGHT_ABS = 2e-6;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Trains both kernels side by side; returns the per-epoch Σ L of each. */
function trainBoth(hidden: number, opts: { epochs: number; count: number; shuffle: boolean; seed?: number }) {
  const [ref, net] = twins(hidden, opts.seed ?? 42);
  const ts = new SgdKernel(ref);
  const wasm = new WasmSgdKernel(net, frames, frameCount);
  const rng = new Rng(9);
  const order = opts.shuffle ? Uint32Array.from({ length: frameCount }, (_, i) => i) : null;
  const tsLoss: number[] = [];
  const wasmLoss: number[] = [];
  for (let e = 0; e < opts.epochs; e++) {
    if (order !== null) rng.shuffle(order);
    tsLoss.push(ts.epoch(frames, order, opts.count, 0.01));
    wasmLoss.push(wasm.epoch(frames, order, opts.count, 0.01));
  }
  ts.finish();
  wasm.finish();
  return { ref, net, tsLoss, wasmLoss };
}

function expectAgreement(r: ReturnType<typeof trainBoth>): void {
  for (let e = 0; e < r.tsLoss.length; e++) {
    expect(Number.isFinite(r.wasmLoss[e])).toBe(true);
    expect(Math.abs(r.wasmLoss[e] - r.tsLoss[e]) / r.tsLoss[e]).toBeLessThan(LOSS_REL);
  }
  expect(maxAbsDiff(r.net.W, r.ref.W)).toBeLessThan(WEIGHT_ABS);
  expect(maxAbsDiff(r.net.V, r.ref.V)).toBeLessThan(WEIGHT_ABS);
}

describe('WasmSgdKernel', () => {
  it('is available on Node 20 (WebAssembly SIMD, committed .wasm)', () => {
    expect(wasmKernelAvailable()).toBe(true);
  });

  it('matches SgdKernel epoch by epoch on real speech, in frame order', () => {
    const r = trainBoth(10, { epochs: 20, count: frameCount, shuffle: false });
    expectAgreement(r);
    expect(r.wasmLoss[19]).toBeLessThan(0.7 * r.wasmLoss[0]); // it does learn
  });

  it('matches with a shuffled order over a frame count that is not a multiple of anything special', () => {
    expect(frameCount).toBeGreaterThan(333);
    expectAgreement(trainBoth(10, { epochs: 20, count: 333, shuffle: true }));
  });

  it.each([1, 7, 64])('matches with %i hidden units', (hidden) => {
    expectAgreement(trainBoth(hidden, { epochs: 8, count: frameCount, shuffle: true, seed: hidden }));
  });

  // 12 and 20 are 4 more than a multiple of 8: the kernel's leftover-group paths.
  it.each([12, 20])('matches with frames of %i samples', (frameSize) => {
    const [ref, net] = twins(6, frameSize, frameSize);
    const count = Math.floor(frames.length / frameSize);
    const ts = new SgdKernel(ref);
    const wasm = new WasmSgdKernel(net, frames, count);
    const tsLoss: number[] = [];
    const wasmLoss: number[] = [];
    for (let e = 0; e < 5; e++) {
      tsLoss.push(ts.epoch(frames, null, 1000, 0.01));
      wasmLoss.push(wasm.epoch(frames, null, 1000, 0.01));
    }
    ts.finish();
    wasm.finish();
    expectAgreement({ ref, net, tsLoss, wasmLoss });
  });

  it('finish() after 0 epochs gives back exactly the initial weights', () => {
    const [orig, net] = twins(7, 5);
    new WasmSgdKernel(net, frames, frameCount).finish();
    expect(net.W).toEqual(orig.W);
    expect(net.V).toEqual(orig.V);
  });

  it('rejects other frames, out-of-range orders and float64 networks', () => {
    const [, net] = twins(10, 1);
    const k = new WasmSgdKernel(net, frames, frameCount);
    expect(() => k.epoch(frames.slice(), null, frameCount, 0.01)).toThrow(/frames it was built with/);
    expect(() => k.epoch(frames, null, frameCount + 1, 0.01)).toThrow(/outside/);
    const order = new Uint32Array(frameCount);
    order[3] = frameCount;
    expect(() => k.epoch(frames, order, frameCount, 0.01)).toThrow(/not a frame index/);
    expect(() => new WasmSgdKernel(createAutoEncoder(N, 10, 'float64'), frames, frameCount)).toThrow(/float32/);
  });
});

// train gives the kernels 16-bit samples; a long recording's stay 16-bit in kernel memory and are widened
// one frame at a time through a table of float32(s / scale), other frames are copied as float32.
// Both must train the same, bit for bit.
describe('16-bit frames train bit for bit as their float32 values do', () => {
  /** count frames of n random 16-bit samples, the two extremes among them. */
  function randomSamples(count: number, n: number, seed: number): Int16Array {
    const rng = new Rng(seed);
    const s = Int16Array.from({ length: count * n }, () => Math.floor(rng.uniform(-32768, 32768)));
    s[3] = -32768;
    s[n + 5] = 32767;
    s[2 * n] = -32768;
    s[count * n - 1] = 32767;
    return s;
  }
  interface Kernel {
    epoch(f: FrameData, order: Uint32Array | null, count: number, lr: number): number;
    finish(): void;
  }
  /** Two epochs (frame order, then shuffled) from the same weights; the losses and the trained weights. */
  function run(make: (frames: FrameData, count: number) => { kernel: Kernel; weights: () => (Float32Array | Float64Array)[] }, frames: FrameData, count: number, lr: number) {
    const { kernel, weights } = make(frames, count);
    const memory = (kernel as unknown as { exports: { memory: { buffer: ArrayBuffer } } }).exports.memory.buffer.byteLength;
    const order = Uint32Array.from({ length: count }, (_, i) => i);
    const rng = new Rng(3);
    const losses = [kernel.epoch(frames, null, count, lr)];
    rng.shuffle(order);
    losses.push(kernel.epoch(frames, order, count, lr));
    kernel.finish();
    return { losses, weights: weights(), memory };
  }
  const course = (frames: FrameData, count: number) => {
    const net = createAutoEncoder(160, 10, 'float32');
    initUniform(net, new Rng(11));
    return { kernel: new WasmSgdKernel(net, frames, count), weights: () => [net.W, net.V] };
  };
  const deep = (sizes: number[], batch: number) => (frames: FrameData, count: number) => {
    const net = createNetwork(sizes, { bias: true });
    initNetwork(net, new Rng(11));
    return { kernel: new WasmBackpropKernel(net, frames, count, { batch }), weights: () => net.layers.flatMap((l) => [l.W as Float32Array, l.b as Float32Array]) };
  };
  // lr small enough not to diverge: at scale 1 the inputs reach 32767.
  for (const [scale, lr] of [[32000, 0.01], [1, 1e-12]] as const) {
    it.each([
      ['the course kernel, 160,10,160', 160, course],
      ['the back-propagation, 160,32,10,32,160 per-sample', 160, deep([160, 32, 10, 32, 160], 1)],
      ['the back-propagation, 18,9,18 batch 4 (padded frames)', 18, deep([18, 9, 18], 4)],
    ] as const)(`%s, scale ${scale}`, (_, n, make) => {
      // Just long enough to stay 16-bit (frames padded to a multiple of 4 in the back-propagation's memory).
      const stride = (n + 3) & ~3;
      const count = Math.floor(FLOAT32_FRAMES_MAX_BYTES / (4 * stride)) + 1;
      const samples = randomSamples(count, n, n + scale);
      const asFloat32 = Float32Array.from(samples, (x) => x / scale);
      const a = run(make, { samples, scale }, count, lr);
      const b = run(make, asFloat32, count, lr);
      expect(a.memory).toBeLessThan(4 * count * stride); // the 16-bit frames did stay 16-bit
      expect(b.memory).toBeGreaterThan(4 * count * stride);
      for (const l of a.losses) expect(Number.isFinite(l) && l > 0).toBe(true);
      expect(a.losses).toEqual(b.losses);
      a.weights.forEach((w, i) => expect(Buffer.from(w.buffer, w.byteOffset, w.byteLength).equals(Buffer.from(b.weights[i].buffer, b.weights[i].byteOffset, b.weights[i].byteLength))).toBe(true));
      expect(a.losses[1]).not.toBe(a.losses[0]); // it trained
    });
  }
});

// The committed kernel.wasm and backprop.wasm must be what kernel.c and backprop.c build to
// (clang + lld; byte-identical builds, see build.sh).
const hasClang = spawnSync('clang', ['--version']).status === 0 && spawnSync('wasm-ld', ['--version']).status === 0;
const needClang = hasClang || process.env.CI === 'true';
const buildTitle = needClang ? 'the .wasm files are built from their C' : '.wasm rebuild: skipped, clang or wasm-ld missing (Debian: clang lld)';
describe.skipIf(!needClang)(buildTitle, () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-wasm-'));
    execFileSync('sh', [fileURLToPath(new URL('../src/model/wasm/build.sh', import.meta.url)), dir], { stdio: 'pipe' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['kernel', 'backprop'])('%s.wasm rebuilds byte for byte', (name) => {
    const committed = readFileSync(fileURLToPath(new URL(`../src/model/wasm/${name}.wasm`, import.meta.url)));
    expect(Buffer.compare(readFileSync(join(dir, `${name}.wasm`)), committed)).toBe(0);
  });
});
