/**
 * The eigenvalues (only) of a real symmetric matrix: Householder reduction to tridiagonal form,
 * then the implicit QL iteration with Wilkinson shifts (Golub & Van Loan §8.3; the classic tqli).
 *
 * Why not ml-matrix, which pca.ts uses when the vectors are needed: `train` needs only the PCA-k
 * bound, a sum of eigenvalues, and ml-matrix computes and accumulates every eigenvector through
 * Matrix.get/set calls: ~0.1 s cold for 160×160, more than the training itself. This is ~n³ flops
 * on one flat Float64Array, a few milliseconds. test/pca.test.ts checks it against ml-matrix and
 * against numpy's eigvalsh.
 */

/** `a`: the n×n matrix row after row (only read; a copy is reduced). Returns the eigenvalues, largest first. */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[i]: the entry between rows i and i + 1
  tridiagonalise(m, n, d, e);
  tridiagonalQl(d, e, n);
  return d.sort().reverse();
}

/** Householder reflections H = I − 2vvᵀ zero column k below its subdiagonal, for k = 0 … n−3. */
function tridiagonalise(m: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) norm2 += m[i * n + k]! ** 2;
    const x0 = m[(k + 1) * n + k]!;
    const alpha = x0 > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    // v = x − αe₁, normalised; a column that is already zero needs no reflection.
    let vnorm2 = norm2 - x0 * x0 + (x0 - alpha) ** 2;
    if (vnorm2 === 0) {
      e[k] = x0;
      continue;
    }
    const vn = Math.sqrt(vnorm2);
    for (let i = k + 1; i < n; i++) v[i] = m[i * n + k]! / vn;
    v[k + 1] = (x0 - alpha) / vn;
    vnorm2 = 0;
    // p = A₂₂v, K = vᵀp, w = p − Kv; then A₂₂ ← A₂₂ − 2(vwᵀ + wvᵀ) = HA₂₂H.
    let kk = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += m[i * n + j]! * v[j]!;
      p[i] = s;
      kk += v[i]! * s;
    }
    for (let i = k + 1; i < n; i++) p[i] = p[i]! - kk * v[i]!;
    for (let i = k + 1; i < n; i++) {
      const vi = v[i]!;
      const wi = p[i]!;
      for (let j = k + 1; j < n; j++) m[i * n + j] = m[i * n + j]! - 2 * (vi * p[j]! + wi * v[j]!);
    }
    e[k] = alpha;
  }
  if (n >= 2) e[n - 2] = m[(n - 1) * n + (n - 2)]!;
  e[n - 1] = 0;
  for (let i = 0; i < n; i++) d[i] = m[i * n + i]!;
}

/**
 * Eigenvalues of the symmetric tridiagonal (d, e), left in d. An off-diagonal entry counts as zero
 * below ε times its neighbours or ε times the whole matrix's size: with only the local test, a
 * rank-deficient matrix (a pure tone's frames: two eigenvalues, the rest rounding noise) can
 * chase its noise-level entries for ever.
 */
function tridiagonalQl(d: Float64Array, e: Float64Array, n: number): void {
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]!) + Math.abs(e[i]!));
  const negligible = Number.EPSILON * norm;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= Number.EPSILON * dd || Math.abs(e[m]!) <= negligible) break;
      }
      if (m === l) break;
      if (iter === 100) throw new Error('symmetric eigenvalues: the QL iteration did not converge');
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] = d[i + 1]! - p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
      }
      if (underflow) continue;
      d[l] = d[l]! - p;
      e[l] = g;
      e[m] = 0;
    }
  }
}
