/**
 * The thread `live` trains in: the main thread keeps reading the sound (and drawing the view)
 * while a chunk trains here, so a slow epoch never stalls the capture. One chunk at a time, in the
 * order they are sent; the weights live here and are sent back on request (--save, the report).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ChunkTrainerCore, type ChunkResult, type TrainerSetup } from './chunk-trainer.js';
import type { Network } from '../../model/network.js';

export interface TrainerWorkerInit {
  setup: TrainerSetup;
  /** Int32Array[0] = 1: stop the chunk being trained at its next slice (Ctrl-C). */
  stop: SharedArrayBuffer;
}

export type ToTrainer = { type: 'chunk'; index: number; samples: Int16Array } | { type: 'network' };
export type FromTrainer = { type: 'result'; result: ChunkResult } | { type: 'network'; net: Network } | { type: 'error'; message: string };

const port = parentPort;
if (port === null) throw new Error('trainer-worker.js runs as a worker thread of `dlaudio live`');
const init = workerData as TrainerWorkerInit;
const stop = new Int32Array(init.stop);
const core = new ChunkTrainerCore(init.setup);
// Before any chunk: the first one then trains as fast as the others. A failure here shows with the first chunk.
let queue: Promise<void> = core.warmUp().catch(() => undefined);

port.on('message', (m: ToTrainer) => {
  queue = queue.then(async () => {
    try {
      if (m.type === 'chunk') {
        const result = await core.train(m.index, m.samples, () => Atomics.load(stop, 0) !== 0);
        port.postMessage({ type: 'result', result } satisfies FromTrainer);
      } else {
        port.postMessage({ type: 'network', net: core.net } satisfies FromTrainer);
      }
    } catch (e) {
      port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FromTrainer);
    }
  });
});
