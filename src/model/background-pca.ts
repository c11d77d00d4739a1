/**
 * PCA-k and the subspace figure, computed on the second core while the main thread trains.
 *
 * `train` prints PCA's bound and how much of its best subspace the trained code spans; both need
 * the eigenvectors of the frames' 160×160 second-moment matrix, and ml-matrix's decomposition
 * takes ~0.2 s cold: longer than the course's 200 epochs. A worker thread is started first thing
 * (a Node thread takes 30–100 ms to start: that happens while the audio is read), gets the frames
 * (shared memory when the caller allocated them so: no copy) and starts on them at once; the
 * trained decoder follows when training is done. Same functions as pca.ts and subspace.ts, so the
 * same numbers bit for bit. When no thread can be had, or it fails, they are computed here instead.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pcaBound, pcaReference, type PcaBound, type PcaReference, type PcaShape } from './pca.js';
import { codeSubspace, type SubspaceFit } from './subspace.js';
import type { Network } from './network.js';
import type { FrameData } from './frame-data.js';

/** What PCA is computed on. */
export interface PcaJob {
  shape: PcaShape;
  /** Float64 frames, or the 16-bit samples and the divisor (train's: 2 bytes a sample, shared with the thread). */
  frames: FrameData;
  count: number;
}
export type PcaRequest = { type: 'job'; job: PcaJob } | { type: 'subspace'; net: Network };
export type PcaReply = { type: 'reference'; ref: PcaBound | PcaReference } | { type: 'subspace'; fit: SubspaceFit | null };

// Workers run compiled JS: from src/model/ (tests) and from dist/model/ (the bin) this is dist/model/.
const WORKER_URL = new URL('../../dist/model/pca-worker.js', import.meta.url);

export class BackgroundPca {
  private worker: Worker | null = null;
  private job: PcaJob | null = null;
  private readonly waiting: Array<{ type: PcaReply['type']; resolve: (r: PcaReply | null) => void }> = [];
  private ref: Promise<PcaBound | PcaReference> | null = null;

  /** `thread: false`: everything computed here, when asked. */
  constructor(opts: { thread?: boolean } = {}) {
    if (opts.thread === false || !existsSync(fileURLToPath(WORKER_URL))) return;
    try {
      const w = new Worker(WORKER_URL);
      w.unref(); // only a question waiting for its answer keeps the process alive (reply())
      w.on('message', (m: PcaReply) => this.settle(m.type, m));
      // A failed thread (no memory for it, a bug): what it owed is computed here.
      const fail = (): void => {
        this.worker = null;
        for (const p of this.waiting.splice(0)) p.resolve(null);
      };
      w.on('error', fail);
      w.on('exit', fail);
      this.worker = w;
    } catch {
      this.worker = null;
    }
  }

  /** The frames are ready: the thread starts on them now. */
  begin(job: PcaJob): void {
    this.job = job;
    this.worker?.postMessage({ type: 'job', job } satisfies PcaRequest);
    void this.reference(); // waits for the answer from now on, so it is never missed
  }

  private settle(type: PcaReply['type'], m: PcaReply): void {
    const i = this.waiting.findIndex((p) => p.type === type);
    if (i >= 0) this.waiting.splice(i, 1)[0].resolve(m);
    if (this.waiting.length === 0) this.worker?.unref();
  }

  private reply(type: PcaReply['type']): Promise<PcaReply | null> {
    if (this.worker === null) return Promise.resolve(null);
    this.worker.ref();
    return new Promise((resolve) => this.waiting.push({ type, resolve }));
  }

  /** PCA-k: with its eigenvectors when the shape makes it a bound (the subspace line needs them). */
  reference(): Promise<PcaBound | PcaReference> {
    const job = this.job;
    if (job === null) return Promise.reject(new Error('BackgroundPca.reference() before begin()'));
    this.ref ??= this.reply('reference').then((m) => {
      if (m?.type === 'reference') return m.ref;
      return job.shape.isBound ? pcaReference(job.shape, job.frames, job.count) : pcaBound(job.shape, job.frames, job.count);
    });
    return this.ref;
  }

  /** The trained decoder's subspace figure (subspace.ts), null where there is none. */
  async subspace(net: Network): Promise<SubspaceFit | null> {
    const ref = await this.reference();
    if (!('pca' in ref)) return null;
    if (this.worker !== null) {
      const answer = this.reply('subspace');
      this.worker.postMessage({ type: 'subspace', net } satisfies PcaRequest);
      const m = await answer;
      if (m?.type === 'subspace') return m.fit;
    }
    return codeSubspace(net, ref);
  }

  /** Ends the thread. */
  close(): void {
    const w = this.worker;
    this.worker = null;
    if (w !== null) {
      w.removeAllListeners('exit');
      void w.terminate();
    }
  }
}
