import type { Layer } from '../../src/model/network.js';

/**
 * The most a decoded 16-bit sample can move when each code moves by at most `half[j]` (half a
 * quantisation step): ReLU is 1-Lipschitz per unit and biases cancel, so |Δout| ≤ |W|·|Δin| layer
 * after layer; ×scale, plus 1 for the two roundings to 16-bit. One bound per output sample of a frame.
 */
export function worstSampleError(decoder: readonly Layer[], half: Float64Array, scale: number): Float64Array {
  let e = Float64Array.from(half);
  for (const l of decoder) {
    const next = new Float64Array(l.outSize);
    for (let o = 0; o < l.outSize; o++) for (let i = 0; i < l.inSize; i++) next[o] += Math.abs(l.W[o * l.inSize + i]) * e[i];
    e = next;
  }
  return e.map((v) => v * scale + 1);
}

/** Largest |a − b| and the largest ratio of |a − b| to its bound (≤ 1 when within the bound). */
export function diffAgainstBound(a: Int16Array, b: Int16Array, bound: Float64Array): { maxDiff: number; worstRatio: number } {
  let maxDiff = 0;
  let worstRatio = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    maxDiff = Math.max(maxDiff, d);
    worstRatio = Math.max(worstRatio, d / bound[i % bound.length]);
  }
  return { maxDiff, worstRatio };
}
