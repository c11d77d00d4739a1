/**
 * PCA-k and the subspace figure, computed on the second core while the main thread trains.
 *
 * `train` prints PCA's bound and how much of its best subspace the trained code spans; both need
 * the eigenvectors of the frames' 160×160 second-moment matrix, and ml-matrix's decomposition
 * takes ~0.2 s cold: longer than the course's 200 epochs. The frames go to a worker thread (shared
 * memory when the caller allocated them so: no copy), which starts on them at once; the trained
 * decoder follows when training is done. Same functions as pca.ts and subspace.ts, so the same
 * numbers bit for bit. When no thread can be had, or it fails, they are computed here instead.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pcaBound, pcaReference, type PcaBound, type PcaReference, type PcaShape } from './pca.js';
import { codeSubspace, type SubspaceFit } from './subspace.js';
import type { Network } from './network.js';

/** What the worker is started with. */
export interface PcaJob {
  shape: PcaShape;
  frames: Float64Array;
  count: number;
}
export type PcaRequest = { net: Network };
export type PcaReply = { type: 'reference'; ref: PcaBound | PcaReference } | { type: 'subspace'; fit: SubspaceFit | null };

// Workers run compiled JS: from src/model/ (tests) and from dist/model/ (the bin) this is dist/model/.
const WORKER_URL = new URL('../../dist/model/pca-worker.js', import.meta.url);

export class BackgroundPca {
  private worker: Worker | null = null;
  private failed = false;
  private readonly waiting: Array<{ type: PcaReply['type']; resolve: (r: PcaReply | null) => void }> = [];
  private ref: Promise<PcaBound | PcaReference> | null = null;

  /** `thread: false`: computed here, when asked (no thread is worth starting). */
  constructor(private readonly job: PcaJob, opts: { thread?: boolean } = {}) {
    if (opts.thread === false || !existsSync(fileURLToPath(WORKER_URL))) {
      this.failed = true;
      return;
    }
    try {
      const w = new Worker(WORKER_URL, { workerData: job });
      w.on('message', (m: PcaReply) => this.settle(m.type, m));
      // A failed thread (no memory for it, a bug): what it owed is computed here.
      const fail = (): void => {
        this.failed = true;
        for (const p of this.waiting.splice(0)) p.resolve(null);
      };
      w.on('error', fail);
      w.on('exit', fail);
      this.worker = w;
      void this.reference(); // waits for the answer from now on
    } catch {
      this.failed = true;
    }
  }

  private settle(type: PcaReply['type'], m: PcaReply): void {
    const i = this.waiting.findIndex((p) => p.type === type);
    if (i >= 0) this.waiting.splice(i, 1)[0].resolve(m);
  }

  private reply(type: PcaReply['type']): Promise<PcaReply | null> {
    if (this.failed || this.worker === null) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push({ type, resolve }));
  }

  /** PCA-k: with its eigenvectors when the shape makes it a bound (the subspace line needs them). */
  reference(): Promise<PcaBound | PcaReference> {
    // Asked for before the worker answers, so the answer is never missed.
    this.ref ??= this.reply('reference').then((m) => {
      if (m?.type === 'reference') return m.ref;
      const { shape, frames, count } = this.job;
      return shape.isBound ? pcaReference(shape, frames, count) : pcaBound(shape, frames, count);
    });
    return this.ref;
  }

  /** The trained decoder's subspace figure (subspace.ts), null where there is none. */
  async subspace(net: Network): Promise<SubspaceFit | null> {
    const ref = await this.reference();
    if (!('pca' in ref)) return null;
    if (this.worker !== null && !this.failed) {
      const answer = this.reply('subspace');
      this.worker.postMessage({ net } satisfies PcaRequest);
      const m = await answer;
      if (m?.type === 'subspace') return m.fit;
    }
    return codeSubspace(net, ref);
  }

  /** Ends the thread (it would keep the process alive). */
  close(): void {
    const w = this.worker;
    this.worker = null;
    this.failed = true;
    if (w !== null) {
      w.removeAllListeners('exit');
      void w.terminate();
    }
  }
}
