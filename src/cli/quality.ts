/**
 * The numbers `reconstruct`, `compress`, `decompress` and `train --out-wav` print about decoded
 * audio: SNR against the input, clipped samples, and the two reference points on the same input,
 * 8-bit µ-law (no training at all) and PCA-k (the best k-number linear code).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeWav16 } from '../audio/wav.js';
import { snr, type Snr } from '../audio/snr.js';
import { mulawKbps, mulawRoundTrip, TELEPHONE_RATE } from '../audio/mulaw.js';
import { pcaReconstructSamples, pcaReference, pcaShapeOf, type PcaBound, type PcaReference, type PcaShape } from '../model/pca.js';
import { reconstructSamples } from '../model/reconstruct.js';
import type { SubspaceFit } from '../model/subspace.js';
import { BackgroundPca } from '../model/background-pca.js';
import type { Network } from '../model/network.js';
import type { FrameData } from '../model/frame-data.js';
import { specialFileKind, writeOutput, writeTarget } from '../util/atomic.js';
import { errnoText } from '../util/input-file.js';
import { sameFile } from '../util/paths.js';
import { UserError, UsageError } from '../errors.js';
import { fmt, fmtInt } from './render.js';

/** "9.87 dB"; ∞ for a perfect copy, −∞ for sound where the original is silent. */
export function fmtDb(x: number): string {
  if (x === Infinity) return '∞ dB (identical)';
  if (x === -Infinity) return '−∞ dB (the original is silent)';
  if (Number.isNaN(x)) return 'n/a';
  return `${x.toFixed(2)} dB`;
}

/** JSON has no Infinity or NaN: null stands for both. */
export function jsonNumber(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function snrJson(s: Snr): { snrDb: number | null; segmentalSnrDb: number | null } {
  return { snrDb: jsonNumber(s.snr), segmentalSnrDb: jsonNumber(s.segmental) };
}

export interface Reference {
  mulaw: { kbps: number; snr: Snr };
  /** µ-law as the telephone does it: 8 kHz, 64 kbit/s. */
  telephone: { kbps: number; snr: Snr };
  pca: { ref: PcaReference; snr: Snr; clipped: number };
}

/** µ-law and PCA-k on the same whole frames the network saw. */
export async function references(original: Int16Array, scale: number, sampleRate: number, shape: PcaShape): Promise<Reference> {
  // Loaded here, not at start-up: the resampler is only needed for this reference (and conversions).
  const { telephoneRoundTrip } = await import('../audio/telephone.js');
  const ref = pcaReference(shape, { samples: original, scale }, Math.floor(original.length / shape.frameSize));
  const p = pcaReconstructSamples(ref.pca, ref.k, scale, original);
  return {
    mulaw: { kbps: mulawKbps(sampleRate), snr: snr(original, mulawRoundTrip(original)) },
    telephone: { kbps: mulawKbps(TELEPHONE_RATE), snr: snr(original, telephoneRoundTrip(original, sampleRate)) },
    pca: { ref, snr: snr(original, p.samples), clipped: p.clipped },
  };
}

/** "PCA-10 bound" for the course's one-hidden-layer network, "PCA-10 reference" for deeper ones. */
export function pcaName(ref: Pick<PcaReference, 'k' | 'isBound'>): string {
  return `PCA-${ref.k} ${ref.isBound ? 'bound' : 'reference'}`;
}

/** "your code spans 87.8 % of the best 10-dimensional subspace" (the mean cos² of the principal angles: docs/report.md). */
export function subspaceLine(fit: SubspaceFit, label: string): string {
  return `${label}your code spans ${(fit.share * 100).toFixed(1)} % of the best ${fit.k}-dimensional subspace`;
}

export function subspaceJson(fit: SubspaceFit): Record<string, unknown> {
  return { share: fit.share, k: fit.k, rank: fit.rank, anglesDeg: fit.anglesDeg, cosines: fit.cosines };
}

/** A loss as printed: diverged weights give NaN, which is no number to show. */
export function fmtLoss(x: number): string {
  return Number.isNaN(x) ? 'not a number (diverged weights)' : fmt(x);
}

/**
 * The trained weights' loss on every frame, or null when it was not measured: `train` skips that
 * pass after Ctrl-C when it would take long. Not measured is not diverged: it says so.
 */
export type ModelLoss = number | null;

/** Why a null ModelLoss, in --json. */
export const MODEL_LOSS_NOT_MEASURED = 'interrupted';

export function fmtModelLoss(x: ModelLoss): string {
  return x === null ? `not measured (${MODEL_LOSS_NOT_MEASURED})` : fmtLoss(x);
}

/** "PCA-10 bound: 0.00091 — yours: 0.00120, 1.32× the bound" */
export function pcaLossLine(ref: PcaBound, modelLoss: ModelLoss): string {
  const word = ref.isBound ? 'bound' : 'reference';
  const ratio = ref.loss > 0 && modelLoss !== null && Number.isFinite(modelLoss) ? `, ${fmt(modelLoss / ref.loss)}× the ${word}` : '';
  // A code as wide as the frame keeps everything: PCA's 0 is exact, not a failure to measure.
  const wide = ref.k >= ref.frameSize ? ` (a ${ref.k}-number code is as wide as the ${ref.frameSize}-sample frame: nothing to compress)` : '';
  return `${pcaName(ref)}: ${fmt(ref.loss)}${wide} — yours: ${fmtModelLoss(modelLoss)}${ratio}`;
}

/** The model loss in --json: null for NaN (diverged) and for not measured, which also gets a reason. */
export function modelLossJson(modelLoss: ModelLoss): { modelLoss: number | null; modelLossNotMeasured?: string } {
  return modelLoss === null ? { modelLoss: null, modelLossNotMeasured: MODEL_LOSS_NOT_MEASURED } : { modelLoss: jsonNumber(modelLoss) };
}

export function pcaJson(ref: PcaBound, modelLoss?: ModelLoss): Record<string, unknown> {
  const ratio = modelLoss !== undefined && modelLoss !== null && ref.loss > 0 ? jsonNumber(modelLoss / ref.loss) : null;
  return {
    k: ref.k,
    centred: ref.centred,
    isBound: ref.isBound,
    loss: ref.loss,
    ...(modelLoss !== undefined ? { ...modelLossJson(modelLoss), ratio } : {}),
  };
}

/** The reference lines of the human summary, aligned with `label`. */
export function referenceLines(r: Reference, label: (s: string) => string): string[] {
  const ref = r.pca.ref;
  return [
    `${label(pcaName(ref) + ':')}${fmtDb(r.pca.snr.snr)}   segmental ${fmtDb(r.pca.snr.segmental)}   (loss ${fmt(ref.loss)}; unquantised ${ref.k}-number linear code${ref.isBound ? ', the best one' : ''})`,
    `${label('µ-law 8-bit:')}${fmtDb(r.telephone.snr.snr)}   segmental ${fmtDb(r.telephone.snr.segmental)}   (${fmt(r.telephone.kbps)} kbit/s, the telephone's G.711: 8 kHz, nothing above 4 kHz)`,
    `${label('µ-law 16 kHz:')}${fmtDb(r.mulaw.snr.snr)}   segmental ${fmtDb(r.mulaw.snr.segmental)}   (${fmt(r.mulaw.kbps)} kbit/s, G.711 on every one of our samples)`,
  ];
}

export function referencesJson(r: Reference, modelLoss?: ModelLoss): Record<string, unknown> {
  return {
    mulaw: { kbps: r.mulaw.kbps, ...snrJson(r.mulaw.snr) },
    mulawTelephone: { kbps: r.telephone.kbps, sampleRate: TELEPHONE_RATE, ...snrJson(r.telephone.snr) },
    pca: { ...pcaJson(r.pca.ref, modelLoss), ...snrJson(r.pca.snr), clipped: r.pca.clipped },
  };
}

/**
 * Before any work: an output whose folder is missing or not writable, that is a folder or a
 * device, or that is one of the inputs (by its real file: symbolic and hard links too) is refused
 * now rather than after training or encoding.
 */
export function checkOutputPath(out: string, option: string, inputs: readonly string[] = []): void {
  for (const i of inputs) if (sameFile(i, out)) throw new UsageError(`${option} ${out} is also an input: give another name`);
  const dir = dirname(out);
  const stat = (p: string) => {
    try {
      return statSync(p, { throwIfNoEntry: false });
    } catch (e) {
      throw new UserError(`cannot write ${out}: ${errnoText((e as NodeJS.ErrnoException).code, e)} (give another path with ${option})`, 1, { cause: e });
    }
  };
  if (!stat(dir)?.isDirectory()) throw new UserError(`cannot write ${out}: the folder ${dir} does not exist (create it, or give another path with ${option})`);
  const kind = specialFileKind(out);
  if (kind === 'a folder') throw new UserError(`cannot write ${out}: it is a folder; give a file name with ${option}`);
  if (kind !== null) throw new UserError(`cannot write ${out}: it is ${kind}, not a regular file; give a file name with ${option}`);
  try {
    accessSync(dirname(writeTarget(out)), constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'is on a read-only file system' : 'is not writable (permission denied)';
    throw new UserError(`cannot write ${out}: the folder ${dir} ${why}; give another path with ${option}`, 1, { cause: e });
  }
}

/** Two outputs of one command given the same path: the second would overwrite the first. */
export function checkDistinctOutputs(outputs: ReadonlyArray<readonly [option: string, path: string | undefined]>): void {
  const given = outputs.filter((o): o is readonly [string, string] => o[1] !== undefined);
  for (let i = 0; i < given.length; i++) {
    for (let j = i + 1; j < given.length; j++) {
      const [a, pa] = given[i];
      const [b, pb] = given[j];
      if (sameFile(pa, pb)) throw new UsageError(`${a} ${pa} and ${b} ${pb} are the same file: give each its own name`);
    }
  }
}

export async function writeWav(out: string, samples: Int16Array, sampleRate: number): Promise<void> {
  await writeOutput(out, encodeWav16(samples, sampleRate));
}

export interface ReconstructionSummary {
  frames: number;
  clipped: number;
  snr: Snr;
  /** Mean Σ(Y−X)² per frame on this audio, as train prints it. */
  loss: number;
}

/** The network's reconstruction of `input`, and how close it is. */
export function reconstructAndMeasure(net: Network, scale: number, input: Int16Array): { samples: Int16Array; original: Int16Array; summary: ReconstructionSummary } {
  const rec = reconstructSamples(net, scale, input);
  return {
    samples: rec.samples,
    original: rec.original,
    summary: { frames: rec.frames, clipped: rec.clipped, snr: snr(rec.original, rec.samples), loss: rec.loss },
  };
}

export function clippedText(n: number, total: number): string {
  return n === 0 ? '0 samples' : `${fmtInt(n)} sample${n === 1 ? '' : 's'} (${((100 * n) / total).toFixed(2)}%) did not fit in 16 bits`;
}

/** `train --out-wav`: write the reconstruction of the frames trained on; its summary lines and JSON. */
export async function trainReconstruction(out: string, net: Network, scale: number, trained: Int16Array, sampleRate: number): Promise<{ lines: string[]; json: Record<string, unknown>; made: Made }> {
  const r = reconstructAndMeasure(net, scale, trained);
  await writeWav(out, r.samples, sampleRate);
  const s = r.summary;
  return {
    lines: [`reconstruction: ${out}, SNR ${fmtDb(s.snr.snr)}, segmental ${fmtDb(s.snr.segmental)}, clipped ${clippedText(s.clipped, r.samples.length)}`],
    json: { path: out, frames: s.frames, clipped: s.clipped, ...snrJson(s.snr) },
    made: { samples: r.samples, original: r.original, clipped: s.clipped, snr: s.snr },
  };
}

/** A reconstruction already made and measured, for the report to reuse. */
export interface Made {
  samples: Int16Array;
  original: Int16Array;
  clipped: number;
  snr: Snr;
}

/**
 * What `train` adds after training: the PCA-k line beside the trained loss (always), and with
 * --out-wav the reconstruction of the frames trained on, written and measured.
 */
export async function trainQuality(net: Network, scale: number, frames: { data: FrameData; count: number }, modelLoss: ModelLoss, outWav: string | undefined, trained: Int16Array, sampleRate: number, background?: BackgroundPca): Promise<{ lines: string[]; json: Record<string, unknown>; pca: PcaBound | PcaReference; made?: Made }> {
  // The subspace line needs PCA's eigenvectors; a deeper decoder has no such line, so only the bound.
  const pca = background ?? new BackgroundPca({ thread: false });
  if (background === undefined) pca.begin({ shape: pcaShapeOf(net), frames: frames.data, count: frames.count });
  const ref = await pca.reference();
  const fit = await pca.subspace(net);
  const why = ref.isBound ? `no ${ref.k}-number code with a linear decoder does better` : `the best linear ${ref.k}-number code; a deeper net may beat it`;
  const lines = [`${pcaLossLine(ref, modelLoss)}   (${why})`, ...(fit ? [subspaceLine(fit, 'subspace:    ')] : [])];
  const json: Record<string, unknown> = { pca: pcaJson(ref, modelLoss), subspace: fit && subspaceJson(fit), reconstruction: null };
  if (outWav === undefined) return { lines, json, pca: ref };
  const rec = await trainReconstruction(outWav, net, scale, trained, sampleRate);
  lines.push(...rec.lines);
  json.reconstruction = rec.json;
  return { lines, json, pca: ref, made: rec.made };
}
