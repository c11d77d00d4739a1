/**
 * The SGD kernel compiled to WebAssembly SIMD (wasm/kernel.c, built by `npm run build:wasm`):
 * the same math and loop order as SgdKernel, in float32 with 4-wide vectors. SgdKernel stays
 * the readable reference; the tests check the two agree epoch by epoch.
 *
 * Each kernel gets its own instance and memory, laid out here once:
 *   W (h·n) | Vᵀ (h·n) | scratch (error n, frame n, Z h, active h) | order (count) | table | frames (count·n)
 * Float32 but the frames: a long recording's 16-bit samples (with the 65 536-entry table of their
 * float32 values), else float32 and no table (wasm-load.ts's writeFrames). The order is copied in
 * per epoch, the frames only once.
 */
import type { AutoEncoder } from './autoencoder.js';
import { frameDataLength, type FrameData } from './frame-data.js';
import type { EpochKernel } from './sgd-kernel.js';
import { align16, frameLayout, growMemory, instantiateWasm, wasmAvailable, writeFrames, writeOrder, type WasmMemory } from './wasm-load.js';

interface KernelExports {
  memory: WasmMemory;
  __heap_base: { value: number };
  epoch(W: number, Vt: number, frames: number, table: number, order: number, count: number, n: number, h: number, lr: number, scratch: number): number;
}

/** True when WebAssembly with SIMD is supported here and the kernel's .wasm loads. */
export function wasmKernelAvailable(): boolean {
  return wasmAvailable('kernel');
}

export class WasmSgdKernel implements EpochKernel {
  private readonly exports: KernelExports;
  private readonly n: number;
  private readonly h: number;
  private readonly wAt: number;
  private readonly vtAt: number;
  private readonly scratchAt: number;
  private readonly orderAt: number;
  private readonly framesAt: number;
  private readonly tableAt: number;

  constructor(
    private readonly net: AutoEncoder,
    private readonly frames: FrameData,
    private readonly frameCount: number,
  ) {
    const { frameSize: n, hidden: h, W, V } = net;
    // Training a float64 network in float32 would silently drop precision.
    if (!(W instanceof Float32Array) || !(V instanceof Float32Array)) throw new Error('the WebAssembly kernel trains float32 weights only');
    if (n % 4 !== 0) throw new Error(`frame size must be a multiple of 4 (got ${n})`);
    if (!Number.isInteger(frameCount) || frameCount < 0 || frameDataLength(frames) < frameCount * n) {
      throw new Error(`${frameCount} frames of ${n} do not fit in ${frameDataLength(frames)} samples`);
    }
    this.exports = instantiateWasm('kernel') as unknown as KernelExports;
    this.n = n;
    this.h = h;

    this.wAt = align16(this.exports.__heap_base.value);
    this.vtAt = align16(this.wAt + 4 * h * n);
    this.scratchAt = align16(this.vtAt + 4 * h * n);
    this.orderAt = align16(this.scratchAt + 4 * (2 * n + 2 * h));
    const bytes = frameLayout(frames, frameCount, n);
    const tableAt = align16(this.orderAt + 4 * frameCount);
    this.framesAt = align16(tableAt + bytes.table);
    growMemory(this.exports.memory, this.framesAt + bytes.frames, `${frameCount} frames`);

    this.f32(this.wAt, h * n).set(W);
    const vt = this.f32(this.vtAt, h * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) vt[j * n + i] = V[i * h + j];
    this.tableAt = writeFrames(this.exports.memory, this.framesAt, tableAt, frames, frameCount, n, n);
  }

  /** Trains on frames[order[t]] for t < count (order null: frame order); returns Σ L, each before its update. */
  epoch(frames: FrameData, order: Uint32Array | null, count: number, lr: number): number {
    if (frames !== this.frames) throw new Error('WasmSgdKernel.epoch() must be given the frames it was built with');
    const orderAt = writeOrder(this.exports.memory, this.orderAt, order, count, this.frameCount);
    return this.exports.epoch(this.wAt, this.vtAt, this.framesAt, this.tableAt, orderAt, count, this.n, this.h, lr, this.scratchAt);
  }

  /** Writes the trained W and V (untransposed) back into the AutoEncoder. */
  finish(): void {
    const { n, h } = this;
    const { W, V } = this.net;
    W.set(this.f32(this.wAt, h * n));
    const vt = this.f32(this.vtAt, h * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) V[i * h + j] = vt[j * n + i];
  }

  // A fresh view each time: the memory never grows after the constructor, but a view is cheap.
  private f32(at: number, length: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, at, length);
  }
}
