/**
 * Runs a sweep's jobs on the main thread and, when the sweep is long enough to pay for them,
 * a few worker threads, all taking runs from one shared queue: whichever thread is free takes
 * the next run. The main thread starts training at once; a worker costs ~30 ms to start on an
 * idle core (a Node thread ~20 ms, then the trainer's modules ~7 ms; the WebAssembly kernel
 * compiles in under 1 ms, so it is not worth handing over) and ~15 ms more warming up on its
 * first run: CPU time a busy machine takes from the runs. So workers start only once the main
 * thread has measured enough training left: a short sweep is exactly the serial one, a long one
 * uses every core. Results arrive as runs finish; a crashed worker ends the sweep with one line
 * naming its run.
 */
import { Worker, threadId } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { fmt } from './render.js';
import { runJob, type RunResult, type SweepJob } from './sweep-run.js';
import type { WorkerInit, WorkerMessage } from './sweep-worker.js';
import { isSampleFrames, type FrameData } from '../model/frame-data.js';

// Workers run compiled JS: from src/cli/ (tests) and from dist/cli/ (the bin) this is dist/cli/.
export const WORKER_URL = new URL('../../dist/cli/sweep-worker.js', import.meta.url);

/**
 * Seconds of training each worker must have ahead of it to be started: about one start-up and
 * warm-up (~45 ms). Below that a worker would be ready only when the work is done. Measured on the
 * five default lrs × 100 epochs (~0.09 s of work): a worker started then makes the sweep ~1.2×
 * faster on an idle core; two lrs × 100 epochs (~0.02 s left) stay in the main thread.
 */
export const WORK_PER_WORKER = 0.05;

export interface PoolOptions {
  /** Worker threads at most besides the main thread (never more than there are runs for them). */
  workers: number;
  /** The main thread takes runs too (default). false: only workers do (tests of the workers). */
  mainThread?: boolean;
  /** Seconds of training left per worker started (default WORK_PER_WORKER); 0: start them all at once. */
  workPerWorker?: number;
  /** Shared Int32Array: [0] set to 1 stops running jobs at their next slice and starts no new one. */
  stop: Int32Array;
  onProgress?: (index: number, epoch: number, loss: number) => void;
  onResult?: (result: RunResult) => void;
  /** Another worker script (tests). */
  workerUrl?: URL;
}

export interface PoolOutcome {
  /** Finished or interrupted runs, in job order; jobs never started are missing. */
  results: RunResult[];
  /** Worker threads started (the main thread not counted). */
  workers: number;
}

/** The frames once in shared memory, readable by every worker without a copy each (as they are when already there). */
export function sharedFrames(frames: FrameData): FrameData {
  const values = isSampleFrames(frames) ? frames.samples : frames;
  if (values.buffer instanceof SharedArrayBuffer) return frames;
  const Kind = values.constructor as new (buffer: SharedArrayBuffer) => typeof values;
  const copy = new Kind(new SharedArrayBuffer(values.byteLength));
  copy.set(values);
  return isSampleFrames(frames) ? { samples: copy as Int16Array, scale: frames.scale } : (copy as Float32Array | Float64Array);
}

export function runPool(jobs: readonly SweepJob[], frames: FrameData, count: number, opts: PoolOptions): Promise<PoolOutcome> {
  const stopBuffer = opts.stop.buffer;
  if (!(stopBuffer instanceof SharedArrayBuffer)) throw new TypeError('the stop flag must live in a SharedArrayBuffer');
  const inMain = opts.mainThread !== false;
  // With the main thread training, a worker for every other run at most.
  const size = inMain ? Math.max(0, Math.min(opts.workers, jobs.length - 1)) : Math.max(1, Math.min(opts.workers, jobs.length));
  const url = opts.workerUrl ?? WORKER_URL;
  if (size > 0 && !existsSync(fileURLToPath(url))) {
    return Promise.reject(new UserError(`${fileURLToPath(url)} is missing: run \`npm run build\` in the dlaudio folder`));
  }
  const perWorker = inMain ? opts.workPerWorker ?? WORK_PER_WORKER : 0;
  const stop = opts.stop;
  const stopped = (): boolean => Atomics.load(stop, 0) !== 0;
  const nextBuffer = new SharedArrayBuffer(4);
  const next = new Int32Array(nextBuffer); // [0]: the next job to take, for every thread
  const runningBuffer = new SharedArrayBuffer(4 * Math.max(1, size));
  const running = new Int32Array(runningBuffer); // [slot]: index + 1 of the job worker `slot` runs
  const unclaimed = (): number => jobs.length - Math.min(Atomics.load(next, 0), jobs.length);
  const results: RunResult[] = [];
  const pool: Worker[] = [];

  return new Promise<PoolOutcome>((resolve, reject) => {
    let ended = false;
    const end = (error?: Error): void => {
      if (ended) return;
      ended = true;
      // Also ends workers still starting when the main thread has already done every run.
      for (const w of pool) void w.terminate();
      if (error) reject(error);
      else resolve({ results: results.sort((a, b) => a.index - b.index), workers: pool.length });
    };
    // Done when every job taken has its result and no more will be taken.
    const check = (): void => {
      const taken = jobs.length - unclaimed();
      if (!ended && results.length === taken && (taken === jobs.length || stopped())) end();
    };
    const record = (r: RunResult): void => {
      results.push(r);
      opts.onResult?.(r);
      check();
    };
    const crashed = (slot: number, why: string, cause?: Error): void => {
      const index = Atomics.load(running, slot) - 1;
      const what = index >= 0 ? `the worker training lr ${fmt(jobs[index].lr)}` : 'a sweep worker';
      end(new UserError(`${what} stopped: ${why} (run again with --verbose for details, and please report it)`, 1, { cause }));
    };

    let decided = size === 0;
    /** `left`: seconds the main thread alone would still train. Decides once, on the first estimate. */
    const startWorkers = (left: number): void => {
      if (decided || ended || stopped()) return;
      decided = true;
      const n = Math.min(size, unclaimed(), perWorker > 0 ? Math.floor(left / perWorker) : Infinity);
      if (n <= 0) return;
      const init: Omit<WorkerInit, 'slot'> = { jobs: [...jobs], frames: sharedFrames(frames), count, next: nextBuffer, running: runningBuffer, stop: stopBuffer };
      for (let slot = 0; slot < n; slot++) {
        const w = new Worker(url, { workerData: { ...init, slot } satisfies WorkerInit });
        pool.push(w);
        w.on('message', (m: WorkerMessage) => {
          if (ended) return;
          if (m.type === 'progress') opts.onProgress?.(m.index, m.epoch, m.loss);
          else record(m.result);
        });
        w.on('error', (err) => crashed(slot, err.message, err));
        // A worker ends by itself (code 0) once the queue is empty; any other end is a crash.
        w.on('exit', (code) => {
          if (!ended && (code !== 0 || Atomics.load(running, slot) !== 0)) crashed(slot, `its thread exited with code ${code}`);
        });
      }
    };
    if (perWorker === 0) startWorkers(Infinity);

    // The main thread's share: the same loop as a worker's, between the event-loop turns train() yields.
    const mainLoop = async (): Promise<void> => {
      while (inMain && !ended && !stopped()) {
        const index = Atomics.add(next, 0, 1);
        if (index >= jobs.length) break;
        const epochs = jobs[index].options.epochs;
        const t0 = performance.now();
        // From this run's pace so far: the rest of it, and every run nobody has taken yet.
        const estimate = (done: number, rest: number): void => {
          if (decided || done === 0) return;
          const perEpoch = (performance.now() - t0) / 1000 / done;
          startWorkers(perEpoch * (rest + unclaimed() * epochs));
        };
        const r = await runJob(jobs[index], frames, count, threadId, {
          shouldStop: () => ended || stopped(),
          onProgress: (epoch, loss) => {
            estimate(epoch, epochs - epoch);
            opts.onProgress?.(index, epoch, loss);
          },
        });
        if (ended) return;
        if (r.stopped !== 'diverged') estimate(r.epochs, 0); // a diverged run tells nothing of the others' pace
        record(r);
      }
      check();
    };
    mainLoop().catch((err: unknown) => end(err instanceof Error ? err : new Error(String(err))));
  });
}
