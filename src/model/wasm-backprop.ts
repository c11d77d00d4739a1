/**
 * The general back-propagation compiled to WebAssembly SIMD (wasm/backprop.c, built by
 * `npm run build:wasm`): the same math, update order, batches and optimisers as BackpropKernel
 * (backprop.ts), in float32 with 4-wide vectors. BackpropKernel stays the readable reference;
 * the tests check the two agree epoch by epoch.
 *
 * Each kernel gets its own instance and memory, laid out here once (every block 16-byte aligned):
 *   optimiser (72 B) | layer table (10 int32 a layer) | θ: each layer's W then b | their gradient
 *   sums | optimiser state (m, v) | each layer's y, g, on | the frame as float32 | order (count) |
 *   sample table | frames (count·n)
 * The frames are a long recording's 16-bit samples, with the 65 536-entry table of their float32
 * values, else float32 and no table (wasm-load.ts's writeFrames).
 * Every size is rounded up to a multiple of 4 and the padding is zero: the C code then runs whole
 * vectors. Layer 0's W is stored by rows, the others by columns (Wᵀ), as BackpropKernel does.
 */
import { frameDataLength, type FrameData } from './frame-data.js';
import type { Network } from './network.js';
import type { EpochKernel } from './sgd-kernel.js';
import type { BackpropOptions } from './backprop.js';
import { align16, frameLayout, growMemory, instantiateWasm, wasmAvailable, writeFrames, writeOrder, type WasmMemory } from './wasm-load.js';

interface BackpropExports {
  memory: WasmMemory;
  __heap_base: { value: number };
  epoch(net: number, layers: number, frames: number, table: number, buf: number, order: number, count: number, batch: number, lr: number, opt: number): number;
}

/** True when WebAssembly with SIMD is supported here and backprop.wasm loads. */
export function wasmBackpropAvailable(): boolean {
  return wasmAvailable('backprop');
}

/** Why this network cannot train on the WebAssembly kernel, or null when it can. */
export function wasmBackpropUnsupported(net: Network): string | null {
  const { layers, sizes } = net;
  // Training a float64 network in float32 would silently drop precision.
  if (!layers.every((l) => l.W instanceof Float32Array && (l.b === null || l.b instanceof Float32Array))) return 'it trains float32 weights only';
  if (!layers.every((l, i) => l.relu === i < layers.length - 1)) return 'it needs ReLU on every layer but the last';
  if (sizes[sizes.length - 1] !== sizes[0]) return 'the output must be as long as the input (an auto-encoder)';
  return null;
}

const pad4 = (k: number): number => (k + 3) & ~3;
const OPT_KIND = { sgd: 0, momentum: 1, adam: 2 } as const;
const OPT_BYTES = 72; // struct Optimizer in backprop.c: 6 f64, then 6 int32
const LAYER_INTS = 10; // struct Layer in backprop.c

interface LayerBlock {
  inP: number;
  outP: number;
  /** Byte offsets of W and b (0: none). */
  w: number;
  b: number;
}

export class WasmBackpropKernel implements EpochKernel {
  private readonly exports: BackpropExports;
  private readonly blocks: LayerBlock[];
  private readonly batch: number;
  private readonly tableAt: number;
  private readonly optAt: number;
  private readonly orderAt: number;
  private readonly framesAt: number;
  private readonly sampleTableAt: number;
  private readonly bufAt: number;

  constructor(
    private readonly net: Network,
    private readonly frames: FrameData,
    private readonly frameCount: number,
    opts: BackpropOptions = {},
  ) {
    const why = wasmBackpropUnsupported(net);
    if (why !== null) throw new Error(`the WebAssembly back-propagation cannot train this network: ${why}`);
    const spec = opts.optimizer ?? { kind: 'sgd' };
    this.batch = opts.batch ?? 1;
    if (!Number.isInteger(this.batch) || this.batch < 1) throw new RangeError(`batch must be a whole number ≥ 1, got ${this.batch}`);
    const n = net.sizes[0];
    const nP = pad4(n);
    if (!Number.isInteger(frameCount) || frameCount < 0 || frameDataLength(frames) < frameCount * n) {
      throw new Error(`${frameCount} frames of ${n} do not fit in ${frameDataLength(frames)} samples`);
    }
    this.exports = instantiateWasm('backprop') as unknown as BackpropExports;

    // Parameter block θ: each layer's W, then its b.
    this.optAt = align16(this.exports.__heap_base.value);
    this.tableAt = align16(this.optAt + OPT_BYTES);
    let at = align16(this.tableAt + 4 * LAYER_INTS * net.layers.length);
    const thetaAt = at;
    this.blocks = net.layers.map((l) => {
      const inP = pad4(l.inSize);
      const outP = pad4(l.outSize);
      const w = at;
      at += 4 * inP * outP;
      const b = l.b ? at : 0;
      if (l.b) at += 4 * outP;
      return { inP, outP, w, b };
    });
    const thetaBytes = at - thetaAt;
    const gradAt = at; // gradient sums: the same layout, shifted
    at += thetaBytes;
    const mAt = spec.kind === 'sgd' ? 0 : at;
    if (spec.kind !== 'sgd') at += thetaBytes;
    const vAt = spec.kind === 'adam' ? at : 0;
    if (spec.kind === 'adam') at += thetaBytes;
    const vectors = this.blocks.map((blk) => {
      const y = at;
      const g = y + 4 * blk.outP;
      const on = g + 4 * blk.outP;
      at = on + 4 * blk.outP;
      return { y, g, on };
    });
    this.bufAt = at;
    this.orderAt = this.bufAt + 4 * nP;
    const bytes = frameLayout(frames, frameCount, nP);
    const sampleTableAt = align16(this.orderAt + 4 * frameCount);
    this.framesAt = align16(sampleTableAt + bytes.table);
    growMemory(this.exports.memory, this.framesAt + bytes.frames, `${frameCount} frames`);

    const buffer = this.exports.memory.buffer;
    const table = new Int32Array(buffer, this.tableAt, LAYER_INTS * net.layers.length);
    this.blocks.forEach((blk, l) => {
      const shift = gradAt - thetaAt;
      table.set([blk.inP, blk.outP, blk.w, blk.b, blk.w + shift, blk.b ? blk.b + shift : 0, vectors[l].y, vectors[l].g, vectors[l].on, 0], LAYER_INTS * l);
    });
    const mu = spec.kind === 'momentum' ? spec.momentum : 0;
    const [b1, b2, eps] = spec.kind === 'adam' ? [spec.beta1, spec.beta2, spec.epsilon ?? 1e-8] : [0, 0, 0];
    new Float64Array(buffer, this.optAt, 6).set([mu, b1, b2, eps, 1, 1]);
    new Int32Array(buffer, this.optAt + 48, 6).set([OPT_KIND[spec.kind], thetaBytes / 4, thetaAt, gradAt, mAt, vAt]);

    this.writeWeights();
    this.sampleTableAt = writeFrames(this.exports.memory, this.framesAt, sampleTableAt, frames, frameCount, n, nP);
  }

  /** Trains on frames[order[t]] for t < count (order null: frame order); returns Σ L, each before its batch's step. */
  epoch(frames: FrameData, order: Uint32Array | null, count: number, lr: number): number {
    if (frames !== this.frames) throw new Error('WasmBackpropKernel.epoch() must be given the frames it was built with');
    const orderAt = writeOrder(this.exports.memory, this.orderAt, order, count, this.frameCount);
    return this.exports.epoch(this.tableAt, this.net.layers.length, this.framesAt, this.sampleTableAt, this.bufAt, orderAt, count, this.batch, lr, this.optAt);
  }

  /** Writes the trained weights and biases back into the network (rows, unpadded). */
  finish(): void {
    const buffer = this.exports.memory.buffer;
    this.net.layers.forEach((l, k) => {
      const { inP, outP, w, b } = this.blocks[k];
      const Wp = new Float32Array(buffer, w, inP * outP);
      for (let o = 0; o < l.outSize; o++) {
        for (let i = 0; i < l.inSize; i++) l.W[o * l.inSize + i] = k === 0 ? Wp[o * inP + i] : Wp[i * outP + o];
      }
      if (l.b) l.b.set(new Float32Array(buffer, b, l.outSize));
    });
  }

  /** The network's weights into the kernel's padded blocks: layer 0 by rows, the others by columns. */
  private writeWeights(): void {
    const buffer = this.exports.memory.buffer;
    this.net.layers.forEach((l, k) => {
      const { inP, outP, w, b } = this.blocks[k];
      const Wp = new Float32Array(buffer, w, inP * outP);
      for (let o = 0; o < l.outSize; o++) {
        for (let i = 0; i < l.inSize; i++) Wp[k === 0 ? o * inP + i : i * outP + o] = l.W[o * l.inSize + i];
      }
      if (l.b) new Float32Array(buffer, b, l.outSize).set(l.b);
    });
  }
}
