/**
 * The thread of background-pca.ts. It loads the PCA code and ml-matrix as soon as it starts (while
 * the main thread is still reading the audio), computes PCA-k when the frames arrive, then, once
 * the main thread has trained, the subspace figure of the trained decoder.
 */
import { parentPort } from 'node:worker_threads';
import { pcaBound, pcaReference, type PcaReference } from './pca.js';
import { codeSubspace } from './subspace.js';
import { mlMatrix } from './ml-matrix.js';
import type { PcaReply, PcaRequest } from './background-pca.js';

const port = parentPort;
if (port === null) throw new Error('pca-worker.js runs as a worker thread of `dlaudio train`');
mlMatrix();
let full: PcaReference | null = null;
port.on('message', (m: PcaRequest) => {
  if (m.type === 'job') {
    const { shape, frames, count } = m.job;
    full = shape.isBound ? pcaReference(shape, frames, count) : null;
    port.postMessage({ type: 'reference', ref: full ?? pcaBound(shape, frames, count) } satisfies PcaReply);
  } else {
    port.postMessage({ type: 'subspace', fit: full !== null ? codeSubspace(m.net, full) : null } satisfies PcaReply);
  }
});
