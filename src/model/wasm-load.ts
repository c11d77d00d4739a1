/**
 * Loads the committed WebAssembly kernels (wasm/<name>.wasm, built by `npm run build:wasm`):
 * each is compiled once per thread, and a failure (no WebAssembly, no SIMD) is remembered too,
 * so asking whether a kernel is available is cheap.
 */
import { readFileSync } from 'node:fs';
import { isSampleFrames, type FrameData } from './frame-data.js';

/** The few WebAssembly features used (the project's lib/types settings do not declare them). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

export type WasmKernelFile = 'kernel' | 'backprop';

const PAGE = 65536;
const compiled = new Map<WasmKernelFile, { module: object } | { error: string }>();

function load(name: WasmKernelFile): { module: object } | { error: string } {
  const known = compiled.get(name);
  if (known !== undefined) return known;
  // tsc copies no .wasm into dist/, so both src/model/ and dist/model/ read the committed one in src/.
  const url = new URL(`../../src/model/wasm/${name}.wasm`, import.meta.url);
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  let result: { module: object } | { error: string };
  if (wasm === undefined) result = { error: 'this JavaScript runtime has no WebAssembly' };
  else {
    try {
      // Synchronous and small (a few KB): compiling fails here too if the engine lacks SIMD.
      result = { module: new wasm.Module(readFileSync(url)) };
    } catch (err) {
      result = { error: `cannot load ${url.pathname}: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  compiled.set(name, result);
  return result;
}

/** True when WebAssembly with SIMD is supported here and wasm/<name>.wasm loads. */
export function wasmAvailable(name: WasmKernelFile): boolean {
  return 'module' in load(name);
}

/** A fresh instance (its own memory) of wasm/<name>.wasm; throws why it cannot be had. */
export function instantiateWasm(name: WasmKernelFile): Record<string, unknown> {
  const loaded = load(name);
  if (!('module' in loaded)) throw new Error(loaded.error);
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  try {
    return new wasm.Instance(loaded.module, {}).exports;
  } catch (err) {
    // Under `ulimit -v` the engine cannot reserve a memory (several GB of address space): remembered,
    // so every later kernel goes straight to TypeScript.
    const error = `WebAssembly memory cannot be had here (${err instanceof Error ? err.message : String(err)})`;
    compiled.set(name, { error });
    throw new Error(error);
  }
}

/** Grows `memory` to hold `bytes`; `what` names the data in the error when it cannot. */
export function growMemory(memory: WasmMemory, bytes: number, what: string): void {
  const pages = Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE;
  if (pages <= 0) return;
  try {
    memory.grow(pages);
  } catch {
    throw new Error(`not enough memory for ${what} in the WebAssembly kernel (${Math.ceil(bytes / 2 ** 20)} MiB)`);
  }
}

export const align16 = (bytes: number): number => (bytes + 15) & ~15;

/**
 * Copies an epoch's frame order into kernel memory at `at`; returns `at`, or 0 (which the kernels
 * read as frame order) when `order` is null. Indices are checked here because a kernel would read
 * whatever memory an out-of-range index points at.
 */
export function writeOrder(memory: WasmMemory, at: number, order: Uint32Array | null, count: number, frameCount: number): number {
  if (!Number.isInteger(count) || count < 0 || count > frameCount) throw new Error(`count ${count} is outside 0..${frameCount}`);
  if (order === null) return 0;
  if (order.length < count) throw new Error(`order has ${order.length} entries, ${count} needed`);
  const dst = new Uint32Array(memory.buffer, at, count);
  for (let t = 0; t < count; t++) {
    const f = order[t];
    if (f >= frameCount) throw new Error(`order[${t}] = ${f} is not a frame index (< ${frameCount})`);
    dst[t] = f;
  }
  return at;
}

/**
 * 16-bit frames whose float32 copy takes at most this are copied as float32 all the same: widening
 * each frame just before its step costs the course network (160 → 10 → 160) ~16 % of its speed,
 * and below this size the 2 bytes a sample it saves are at most 8 MiB. So the course's takes train
 * at full speed, and `train` holds 4 bytes a sample plus at most 8 MiB (docs/performance.md).
 */
export const FLOAT32_FRAMES_MAX_BYTES = 16 * 2 ** 20;

/** Whether these frames stay 16-bit in kernel memory (long recordings) rather than float32. */
function staySamples(data: FrameData, count: number, stride: number): boolean {
  return isSampleFrames(data) && 4 * count * stride > FLOAT32_FRAMES_MAX_BYTES;
}

/** Bytes of kernel memory the frames take at `stride` values a frame, and their sample table (0: none). */
export function frameLayout(data: FrameData, count: number, stride: number): { frames: number; table: number } {
  return staySamples(data, count, stride) ? { frames: 2 * count * stride, table: 4 * 65536 } : { frames: 4 * count * stride, table: 0 };
}

/**
 * Writes the first `count` frames of n values into kernel memory at `framesAt`, `stride` values
 * apart (zero padding after each frame), laid out as frameLayout says. Long 16-bit frames stay
 * 16-bit (2 bytes a sample, as in JS), with at `tableAt` the float32 value of every sample, s / scale
 * rounded as a Float32Array rounds it: the kernels look each frame up just before its step, so they
 * train on the very float32 values a copy of the frames would hold. Other frames are copied as
 * float32. Returns the table's address, or 0 when the frames are float32.
 */
export function writeFrames(memory: WasmMemory, framesAt: number, tableAt: number, data: FrameData, count: number, n: number, stride: number): number {
  const buffer = memory.buffer;
  if (staySamples(data, count, stride) && isSampleFrames(data)) {
    const { samples, scale } = data;
    const table = new Float32Array(buffer, tableAt, 65536);
    for (let s = -32768; s < 32768; s++) table[s + 32768] = s / scale;
    const to = new Int16Array(buffer, framesAt, count * stride);
    for (let t = 0; t < count; t++) to.set(samples.subarray(t * n, t * n + n), t * stride);
    return tableAt;
  }
  const to = new Float32Array(buffer, framesAt, count * stride);
  if (!isSampleFrames(data)) for (let t = 0; t < count; t++) to.set(data.subarray(t * n, t * n + n), t * stride);
  else {
    const { samples, scale } = data;
    // Divide (not multiply by 1/scale): exactly the float64 frames' values, then rounded to float32.
    for (let t = 0; t < count; t++) for (let i = 0; i < n; i++) to[t * stride + i] = samples[t * n + i] / scale;
  }
  return 0;
}
