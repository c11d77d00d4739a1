/**
 * The training loop around the SGD kernel: epochs, shuffling, divergence, progress, stop.
 * It yields to the event loop every ~50 ms so a spinner can move and Ctrl-C can land.
 */
import type { AutoEncoder } from './autoencoder.js';
import { meanLoss } from './autoencoder.js';
import { SgdKernel } from './sgd-kernel.js';
import type { Rng } from './rng.js';

export interface TrainOptions {
  lr: number;
  epochs: number;
  shuffle: boolean;
  /** Stop when the loss grows above this multiple of the first epoch's (or is not finite). */
  divergeFactor?: number;
  /** Called between chunks of epochs with the epochs done so far. */
  onProgress?: (epoch: number, loss: number) => void;
  /** Checked between epochs: true stops training (Ctrl-C). */
  shouldStop?: () => boolean;
}

export type StopReason = 'done' | 'diverged' | 'interrupted';

export interface TrainResult {
  /** losses[e] = mean over the frames of L, each measured just before its own update, in epoch e. */
  losses: number[];
  stopped: StopReason;
  seconds: number;
  /** Frame-steps (one forward + backward + update on one frame) per second. */
  stepsPerSecond: number;
}

export async function train(net: AutoEncoder, frames: Float64Array, count: number, rng: Rng, opts: TrainOptions): Promise<TrainResult> {
  const kernel = new SgdKernel(net);
  const order = opts.shuffle ? Uint32Array.from({ length: count }, (_, i) => i) : null;
  const divergeFactor = opts.divergeFactor ?? 1e6;
  const losses: number[] = [];
  let stopped: StopReason = 'done';
  let busy = 0; // milliseconds spent training (not yielding)
  let sliceStart = performance.now();
  for (let e = 0; e < opts.epochs; e++) {
    if (order !== null) rng.shuffle(order);
    const loss = kernel.epoch(frames, order, count, opts.lr) / count;
    losses.push(loss);
    if (!Number.isFinite(loss) || loss > divergeFactor * losses[0]) {
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
  return { losses, stopped, seconds, stepsPerSecond: seconds > 0 ? steps / seconds : 0 };
}

export { meanLoss };
