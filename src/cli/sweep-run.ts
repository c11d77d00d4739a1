/**
 * One run of a learning-rate sweep, the same in a worker thread and in the main thread: a copy
 * of the shared initial weights, a generator in the state `train` would have after drawing them,
 * then `train()` with this run's lr.
 */
import { Rng } from '../model/rng.js';
import { train, type TrainOptions, type TrainResult } from '../model/train.js';
import type { FrameData } from '../model/frame-data.js';
import type { Network } from '../model/network.js';

/** Counts the draws of weight initialisation, so each run's generator can resume right after it. */
export class CountingRng extends Rng {
  draws = 0;
  override next(): number {
    this.draws++;
    return super.next();
  }
}

/** The generator after `draws` numbers of `seed`: where `train` stands once its weights are drawn. */
export function rngAfter(seed: number, draws: number): Rng {
  const rng = new Rng(seed);
  for (let i = 0; i < draws; i++) rng.next();
  return rng;
}

/** What every run shares but the lr: plain data, so it crosses to a worker by structured clone. */
export type SharedTrainOptions = Omit<TrainOptions, 'lr' | 'onProgress' | 'shouldStop'>;

export interface SweepJob {
  /** Position in the sweep (the order of the table). */
  index: number;
  lr: number;
  /** The initial weights; each run trains its own copy. */
  net: Network;
  seed: number;
  /** Numbers drawn from `seed` before training (weight initialisation): 0 with --init. */
  draws: number;
  options: SharedTrainOptions;
}

export interface RunResult extends TrainResult {
  index: number;
  lr: number;
  /** The thread that ran it (node:worker_threads threadId; 0: the main thread). */
  threadId: number;
}

export function cloneNetwork(net: Network): Network {
  return { sizes: [...net.sizes], layers: net.layers.map((l) => ({ ...l, W: l.W.slice(), b: l.b ? l.b.slice() : null })) };
}

export async function runJob(
  job: SweepJob,
  frames: FrameData,
  count: number,
  threadId: number,
  hooks: { shouldStop: () => boolean; onProgress: (epoch: number, loss: number) => void },
): Promise<RunResult> {
  // train() works in place: every run, in whichever thread, gets its own copy of the start.
  const result = await train(cloneNetwork(job.net), frames, count, rngAfter(job.seed, job.draws), {
    ...job.options,
    lr: job.lr,
    shouldStop: hooks.shouldStop,
    onProgress: hooks.onProgress,
  });
  return { ...result, index: job.index, lr: job.lr, threadId };
}
