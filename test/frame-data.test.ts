import { describe, it, expect } from 'vitest';
import { sampleFrames, toFrames } from '../src/audio/frames.js';
import { frameBytesPerValue, type FrameData } from '../src/model/frame-data.js';
import { createNetwork, initNetwork, networkMeanLoss, asAutoEncoder } from '../src/model/network.js';
import { SgdKernel } from '../src/model/sgd-kernel.js';
import { BackpropKernel } from '../src/model/backprop.js';
import { WasmSgdKernel, wasmKernelAvailable } from '../src/model/wasm-kernel.js';
import { WasmBackpropKernel, wasmBackpropAvailable } from '../src/model/wasm-backprop.js';
import { FLOAT32_FRAMES_MAX_BYTES } from '../src/model/wasm-load.js';
import { BackgroundPca } from '../src/model/background-pca.js';
import { pcaEigenvalues, pcaReference, pcaShapeOf } from '../src/model/pca.js';
import { meanLossYielding, train } from '../src/model/train.js';
import { Rng } from '../src/model/rng.js';
import type { AutoEncoder } from '../src/model/autoencoder.js';
import { sampleInt16 } from './helpers/sample.js';

// train keeps its frames as the 16-bit samples and divides them as it reads (model/frame-data.ts):
// every number must be the one the float64 frames give, bit for bit.
describe('frames read from the 16-bit samples (train: 2 bytes a sample)', () => {
  const s = sampleInt16();
  const opts = { scale: 32000, start: 0.2, maxFrames: 300 };
  const f64 = toFrames(s, opts);
  const f16 = sampleFrames(s, opts);
  const { count } = f16;

  it('are a view of the samples (no copy), 2 bytes a sample, the same window as toFrames', () => {
    expect(f16.data.samples.buffer).toBe(s.buffer);
    expect(frameBytesPerValue(f16.data)).toBe(2);
    expect(frameBytesPerValue(f64.data)).toBe(8);
    expect(f16.data.samples.length).toBe(count * 160);
    expect({ ...f16, data: null }).toEqual({ ...f64, data: null });
    expect(Float64Array.from(f16.data.samples, (x) => x / 32000)).toEqual(f64.data);
  });

  it('the WebAssembly kernels keep a long recording\'s as 16-bit samples too: train holds 4 bytes a sample', () => {
    const memoryOf = (k: object): number => (k as { exports: { memory: { buffer: ArrayBuffer } } }).exports.memory.buffer.byteLength;
    const table = 4 * 65536;
    // Long: the take over and over, just past the size below which the kernels copy float32 instead.
    const longCount = Math.floor(FLOAT32_FRAMES_MAX_BYTES / (4 * 160)) + 1;
    const long = new Int16Array(longCount * 160);
    for (let i = 0; i < long.length; i += s.length) long.set(s.subarray(0, Math.min(s.length, long.length - i)), i);
    const longFrames = sampleFrames(long, { scale: 32000 });
    expect(longFrames.count).toBe(longCount);
    const kernels: [string, (data: FrameData, c: number) => object][] = [];
    if (wasmKernelAvailable()) kernels.push(['WasmSgdKernel', (d, c) => new WasmSgdKernel(asAutoEncoder(seeded([160, 10, 160])) as AutoEncoder, d, c)]);
    if (wasmBackpropAvailable()) kernels.push(['WasmBackpropKernel', (d, c) => new WasmBackpropKernel(seeded([160, 32, 10, 32, 160], true), d, c, { batch: 4 })]);
    for (const [name, make] of kernels) {
      // Its memory: the samples, their float32 table, weights and scratch (well under 1 MiB): with the
      // JS samples' 2 bytes, 4 bytes a sample.
      const samples = longCount * 160;
      expect(memoryOf(make(longFrames.data, longCount)), name).toBeLessThanOrEqual(2 * samples + table + 2 ** 20);
      // A short take's are copied as float32 (full speed): at most FLOAT32_FRAMES_MAX_BYTES / 2 more than 4 bytes a sample.
      const short = memoryOf(make(f16.data, count));
      expect(short, name).toBeGreaterThanOrEqual(4 * count * 160);
      expect(short, name).toBeLessThanOrEqual(4 * count * 160 + 2 ** 20);
    }
  });

  function seeded(sizes: number[], bias = false): ReturnType<typeof createNetwork> {
    const net = createNetwork(sizes, { bias });
    initNetwork(net, new Rng(7));
    return net;
  }

  it('give the same loss, PCA and training as float64 frames, bit for bit', async () => {
    const net = seeded([160, 10, 160]);
    expect(networkMeanLoss(net, f16.data, count)).toBe(networkMeanLoss(net, f64.data, count));
    expect(await meanLossYielding(seeded([160, 512, 512, 160]), f16.data, count)).toBe(await meanLossYielding(seeded([160, 512, 512, 160]), f64.data, count));
    for (const centred of [false, true]) expect(pcaEigenvalues(f16.data, count, 160, { centred })).toEqual(pcaEigenvalues(f64.data, count, 160, { centred }));
    const shape = pcaShapeOf(net);
    expect(pcaReference(shape, f16.data, count)).toEqual(pcaReference(shape, f64.data, count));

    const epochs = (make: () => { epoch(f: FrameData, o: Uint32Array | null, c: number, lr: number): number }, data: FrameData): number[] => {
      const k = make();
      const order = Uint32Array.from({ length: count }, (_, i) => (i * 7) % count);
      return [k.epoch(data, null, count, 0.01), k.epoch(data, order, count, 0.01)];
    };
    for (const [name, make] of [
      ['SgdKernel', (d: FrameData) => () => new SgdKernel(asAutoEncoder(seeded([160, 10, 160])) as AutoEncoder)],
      ['BackpropKernel', (d: FrameData) => () => new BackpropKernel(seeded([160, 32, 10, 32, 160], true), { batch: 4 })],
      ...(wasmKernelAvailable() ? [['WasmSgdKernel', (d: FrameData) => () => new WasmSgdKernel(asAutoEncoder(seeded([160, 10, 160])) as AutoEncoder, d, count)] as const] : []),
      ...(wasmBackpropAvailable() ? [['WasmBackpropKernel', (d: FrameData) => () => new WasmBackpropKernel(seeded([160, 32, 10, 32, 160], true), d, count, { batch: 4 })] as const] : []),
    ] as const) {
      expect(epochs(make(f16.data), f16.data), name).toEqual(epochs(make(f64.data), f64.data));
    }

    const a = seeded([160, 10, 160]);
    const b = seeded([160, 10, 160]);
    const ra = await train(a, f16.data, count, new Rng(1), { lr: 0.01, epochs: 5, shuffle: true });
    const rb = await train(b, f64.data, count, new Rng(1), { lr: 0.01, epochs: 5, shuffle: true });
    expect([ra.initialLoss, ...ra.losses]).toEqual([rb.initialLoss, ...rb.losses]);
    expect(a.layers[0].W).toEqual(b.layers[0].W);
  });

  it('reach PCA\'s thread through shared memory, with the same numbers', async () => {
    const shared = new Int16Array(new SharedArrayBuffer(s.byteLength));
    shared.set(s);
    const frames = sampleFrames(shared, opts);
    const net = seeded([160, 10, 160]);
    const thread = new BackgroundPca();
    try {
      thread.begin({ shape: pcaShapeOf(net), frames: frames.data, count });
      const ref = await thread.reference();
      expect(ref.loss).toBe(pcaReference(pcaShapeOf(net), f64.data, count).loss);
    } finally {
      thread.close();
    }
  });
});

// Why the kernel's float32 frames alone would do too (docs/performance.md): every float64 value x/scale
// can be recovered from float32(x/scale), since |f·scale − x| ≤ 32768·2⁻²⁴ ≪ 0.5.
describe('float32(x / scale) gives x back', () => {
  for (const scale of [32000, 1, 32768, 1e6, 0.5]) {
    it(`for all 65 536 16-bit values, scale ${scale}`, () => {
      let wrong = 0;
      for (let x = -32768; x <= 32767; x++) if (Math.round(Math.fround(x / scale) * scale) !== x) wrong++;
      expect(wrong).toBe(0);
    });
  }
});
