/**
 * The best a k-number linear code can do: principal component analysis of the frames.
 *
 * The course's network has no biases, and Y = V·relu(W·X) always lies in the k-dimensional space
 * spanned by V's columns, a subspace through the origin. The best such subspace (least mean
 * Σ(Y−X)² over the frames) is spanned by the top-k eigenvectors of the uncentred second-moment
 * matrix M = mean of X·Xᵀ, and that least loss is the sum of M's discarded eigenvalues. So no
 * training, however long, can get the course's network below it: it is a bound.
 * With biases the output lies in an affine subspace (an offset b), and the best one goes through
 * the mean frame: the centred covariance is the right matrix. With more layers the decoder is
 * nonlinear and may beat it: PCA is then a reference, not a bound (unless the decoder is still a
 * single linear layer after the code: then the same subspace argument holds).
 *
 * The eigen-decomposition is ml-matrix's (symmetric EVD), not ours, when the eigenvectors are
 * needed (to project frames: reconstruct, compress). The bound alone (train) needs only the
 * eigenvalues: sym-eigenvalues.ts, without ml-matrix's cold start (see there).
 */
import { codeSize, decoderLayers, hasBias, type Layer, type Network } from './network.js';
import { toInt16 } from './reconstruct.js';
import { symmetricEigenvalues } from './sym-eigenvalues.js';
import { FrameReader, type SampleFrames } from './frame-data.js';
import { mlMatrix } from './ml-matrix.js';

/** count × n values frame after frame, or the 16-bit samples they are divided from (frame-data.ts). */
export type PcaFrames = ArrayLike<number> | SampleFrames;

export interface Pca {
  frameSize: number;
  /** The mean frame when centred (with biases), else null (through the origin). */
  mean: Float64Array | null;
  /** Largest first, clamped at 0 (M is positive semi-definite; rounding may leave −1e-20). */
  eigenvalues: Float64Array;
  /** Row i is the unit eigenvector of eigenvalues[i]: vectors[i*frameSize + d]. */
  vectors: Float64Array;
  /** Frames the matrix was computed on. */
  count: number;
}

/** m[a][b] (b ≥ a) += Σₜ x_t[a]·x_t[b] over `len` frames held transposed in xt (row d: xt[d*block + t]). */
function addBlockProducts(xt: Float64Array, block: number, len: number, n: number, m: Float64Array): void {
  for (let a = 0; a < n; a++) {
    const ra = a * block;
    for (let b = a; b < n; b++) {
      const rb = b * block;
      let s = 0;
      for (let t = 0; t < len; t++) s += xt[ra + t] * xt[rb + t];
      m[a * n + b] += s;
    }
  }
}

/** M = mean of (x − μ)(x − μ)ᵀ (μ = 0 unless centred), n×n row after row, and μ. */
function secondMoment(frames: PcaFrames, count: number, n: number, centred: boolean): { m: Float64Array; mean: Float64Array | null } {
  if (count < 1) throw new RangeError('PCA needs at least one frame');
  const mean = centred ? new Float64Array(n) : null;
  const r = new FrameReader(frames, n);
  if (mean) {
    for (let t = 0; t < count; t++) {
      r.go(t);
      for (let d = 0; d < n; d++) mean[d] += r.x[r.at + d];
    }
    for (let d = 0; d < n; d++) mean[d] /= count;
  }
  // Upper triangle, then mirrored. Frames are taken BLOCK at a time, transposed, so that each
  // entry is one contiguous dot product summed in a register (5× faster than a rank-1 update
  // per frame: the bound of an hour of audio took seconds).
  const m = new Float64Array(n * n);
  const BLOCK = 256;
  const xt = new Float64Array(n * BLOCK);
  for (let t0 = 0; t0 < count; t0 += BLOCK) {
    const len = Math.min(BLOCK, count - t0);
    for (let t = 0; t < len; t++) {
      r.go(t0 + t);
      for (let d = 0; d < n; d++) xt[d * BLOCK + t] = r.x[r.at + d] - (mean ? mean[d] : 0);
    }
    addBlockProducts(xt, BLOCK, len, n, m);
  }
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      m[a * n + b] /= count;
      m[b * n + a] = m[a * n + b];
    }
  }
  return { m, mean };
}

/**
 * count frames span at most count dimensions (count − 1 around their mean): the eigenvalues past
 * that are exactly 0, whatever rounding left there (else PCA-10 of one frame "loses" 1e-17);
 * the others are clamped at 0 (M is positive semi-definite; rounding may leave −1e-20).
 */
function cleanEigenvalue(value: number, i: number, count: number, centred: boolean): number {
  return i < (centred ? count - 1 : count) ? Math.max(0, value) : 0;
}

/** `frames`: count × frameSize values, frame after frame (as the trainer sees them). */
export function fitPca(frames: PcaFrames, count: number, frameSize: number, opts: { centred: boolean }): Pca {
  const { m, mean } = secondMoment(frames, count, frameSize, opts.centred);
  return pcaOfMatrix(m, mean, count, frameSize, opts.centred);
}

/** PCA from its matrix M (n×n) and mean: the eigen-decomposition, largest eigenvalue first. */
function pcaOfMatrix(m: Float64Array, mean: Float64Array | null, count: number, n: number, centred: boolean): Pca {
  const opts = { centred };
  const { EigenvalueDecomposition, Matrix } = mlMatrix();
  const rows: number[][] = [];
  for (let a = 0; a < n; a++) rows.push(Array.from(m.subarray(a * n, (a + 1) * n)));
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vecs = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((i, j) => values[j] - values[i]);
  const eigenvalues = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, i) => {
    eigenvalues[i] = cleanEigenvalue(values[src], i, count, opts.centred);
    for (let d = 0; d < n; d++) vectors[i * n + d] = vecs.get(d, src);
  });
  return { frameSize: n, mean, eigenvalues, vectors, count };
}

/** The eigenvalues alone (largest first, cleaned as fitPca's): all the bound needs. */
export function pcaEigenvalues(frames: PcaFrames, count: number, frameSize: number, opts: { centred: boolean }): Float64Array {
  const { m } = secondMoment(frames, count, frameSize, opts.centred);
  return symmetricEigenvalues(m, frameSize).map((v, i) => cleanEigenvalue(v, i, count, opts.centred));
}

/** Mean Σ(Y−X)² per frame of the best k-dimensional projection: the sum of the discarded eigenvalues. */
export function pcaLoss(p: Pick<Pca, 'eigenvalues'>, k: number): number {
  let s = 0;
  for (let i = Math.min(k, p.eigenvalues.length); i < p.eigenvalues.length; i++) s += p.eigenvalues[i];
  return s;
}

/** The projection of one frame on the top-k eigenvectors (around the mean when centred). */
export function pcaProject(p: Pca, k: number, x: ArrayLike<number>, offset: number, out: Float64Array): void {
  const n = p.frameSize;
  const mu = p.mean;
  if (mu) out.set(mu);
  else out.fill(0);
  for (let i = 0; i < Math.min(k, n); i++) {
    let c = 0;
    for (let d = 0; d < n; d++) c += p.vectors[i * n + d] * (x[offset + d] - (mu ? mu[d] : 0));
    for (let d = 0; d < n; d++) out[d] += c * p.vectors[i * n + d];
  }
}

/** What PCA-k makes of a recording, as 16-bit samples: every whole frame /scale, projected, ×scale. */
export function pcaReconstructSamples(p: Pca, k: number, scale: number, input: Int16Array): { samples: Int16Array; clipped: number } {
  const n = p.frameSize;
  const frames = Math.floor(input.length / n);
  const samples = new Int16Array(frames * n);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const clip = { count: 0 };
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < n; i++) x[i] = input[t * n + i] / scale;
    pcaProject(p, k, x, 0, y);
    for (let i = 0; i < n; i++) samples[t * n + i] = toInt16(y[i] * scale, clip);
  }
  return { samples, clipped: clip.count };
}

/** What PCA-k is compared with: a network's code size, biases and decoder depth. */
export interface PcaShape {
  frameSize: number;
  /** The code size: PCA-k keeps this many numbers per frame. */
  k: number;
  /** Centred covariance (decoder with a bias: an affine subspace) or the uncentred second moment (the course's). */
  centred: boolean;
  /** The decoder is one linear layer, so the output lies in a k-dim (affine) subspace and no training beats PCA-k. */
  isBound: boolean;
}

export function pcaShapeOf(net: Network): PcaShape {
  return { frameSize: net.sizes[0], k: codeSize(net), centred: hasBias(net), isBound: decoderLayers(net).length === 1 };
}

/** The same from a decoder alone (a .dla file): its input width is k. */
export function pcaShapeOfDecoder(decoder: readonly Layer[]): PcaShape {
  const last = decoder[decoder.length - 1];
  return { frameSize: last.outSize, k: decoder[0].inSize, centred: last.b !== null, isBound: decoder.length === 1 };
}

export interface PcaReference extends PcaShape {
  /** Mean Σ(Y−X)² per frame of PCA-k: comparable to the trainer's loss. */
  loss: number;
  pca: Pca;
}

/** PCA-k's loss for this shape, on these frames, without the eigenvectors (what `train` prints). */
export type PcaBound = PcaShape & { loss: number };
export function pcaBound(shape: PcaShape, frames: PcaFrames, count: number): PcaBound {
  return { ...shape, loss: pcaLoss({ eigenvalues: pcaEigenvalues(frames, count, shape.frameSize, { centred: shape.centred }) }, shape.k) };
}

/** PCA-k for this shape, on the frames it is measured on. */
export function pcaReference(shape: PcaShape, frames: PcaFrames, count: number): PcaReference {
  const pca = fitPca(frames, count, shape.frameSize, { centred: shape.centred });
  return { ...shape, loss: pcaLoss(pca, shape.k), pca };
}

/**
 * The second moment of frames that arrive in pieces (`dlaudio live`): Σ x·xᵀ and Σ x are summed,
 * the frames themselves are not kept, so the bound of an hour of sound costs 200 KB. Mean of
 * x·xᵀ minus μ·μᵀ gives the centred covariance when the network has biases.
 */
const MOMENT_BLOCK = 256;

export class MomentAccumulator {
  /** Σ x·xᵀ, upper triangle (row a, columns b ≥ a); mirrored when read. */
  private readonly sum: Float64Array;
  private readonly sumX: Float64Array;
  /** BLOCK frames, transposed: reused, so adding a chunk allocates nothing (a session's memory stays flat). */
  private readonly xt: Float64Array;
  count = 0;

  constructor(readonly frameSize: number) {
    this.sum = new Float64Array(frameSize * frameSize);
    this.sumX = new Float64Array(frameSize);
    this.xt = new Float64Array(frameSize * MOMENT_BLOCK);
  }

  /** Frames as the trainer sees them: count × frameSize values. */
  add(frames: ArrayLike<number>, count: number): void {
    this.addScaled(frames, 1, count);
  }

  /** The whole frames of 16-bit samples, each divided by `scale` (as toFrames divides them). */
  addSamples(samples: Int16Array, scale: number): void {
    this.addScaled(samples, scale, Math.floor(samples.length / this.frameSize));
  }

  private addScaled(values: ArrayLike<number>, scale: number, count: number): void {
    const n = this.frameSize;
    const { xt, sum, sumX } = this;
    const B = MOMENT_BLOCK;
    // As secondMoment: BLOCK frames transposed, each entry one contiguous dot product.
    for (let t0 = 0; t0 < count; t0 += B) {
      const len = Math.min(B, count - t0);
      for (let t = 0; t < len; t++) {
        for (let d = 0; d < n; d++) {
          const v = scale === 1 ? values[(t0 + t) * n + d] : values[(t0 + t) * n + d] / scale;
          xt[d * B + t] = v;
          sumX[d] += v;
        }
      }
      addBlockProducts(xt, B, len, n, sum);
    }
    this.count += Math.max(0, count);
  }

  private matrix(centred: boolean): { m: Float64Array; mean: Float64Array | null } {
    if (this.count < 1) throw new RangeError('PCA needs at least one frame');
    const n = this.frameSize;
    const m = new Float64Array(n * n);
    for (let a = 0; a < n; a++) {
      for (let b = a; b < n; b++) {
        m[a * n + b] = this.sum[a * n + b] / this.count;
        m[b * n + a] = m[a * n + b];
      }
    }
    if (!centred) return { m, mean: null };
    const mean = this.sumX.map((v) => v / this.count);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) m[a * n + b] -= mean[a] * mean[b];
    return { m, mean };
  }

  /** PCA-k's loss on every frame added (what `live` prints at the end). */
  bound(shape: PcaShape): PcaBound {
    const { m } = this.matrix(shape.centred);
    const eigenvalues = symmetricEigenvalues(m, this.frameSize).map((v, i) => cleanEigenvalue(v, i, this.count, shape.centred));
    return { ...shape, loss: pcaLoss({ eigenvalues }, shape.k) };
  }

  /** With the eigenvectors (the report's subspace figure). */
  reference(shape: PcaShape): PcaReference {
    const { m, mean } = this.matrix(shape.centred);
    const pca = pcaOfMatrix(m, mean, this.count, this.frameSize, shape.centred);
    return { ...shape, loss: pcaLoss(pca, shape.k), pca };
  }
}
