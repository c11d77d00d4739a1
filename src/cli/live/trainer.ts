/**
 * The main thread's side of the trainer: a ChunkTrainer that hands each chunk to the worker thread
 * (trainer-worker.ts) and resolves with its result. The session only sees the interface, so tests
 * give it a fake slow trainer.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../errors.js';
import type { Network } from '../../model/network.js';
import type { ChunkResult, TrainerSetup } from './chunk-trainer.js';
import type { FromTrainer, ToTrainer, TrainerWorkerInit } from './trainer-worker.js';

export interface ChunkTrainer {
  /** Trains on one chunk; one at a time (the session never sends the next before this resolves). */
  train(index: number, samples: Int16Array): Promise<ChunkResult>;
  /** The weights now. */
  network(): Promise<Network>;
  /** Stops the chunk being trained at its next slice (Ctrl-C): its result says 'interrupted'. */
  interrupt(): void;
  close(): Promise<void>;
}

// Workers run compiled JS: from src/cli/live/ (tests) and from dist/cli/live/ (the bin) this is dist/cli/live/.
const WORKER_URL = new URL('../../../dist/cli/live/trainer-worker.js', import.meta.url);

export function startWorkerTrainer(setup: TrainerSetup): ChunkTrainer {
  if (!existsSync(fileURLToPath(WORKER_URL))) throw new UserError(`${fileURLToPath(WORKER_URL)} is missing: run \`npm run build\` in the dlaudio folder`);
  const stopBuffer = new SharedArrayBuffer(4);
  const stop = new Int32Array(stopBuffer);
  const worker = new Worker(WORKER_URL, { workerData: { setup, stop: stopBuffer } satisfies TrainerWorkerInit });
  // One request at a time: the answer goes to whoever asked.
  let waiting: { resolve: (m: FromTrainer) => void; reject: (e: Error) => void } | null = null;
  let dead: Error | null = null;
  const fail = (e: Error): void => {
    dead ??= e;
    waiting?.reject(e);
    waiting = null;
  };
  worker.on('message', (m: FromTrainer) => {
    const w = waiting;
    waiting = null;
    if (m.type === 'error') w?.reject(new UserError(`training failed: ${m.message}`));
    else w?.resolve(m);
  });
  worker.on('error', (e) => fail(new UserError(`the training thread crashed: ${e.message} (run again with --verbose, and please report it)`, 1, { cause: e })));
  worker.on('exit', (code) => fail(new UserError(`the training thread ended (exit code ${code})`)));
  const ask = (m: ToTrainer, transfer: ArrayBuffer[] = []): Promise<FromTrainer> => {
    if (dead) return Promise.reject(dead);
    if (waiting) return Promise.reject(new Error('the trainer takes one request at a time'));
    return new Promise((resolve, reject) => {
      waiting = { resolve, reject };
      worker.postMessage(m, transfer);
    });
  };
  return {
    async train(index, samples) {
      // The chunk's buffer moves to the worker without a copy (the chunker made a fresh one).
      const own = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength ? samples : samples.slice();
      const m = await ask({ type: 'chunk', index, samples: own }, [own.buffer as ArrayBuffer]);
      if (m.type !== 'result') throw new Error('unexpected answer from the training thread');
      return m.result;
    },
    async network() {
      const m = await ask({ type: 'network' });
      if (m.type !== 'network') throw new Error('unexpected answer from the training thread');
      return m.net;
    },
    interrupt() {
      Atomics.store(stop, 0, 1);
    },
    async close() {
      dead ??= new Error('closed');
      await worker.terminate();
    },
  };
}
