/**
 * The thread of background-pca.ts: PCA-k of the frames as soon as it starts, then, once the main
 * thread has trained, the subspace figure of the trained decoder (ml-matrix is warm here by then).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pcaBound, pcaReference, type PcaBound, type PcaReference } from './pca.js';
import { codeSubspace } from './subspace.js';
import type { PcaJob, PcaReply, PcaRequest } from './background-pca.js';

const port = parentPort;
if (port === null) throw new Error('pca-worker.js runs as a worker thread of `dlaudio train`');
const job = workerData as PcaJob;
const full: PcaReference | null = job.shape.isBound ? pcaReference(job.shape, job.frames, job.count) : null;
const ref: PcaBound = full ?? pcaBound(job.shape, job.frames, job.count);
port.postMessage({ type: 'reference', ref } satisfies PcaReply);
port.on('message', (m: PcaRequest) => {
  const fit = full !== null ? codeSubspace(m.net, full) : null;
  port.postMessage({ type: 'subspace', fit } satisfies PcaReply);
});
