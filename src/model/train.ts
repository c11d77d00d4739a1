/**
 * The training loop around a kernel: epochs, shuffling, divergence, progress, stop.
 * It yields to the event loop every ~50 ms so a spinner can move and Ctrl-C can land.
 * The course's setting (160 → h → 160, no biases, batch 1, SGD) runs the fused course kernels;
 * everything else runs the general back-propagation: in WebAssembly SIMD (wasm-backprop.ts) when
 * it can, else in TypeScript (backprop.ts).
 */
import type { AutoEncoder } from './autoencoder.js';
import { SgdKernel, type EpochKernel } from './sgd-kernel.js';
import { WasmSgdKernel, wasmKernelAvailable } from './wasm-kernel.js';
import { BackpropKernel } from './backprop.js';
import { WasmBackpropKernel, wasmBackpropAvailable, wasmBackpropUnsupported } from './wasm-backprop.js';
import type { Rng } from './rng.js';
import { asAutoEncoder, fromAutoEncoder, networkMeanLoss, type Network } from './network.js';
import type { OptimizerSpec } from './optimizer.js';

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
}

/** The course's kernels ('wasm', 'js'), the general back-propagation in WebAssembly or TypeScript. */
export type KernelName = 'wasm' | 'js' | 'wasm-backprop' | 'backprop';

/**
 * The course kernels run the same math as the back-propagation (tests compare them all); WASM is
 * ~15× faster than the TS one, the readable fallback. Any other network, batch or optimiser
 * goes through the general back-propagation, whose WebAssembly version is ~15× faster than its
 * TypeScript one (the fallback, and the only one for float64 weights).
 */
function makeKernel(net: Network, frames: Float64Array, count: number, opts: TrainOptions): { kernel: EpochKernel; name: KernelName } {
  const batch = opts.batch ?? 1;
  const sgd = (opts.optimizer?.kind ?? 'sgd') === 'sgd';
  const ae = asAutoEncoder(net);
  const engine = opts.engine ?? 'auto';
  if (ae && batch === 1 && sgd && engine === 'auto') {
    if (ae.W instanceof Float32Array && wasmKernelAvailable()) return { kernel: new WasmSgdKernel(ae, frames, count), name: 'wasm' };
    return { kernel: new SgdKernel(ae), name: 'js' };
  }
  const spec = { batch, optimizer: opts.optimizer };
  if (engine !== 'backprop-ts' && wasmBackpropUnsupported(net) === null && wasmBackpropAvailable()) {
    return { kernel: new WasmBackpropKernel(net, frames, count, spec), name: 'wasm-backprop' };
  }
  return { kernel: new BackpropKernel(net, spec), name: 'backprop' };
}

export type StopReason = 'done' | 'diverged' | 'interrupted';

export interface TrainResult {
  /** Which kernel ran: the course's WASM or TS kernel, or the general back-propagation's. */
  kernel: KernelName;
  /** Mean L over the frames with the initial weights. */
  initialLoss: number;
  /** losses[e] = mean over the frames of L, each measured just before its own update, in epoch e. */
  losses: number[];
  stopped: StopReason;
  seconds: number;
  /** Frame-steps (one forward + backward + update on one frame) per second. */
  stepsPerSecond: number;
}

/** Trains `net` in place. An AutoEncoder is the course's network seen through its W and V. */
export async function train(model: Network | AutoEncoder, frames: Float64Array, count: number, rng: Rng, opts: TrainOptions): Promise<TrainResult> {
  const net = 'layers' in model ? model : fromAutoEncoder(model);
  const { kernel, name } = makeKernel(net, frames, count, opts);
  const order = opts.shuffle ? Uint32Array.from({ length: count }, (_, i) => i) : null;
  const divergeFactor = opts.divergeFactor ?? 1e6;
  const losses: number[] = [];
  // Measured before the first step: a too-large lr can blow up within epoch 1 already.
  const initialLoss = opts.initialLoss ?? networkMeanLoss(net, frames, count);
  let stopped: StopReason = 'done';
  let busy = 0; // milliseconds spent training (not yielding)
  let sliceStart = performance.now();
  for (let e = 0; e < opts.epochs; e++) {
    if (order !== null) rng.shuffle(order);
    const loss = kernel.epoch(frames, order, count, opts.lr) / count;
    losses.push(loss);
    if (!Number.isFinite(loss) || loss > divergeFactor * initialLoss) {
      stopped = 'diverged';
      break;
    }
    const now = performance.now();
    if (now - sliceStart > 50 && e + 1 < opts.epochs) {
      busy += now - sliceStart;
      opts.onProgress?.(e + 1, loss);
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
      if (opts.shouldStop?.()) {
        stopped = 'interrupted';
        break;
      }
    }
  }
  if (stopped !== 'interrupted') busy += performance.now() - sliceStart;
  kernel.finish();
  const seconds = busy / 1000;
  const steps = losses.length * count;
  return { kernel: name, initialLoss, losses, stopped, seconds, stepsPerSecond: seconds > 0 ? steps / seconds : 0 };
}
