/**
 * From a trained network and its audio to the HTML report's data: the one place that runs the
 * recording through the network for the report, shared by `train --report` and `reconstruct --report`.
 */
import { access, stat, constants } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { reconstructSamples } from '../../model/reconstruct.js';
import { snr, type Snr } from '../../audio/snr.js';
import { codeSize, type Network } from '../../model/network.js';
import { type PcaBound, type PcaReference } from '../../model/pca.js';
import { frameLosses, inspectUnits } from '../../model/inspect.js';
import { codeSubspace } from '../../model/subspace.js';
import { codeKbps } from '../../model/codec.js';
import { UserError, UsageError } from '../../errors.js';
import type { ReportData } from './html.js';

/** What a command hands over: the page's own fields as they are, and what the pictures are computed from. */
export interface ReportInput extends Pick<ReportData, 'title' | 'source' | 'config' | 'seed' | 'losses' | 'stopped' | 'log' | 'sampleRate' | 'chunkLosses'> {
  finalLoss: number | null;
  /** null: not measured (train interrupted before a long pass); the row is left out. */
  modelLoss: number | null;
  net: Network;
  scale: number;
  /** The samples the network saw (whole frames are reconstructed, a partial one dropped). */
  samples: Int16Array;
  /** The PCA-k reference the command already printed (its eigenvectors give the subspace figure). */
  pca: PcaBound | PcaReference;
  /** The reconstruction of `samples` when the command already made it (--out-wav, reconstruct). */
  reconstruction?: { samples: Int16Array; original: Int16Array; clipped: number; snr: Snr };
}

/** `dlaudio compress`'s default bits per code number: the bit rate the report quotes. */
const CODE_BITS = 8;

export function buildReportData(r: ReportInput): ReportData {
  const rec = r.reconstruction ?? measured(r.net, r.scale, r.samples);
  const quality = rec.snr;
  const n = r.net.sizes[0]!;
  const { pca } = r;
  // The pictures of what the network learnt: units, frame losses and subspace, on the frames it saw.
  // Read from the 16-bit samples, divided as they are read: no float64 copy of a long recording.
  const frames = { data: { samples: rec.original, scale: r.scale }, count: Math.floor(rec.original.length / n) };
  const units = finite(r.net) ? inspectUnits(r.net, frames.data, frames.count, r.sampleRate) : undefined;
  const subspace = ('pca' in pca ? codeSubspace(r.net, pca) : null) ?? undefined;
  return {
    title: r.title,
    source: r.source,
    config: r.config,
    seed: r.seed,
    losses: r.losses,
    stopped: r.stopped,
    log: r.log,
    numbers: {
      finalLoss: r.finalLoss,
      modelLoss: r.modelLoss,
      pca: { k: pca.k, loss: pca.loss, isBound: pca.isBound },
      snrDb: quality.snr,
      segmentalSnrDb: quality.segmental,
      bitrate: { kbps: codeKbps(codeSize(r.net), CODE_BITS, r.sampleRate, n), bits: CODE_BITS },
      clipped: rec.clipped,
      subspace: subspace?.share,
    },
    layers: r.net.sizes,
    original: rec.original,
    reconstruction: rec.samples,
    sampleRate: r.sampleRate,
    units,
    subspace,
    frameLosses: finite(r.net) ? frameLosses(r.net, frames.data, frames.count) : undefined,
    chunkLosses: r.chunkLosses,
  };
}

/** Diverged weights (NaN, ±Infinity) have no spectrum and no subspace: those pictures are left out. */
function finite(net: Network): boolean {
  return net.layers.every((l) => l.W.every(Number.isFinite) && (l.b === null || l.b.every(Number.isFinite)));
}

function measured(net: Network, scale: number, samples: Int16Array): NonNullable<ReportInput['reconstruction']> {
  const rec = reconstructSamples(net, scale, samples);
  return { ...rec, snr: snr(rec.original, rec.samples) };
}

/** Checked before training, so a typo in the folder does not cost the whole run. */
export async function checkReportPath(path: string): Promise<void> {
  if (!/\.html?$/i.test(path)) throw new UsageError(`--report ${path}: the report is an HTML page; give a file name ending in .html`);
  const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
  if (isDir) throw new UsageError(`--report ${path} is a folder: give a file name, e.g. ${path.replace(/\/+$/, '')}/report.html`);
  const dir = dirname(resolve(path));
  await access(dir, constants.W_OK).catch(() => {
    throw new UserError(`cannot write the report to ${path}: the folder ${dir} does not exist or is not writable`);
  });
}
