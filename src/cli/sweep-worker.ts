/**
 * A sweep worker thread: takes jobs one after another until the pool closes it. The frames and
 * the stop flag are shared memory (one copy for all workers; Ctrl-C reaches every run at once).
 */
import { parentPort, workerData, threadId } from 'node:worker_threads';
import { runJob, type SweepJob } from './sweep-run.js';

export interface WorkerInit {
  frames: SharedArrayBuffer;
  count: number;
  /** Int32Array[0] = 1: stop at the next slice boundary. */
  stop: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'progress'; index: number; epoch: number; loss: number }
  | { type: 'result'; result: import('./sweep-run.js').RunResult };

const init = workerData as WorkerInit;
const frames = new Float64Array(init.frames);
const stop = new Int32Array(init.stop);
const port = parentPort;
if (port === null) throw new Error('sweep-worker.js runs as a worker thread of `dlaudio sweep`');

port.on('message', (job: SweepJob) => {
  void runJob(job, frames, init.count, threadId, {
    shouldStop: () => Atomics.load(stop, 0) !== 0,
    onProgress: (epoch, loss) => port.postMessage({ type: 'progress', index: job.index, epoch, loss } satisfies WorkerMessage),
  }).then((result) => port.postMessage({ type: 'result', result } satisfies WorkerMessage), (err: unknown) => {
    // Rethrown outside the promise: the pool sees an 'error' event naming this run.
    setImmediate(() => { throw err; });
  });
});
