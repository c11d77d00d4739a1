/**
 * A sweep worker thread: takes the next run from the queue it shares with the main thread and
 * the other workers, until the queue is empty or Ctrl-C, then ends. The frames, the queue and
 * the stop flag are shared memory: one copy of the frames, and no round trip to the main thread
 * (busy training its own runs) between two runs.
 */
import { parentPort, workerData, threadId } from 'node:worker_threads';
import { runJob, type RunResult, type SweepJob } from './sweep-run.js';
import type { FrameData } from '../model/frame-data.js';

export interface WorkerInit {
  /** Every job of the sweep; which ones this thread runs is decided by `next`. */
  jobs: SweepJob[];
  /** In shared memory (sharedFrames): every thread reads the same copy. */
  frames: FrameData;
  count: number;
  /** Int32Array[0]: the next job to take (Atomics.add: each index is taken once, by one thread). */
  next: SharedArrayBuffer;
  /** Int32Array[slot] = index + 1 of the job this worker is running, 0 when none: names the run in a crash report. */
  running: SharedArrayBuffer;
  slot: number;
  /** Int32Array[0] = 1: stop at the next slice boundary and take no new job (Ctrl-C). */
  stop: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'progress'; index: number; epoch: number; loss: number }
  | { type: 'result'; result: RunResult };

const port = parentPort;
if (port === null) throw new Error('sweep-worker.js runs as a worker thread of `dlaudio sweep`');
const init = workerData as WorkerInit;
const frames = init.frames;
const next = new Int32Array(init.next);
const running = new Int32Array(init.running);
const stop = new Int32Array(init.stop);
const stopped = (): boolean => Atomics.load(stop, 0) !== 0;

// Errors are not caught: the thread dies, and the pool reports the run named in `running`.
while (!stopped()) {
  const index = Atomics.add(next, 0, 1);
  if (index >= init.jobs.length) break;
  Atomics.store(running, init.slot, index + 1);
  const result = await runJob(init.jobs[index], frames, init.count, threadId, {
    shouldStop: stopped,
    onProgress: (epoch, loss) => port.postMessage({ type: 'progress', index, epoch, loss } satisfies WorkerMessage),
  });
  port.postMessage({ type: 'result', result } satisfies WorkerMessage);
  Atomics.store(running, init.slot, 0);
}
