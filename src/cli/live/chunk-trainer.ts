/**
 * What `live` does with each chunk, the same arithmetic as `dlaudio train` on that chunk alone with
 * `--init` the weights so far: its frames (whole 160-sample frames, each sample / scale), the loss
 * of the incoming weights on them ("before": sound never heard), `passes` epochs of train(), and
 * the loss of the new weights on them ("after"). One Rng runs through the session (shuffle order).
 * Runs in the trainer's worker thread (trainer-worker.ts); tests run it directly.
 */
import { FRAME_SIZE } from '../../audio/frames.js';
import { Rng } from '../../model/rng.js';
import type { SampleFrames } from '../../model/frame-data.js';
import { meanLossYielding, train, type KernelName, type StopReason } from '../../model/train.js';
import { createNetwork, initNetwork, type Network } from '../../model/network.js';
import type { NetworkTrainOptions } from '../network-options.js';
import { cloneNetwork } from '../sweep-run.js';

export interface TrainerSetup {
  sizes: number[];
  bias: boolean;
  /** Start from these weights (--init) instead of random ones drawn from `seed`. */
  init: Network | null;
  seed: number;
  scale: number;
  lr: number;
  passes: number;
  shuffle: boolean;
  learning: NetworkTrainOptions;
}

export interface ChunkResult {
  /** 0-based chunk number in the session. */
  index: number;
  frames: number;
  /** Mean loss of the weights before this chunk, on it (never heard). */
  before: number;
  /** Mean loss of the weights after its passes, on it. */
  after: number;
  /** Each pass's mean loss (each frame's loss just before its own update), as train's `losses`. */
  losses: number[];
  stopped: StopReason;
  /** Seconds of training (steps only). */
  trainSeconds: number;
  /** Seconds for the whole chunk: both loss passes and the training. Under the chunk's own length: training keeps up with real time. */
  workSeconds: number;
  kernel: KernelName;
  fallback: string | null;
}

export class ChunkTrainerCore {
  readonly net: Network;
  private readonly rng: Rng;

  constructor(private readonly setup: TrainerSetup) {
    this.rng = new Rng(setup.seed);
    if (setup.init !== null) this.net = setup.init;
    else {
      this.net = createNetwork(setup.sizes, { bias: setup.bias });
      initNetwork(this.net, this.rng); // the same draws as `train --seed`
    }
  }

  /**
   * Runs the same code once on a copy of the network and a silent frame, while the first chunk is
   * still being captured: the JIT and the WebAssembly kernel are ready when it arrives (the first
   * chunk's lag was ~0.25 s without this, the others ~0.02 s). Touches neither the weights nor the Rng.
   */
  async warmUp(): Promise<void> {
    const { setup } = this;
    const copy = cloneNetwork(this.net);
    const frame: SampleFrames = { samples: new Int16Array(FRAME_SIZE), scale: setup.scale };
    await meanLossYielding(copy, frame, 1);
    await train(copy, frame, 1, new Rng(0), { batch: 1, optimizer: setup.learning.optimizer, lr: setup.lr, epochs: 1, shuffle: false });
  }

  /** The chunk's whole frames: its 16-bit samples read as sample / scale, as `train` reads a file's (no copy). */
  private frames(samples: Int16Array): { data: SampleFrames; count: number } {
    const count = Math.floor(samples.length / FRAME_SIZE);
    return { data: { samples: samples.subarray(0, count * FRAME_SIZE), scale: this.setup.scale }, count };
  }

  /** Trains on one chunk (at least one whole frame: the caller checks). */
  async train(index: number, samples: Int16Array, shouldStop?: () => boolean): Promise<ChunkResult> {
    const { setup, net } = this;
    const started = performance.now();
    const frames = this.frames(samples);
    // As train: a batch larger than the chunk is the whole chunk.
    const batch = Math.min(setup.learning.batch, Math.max(1, frames.count));
    const before = await meanLossYielding(net, frames.data, frames.count);
    const r = await train(net, frames.data, frames.count, this.rng, {
      batch,
      optimizer: setup.learning.optimizer,
      lr: setup.lr,
      epochs: setup.passes,
      shuffle: setup.shuffle,
      initialLoss: before,
      shouldStop,
    });
    const after = r.stopped === 'diverged' ? NaN : await meanLossYielding(net, frames.data, frames.count);
    return { index, frames: frames.count, before, after, losses: r.losses, stopped: r.stopped, trainSeconds: r.seconds, workSeconds: (performance.now() - started) / 1000, kernel: r.kernel, fallback: r.fallback };
  }
}
