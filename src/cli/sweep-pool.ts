/**
 * Runs sweep jobs on a few worker threads (one per core at most): each worker takes the next
 * job when it is free. Results arrive as runs finish; a crashed worker ends the sweep with one
 * line naming its run.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { fmt } from './render.js';
import type { RunResult, SweepJob } from './sweep-run.js';
import type { WorkerInit, WorkerMessage } from './sweep-worker.js';

// Workers run compiled JS: from src/cli/ (tests) and from dist/cli/ (the bin) this is dist/cli/.
export const WORKER_URL = new URL('../../dist/cli/sweep-worker.js', import.meta.url);

export interface PoolOptions {
  workers: number;
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
  /** Worker threads started. */
  workers: number;
}

/** The frames once in shared memory, readable by every worker without a copy each. */
export function sharedFrames(frames: Float64Array): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(frames.byteLength);
  new Float64Array(sab).set(frames);
  return sab;
}

export function runPool(jobs: readonly SweepJob[], frames: Float64Array, count: number, opts: PoolOptions): Promise<PoolOutcome> {
  const url = opts.workerUrl ?? WORKER_URL;
  if (!existsSync(fileURLToPath(url))) {
    return Promise.reject(new UserError(`${fileURLToPath(url)} is missing: run \`npm run build\` in the dlaudio folder`));
  }
  if (!(opts.stop.buffer instanceof SharedArrayBuffer)) throw new TypeError('the stop flag must live in a SharedArrayBuffer');
  const init: WorkerInit = { frames: sharedFrames(frames), count, stop: opts.stop.buffer };
  const size = Math.max(1, Math.min(opts.workers, jobs.length));
  const results: RunResult[] = [];
  const queue = [...jobs];

  return new Promise<PoolOutcome>((resolve, reject) => {
    const pool: Worker[] = [];
    const running = new Map<Worker, SweepJob>();
    let ended = false;

    const end = (error?: Error): void => {
      if (ended) return;
      ended = true;
      for (const w of pool) void w.terminate();
      if (error) reject(error);
      else resolve({ results: results.sort((a, b) => a.index - b.index), workers: pool.length });
    };
    const next = (w: Worker): void => {
      const job = Atomics.load(opts.stop, 0) === 0 ? queue.shift() : undefined;
      if (job === undefined) {
        if (running.size === 0) end();
        return;
      }
      running.set(w, job);
      w.postMessage(job);
    };
    const crashed = (w: Worker, why: string, cause?: Error): void => {
      const job = running.get(w);
      const what = job ? `the worker training lr ${fmt(job.lr)}` : 'a sweep worker';
      end(new UserError(`${what} stopped: ${why} (run again with --verbose for details, and please report it)`, 1, { cause }));
    };

    for (let i = 0; i < size; i++) {
      const w = new Worker(url, { workerData: init });
      pool.push(w);
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') opts.onProgress?.(m.index, m.epoch, m.loss);
        else {
          running.delete(w);
          results.push(m.result);
          opts.onResult?.(m.result);
          next(w);
        }
      });
      w.on('error', (err) => crashed(w, err.message, err));
      w.on('exit', (code) => { if (!ended) crashed(w, `its thread exited with code ${code}`); });
      next(w);
    }
  });
}
