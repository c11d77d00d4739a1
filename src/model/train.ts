/**
 * The training loop around a kernel: epochs, shuffling, divergence, progress, stop.
 * It yields to the event loop every ~50 ms, inside an epoch too when it is long, so a spinner can
 * move and Ctrl-C can land.
 * The course's setting (160 → h → 160, no biases, batch 1, SGD) runs the fused course kernels;
 * everything else runs the general back-propagation: in WebAssembly SIMD (wasm-backprop.ts) when
 * it can, else in TypeScript (backprop.ts).
 */
import type { AutoEncoder } from './autoencoder.js';
import { SgdKernel, type EpochKernel } from './sgd-kernel.js';
import { WasmSgdKernel, wasmKernelAvailable } from './wasm-kernel.js';
import type { Rng } from './rng.js';
import { asAutoEncoder, fromAutoEncoder, networkMeanLoss, networkParameterCount, type Network } from './network.js';
import { LossHistory, type BucketedLosses } from './loss-history.js';
import type { OptimizerSpec } from './optimizer.js';
import { frameRange, type FrameData } from './frame-data.js';

export type { OptimizerSpec, OptimizerKind } from './optimizer.js';

export interface TrainOptions {
  lr: number;
  epochs: number;
  shuffle: boolean;
  /** Stop when an epoch's loss grows above this multiple of the loss before training (or is not finite). */
  divergeFactor?: number;
  /** The mean loss of these weights on these frames, when the caller has it (a sweep's runs all start from the same). */
  initialLoss?: number;
  /** Called between chunks of epochs with the epochs done so far. */
  onProgress?: (epoch: number, loss: number) => void;
  /** Checked between epochs: true stops training (Ctrl-C). */
  shouldStop?: () => boolean;
  /** Frames per step: each step uses the mean gradient over B frames. Default 1, the course's per-sample SGD. */
  batch?: number;
  /** Update rule; default plain SGD (θ ← θ − lr·g), the course's. */
  optimizer?: OptimizerSpec;
  /**
   * 'auto' (default): the course's fused kernels (WASM, else TS) when the network is 160 → h → 160
   * without biases, batch 1 and SGD; the general back-propagation otherwise.
   * 'backprop': always the general back-propagation (tests and the bench compare the two).
   * 'backprop-ts': always its TypeScript version, the readable reference.
   */
  engine?: 'auto' | 'backprop' | 'backprop-ts';
  /** Frame-steps × parameters per kernel call (default SLICE_WORK); tests make it small. */
  sliceWork?: number;
}

/** The course's kernels ('wasm', 'js'), the general back-propagation in WebAssembly or TypeScript. */
export type KernelName = 'wasm' | 'js' | 'wasm-backprop' | 'backprop';

/**
 * The course kernels run the same math as the back-propagation (tests compare them all); WASM is
 * ~15× faster than the TS one, the readable fallback. Any other network, batch or optimiser
 * goes through the general back-propagation, whose WebAssembly version is ~15× faster than its
 * TypeScript one (the fallback, and the only one for float64 weights).
 */
async function makeKernel(net: Network, frames: FrameData, count: number, opts: TrainOptions): Promise<{ kernel: EpochKernel; name: KernelName; fallback: string | null }> {
  const batch = opts.batch ?? 1;
  const sgd = (opts.optimizer?.kind ?? 'sgd') === 'sgd';
  const ae = asAutoEncoder(net);
  const engine = opts.engine ?? 'auto';
  // A WebAssembly kernel that cannot get its memory (ulimit -v, a huge network) falls back to TypeScript.
  let fallback: string | null = null;
  const tryWasm = (make: () => EpochKernel): EpochKernel | null => {
    try {
      return make();
    } catch (e) {
      fallback = e instanceof Error ? e.message : String(e);
      return null;
    }
  };
  if (ae && batch === 1 && sgd && engine === 'auto') {
    const wasm = ae.W instanceof Float32Array && wasmKernelAvailable() ? tryWasm(() => new WasmSgdKernel(ae, frames, count)) : null;
    return wasm ? { kernel: wasm, name: 'wasm', fallback } : { kernel: new SgdKernel(ae), name: 'js', fallback };
  }
  // Loaded only for the networks that need them: the course's does not.
  const [{ BackpropKernel }, { WasmBackpropKernel, wasmBackpropAvailable, wasmBackpropUnsupported }] = await Promise.all([import('./backprop.js'), import('./wasm-backprop.js')]);
  const spec = { batch, optimizer: opts.optimizer };
  if (engine !== 'backprop-ts' && wasmBackpropUnsupported(net) === null && wasmBackpropAvailable()) {
    const wasm = tryWasm(() => new WasmBackpropKernel(net, frames, count, spec));
    if (wasm) return { kernel: wasm, name: 'wasm-backprop', fallback };
  }
  return { kernel: new BackpropKernel(net, spec), name: 'backprop', fallback };
}

/**
 * Frame-steps × parameters one kernel call may take: ~10 ms in WebAssembly, ~0.2 s in TypeScript,
 * so Ctrl-C lands within half a second whatever the network and the file. Epochs smaller than this
 * run in one call (bit for bit as before); larger ones in slices of whole batches.
 */
export const SLICE_WORK = 20_000_000;

/** Yields to the event loop (a spinner moves, Ctrl-C lands) when ~50 ms have passed since the last time. */
class Slicer {
  private sliceStart = performance.now();
  /** milliseconds spent working (not yielding) */
  busy = 0;
  due(): boolean {
    return performance.now() - this.sliceStart > 50;
  }
  async pause(): Promise<void> {
    this.busy += performance.now() - this.sliceStart;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
  async maybeYield(): Promise<boolean> {
    if (!this.due()) return false;
    await this.pause();
    return true;
  }
  end(): void {
    this.busy += performance.now() - this.sliceStart;
    this.sliceStart = performance.now();
  }
}

/**
 * The mean loss of `net` on the frames, yielding every ~50 ms: NaN when `shouldStop` turned true
 * first. For the initial loss and the model loss after training, which on a long file and a wide
 * network take as long as an epoch.
 */
export async function meanLossYielding(net: Network, frames: FrameData, count: number, shouldStop?: () => boolean): Promise<number> {
  const n = net.sizes[0];
  const step = Math.max(1, Math.floor(SLICE_WORK / Math.max(1, networkParameterCount(net))));
  if (step >= count) return networkMeanLoss(net, frames, count);
  const slicer = new Slicer();
  let sum = 0;
  for (let t = 0; t < count; t += step) {
    const m = Math.min(step, count - t);
    sum += networkMeanLoss(net, frameRange(frames, t, t + m, n), m) * m;
    if (await slicer.maybeYield() && shouldStop?.()) return NaN;
  }
  return count > 0 ? sum / count : NaN;
}

export type StopReason = 'done' | 'diverged' | 'interrupted';

export interface TrainResult {
  /** Which kernel ran: the course's WASM or TS kernel, or the general back-propagation's. */
  kernel: KernelName;
  /** Why a WebAssembly kernel could not be used (TypeScript ran instead), or null. */
  fallback: string | null;
  /** Mean L over the frames with the initial weights (NaN when stopped before it was measured). */
  initialLoss: number;
  /**
   * losses[e] = mean over the frames of L, each measured just before its own update, in epoch e;
   * past EXACT_EPOCHS epochs, the mean of each bucket of `bucketed` instead.
   */
  losses: number[];
  /** Epochs run to their end. */
  epochs: number;
  /** The first and the last epoch's loss (NaN when none ran). */
  firstLoss: number;
  finalLoss: number;
  /** The buckets and the exact first and last losses of a very long run, or null (losses has every epoch). */
  bucketed: BucketedLosses | null;
  stopped: StopReason;
  seconds: number;
  /** Frame-steps (one forward + backward + update on one frame) per second. */
  stepsPerSecond: number;
}

/** Trains `net` in place. An AutoEncoder is the course's network seen through its W and V. */
export async function train(model: Network | AutoEncoder, frames: FrameData, count: number, rng: Rng, opts: TrainOptions): Promise<TrainResult> {
  const net = 'layers' in model ? model : fromAutoEncoder(model);
  const { kernel, name, fallback } = await makeKernel(net, frames, count, opts);
  const order = opts.shuffle ? Uint32Array.from({ length: count }, (_, i) => i) : null;
  const divergeFactor = opts.divergeFactor ?? 1e6;
  const history = new LossHistory();
  const batch = opts.batch ?? 1;
  // Frames per kernel call: the whole epoch when it is small, else whole batches of about SLICE_WORK.
  const params = Math.max(1, networkParameterCount(net));
  const sliceWork = opts.sliceWork ?? SLICE_WORK;
  const perCall = count * params <= sliceWork ? count : Math.max(batch, Math.floor(sliceWork / params / batch) * batch);
  const inOrder = perCall < count && order === null ? Uint32Array.from({ length: count }, (_, i) => i) : null;
  let stopped: StopReason = 'done';
  // Measured before the first step: a too-large lr can blow up within epoch 1 already.
  const initialLoss = opts.initialLoss ?? await meanLossYielding(net, frames, count, opts.shouldStop);
  const slicer = new Slicer(); // training time starts here, as stepsPerSecond counts only steps
  if (Number.isNaN(initialLoss) && opts.shouldStop?.()) stopped = 'interrupted';
  for (let e = 0; e < opts.epochs && stopped === 'done'; e++) {
    if (order !== null) rng.shuffle(order);
    let sum = 0;
    if (perCall >= count) sum = kernel.epoch(frames, order, count, opts.lr);
    else {
      const all = (order ?? inOrder) as Uint32Array;
      for (let t = 0; t < count; t += perCall) {
        sum += kernel.epoch(frames, all.subarray(t, Math.min(count, t + perCall)), Math.min(perCall, count - t), opts.lr);
        if (t + perCall < count && await slicer.maybeYield() && opts.shouldStop?.()) {
          stopped = 'interrupted';
          break;
        }
      }
      if (stopped !== 'done') break;
    }
    const loss = sum / count;
    history.push(loss);
    if (!Number.isFinite(loss) || loss > divergeFactor * initialLoss) {
      stopped = 'diverged';
      break;
    }
    if (e + 1 < opts.epochs && slicer.due()) {
      // Progress before the pause: a sweep estimates the pace from it, not counting the pause.
      opts.onProgress?.(e + 1, loss);
      await slicer.pause();
      if (opts.shouldStop?.()) stopped = 'interrupted';
    }
  }
  slicer.end();
  kernel.finish();
  const seconds = slicer.busy / 1000;
  const steps = history.count * count;
  return {
    kernel: name,
    fallback,
    initialLoss,
    losses: history.series(),
    epochs: history.count,
    firstLoss: history.first,
    finalLoss: history.last,
    bucketed: history.summary(),
    stopped,
    seconds,
    stepsPerSecond: seconds > 0 ? steps / seconds : 0,
  };
}
