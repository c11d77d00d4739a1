/**
 * How close the learnt code came to the best one, as one number.
 *
 * The course's decoder Y = V·Z puts every output in span(V), the space of V's k columns; the best
 * k-dimensional space for the frames is span(U), U = the top-k eigenvectors of their second-moment
 * matrix (pca.ts). The principal angles θ₁ … θ_k between the two spaces have cosines equal to the
 * singular values of Q_Vᵀ·U, where Q_V is an orthonormal basis of span(V). The figure is
 *
 *     spans = (cos²θ₁ + … + cos²θ_k) / k  =  ‖Q_Vᵀ U‖²_F / k
 *
 * the mean share of each best direction that span(V) contains: 100 % when span(V) = span(U), 0 %
 * when every best direction is orthogonal to it. A V of rank r < k (dead or parallel units) spans
 * at most r/k. The SVDs are ml-matrix's.
 */
import type { Matrix } from 'ml-matrix';
import { mlMatrix } from './ml-matrix.js';
import type { PcaReference } from './pca.js';
import { decoderLayers, type Network } from './network.js';

export interface SubspaceFit {
  /** k: the best subspace's dimension. */
  k: number;
  /** cos θᵢ, largest first (k of them; 0 past V's rank). */
  cosines: number[];
  /** Principal angles in degrees, smallest first. */
  anglesDeg: number[];
  /** Σ cos²θᵢ / k, in 0..1. */
  share: number;
  /** Rank of V (columns that add a direction). */
  rank: number;
}

/** Orthonormal basis (as columns, n × r) of the span of `a`'s columns, dropping directions below rounding. */
function orthonormalColumns(a: Matrix): Matrix {
  const { Matrix, SingularValueDecomposition } = mlMatrix();
  const svd = new SingularValueDecomposition(a, { computeLeftSingularVectors: true, computeRightSingularVectors: false, autoTranspose: true });
  const s = svd.diagonal;
  const tol = Math.max(a.rows, a.columns) * (s[0] ?? 0) * 1e-10;
  const keep = s.map((v, i) => (v > tol ? i : -1)).filter((i) => i >= 0);
  const u = svd.leftSingularVectors;
  const q = new Matrix(a.rows, keep.length);
  for (let r = 0; r < a.rows; r++) keep.forEach((src, c) => q.set(r, c, u.get(r, src)));
  return q;
}

/**
 * `columns`: n × k, row-major (V[i*k + j] is output i of unit j, as the network stores its decoder);
 * `basis`: the best space, as rows of length n (pca.vectors' first k rows).
 */
export function subspaceFit(columns: ArrayLike<number>, n: number, k: number, basis: ArrayLike<number>, bestK = k): SubspaceFit {
  const { Matrix, SingularValueDecomposition } = mlMatrix();
  const v = new Matrix(n, k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) v.set(i, j, columns[i * k + j]!);
  const q = orthonormalColumns(v);
  const u = new Matrix(n, bestK);
  for (let i = 0; i < bestK; i++) for (let d = 0; d < n; d++) u.set(d, i, basis[i * n + d]!);
  const rank = q.columns;
  let cosines: number[] = [];
  if (rank > 0) {
    const m = q.transpose().mmul(u); // rank × bestK
    const svd = new SingularValueDecomposition(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true });
    cosines = svd.diagonal.map((c) => Math.min(1, Math.max(0, c)));
  }
  cosines = cosines.sort((a, b) => b - a).slice(0, bestK);
  while (cosines.length < bestK) cosines.push(0);
  const share = cosines.reduce((s, c) => s + c * c, 0) / bestK;
  return { k: bestK, cosines, anglesDeg: cosines.map((c) => (Math.acos(c) * 180) / Math.PI), share, rank };
}

/**
 * The network's figure, when its decoder is one linear layer (the course's V): its columns against
 * PCA's top-k on the same frames. null for a deeper decoder, whose outputs fill no k-dimensional space.
 */
export function codeSubspace(net: Network, ref: Pick<PcaReference, 'k' | 'isBound' | 'pca'>): SubspaceFit | null {
  const dec = decoderLayers(net);
  if (!ref.isBound || dec.length !== 1) return null;
  const last = dec[0]!;
  // Diverged weights have no span to measure (and an SVD of NaN need not end).
  if (!last.W.every(Number.isFinite)) return null;
  // Frames of rank r < k (a few frames, silence) leave the best space's last k − r directions free:
  // any of them is as good, so only the r that carry energy are compared.
  const ev = ref.pca.eigenvalues;
  let r = 0;
  while (r < Math.min(ref.k, ev.length) && ev[r]! > (ev[0] ?? 0) * 1e-12) r++;
  if (r === 0) return null;
  return subspaceFit(last.W, last.outSize, last.inSize, ref.pca.vectors, r);
}
