/**
 * The hot loop: one epoch of the course's per-sample SGD, fused and allocation-free.
 * Same math as autoencoder.ts (forward, gradients, update), reorganised for speed:
 *  - hidden units with Z = 0 are skipped: their V column and W row get zero gradient;
 *  - V is read for the backward sum Σᵢ V[i][j]·eᵢ before it is updated in the same pass,
 *    so both gradients still come from the weights before the step (as the course does);
 *  - every array is held in a local, nothing is allocated per frame.
 */
import type { AutoEncoder, Vec } from './autoencoder.js';

export interface Scratch {
  z: Float64Array;
  back: Float64Array;
  active: Int32Array;
}

export function makeScratch(hidden: number): Scratch {
  return { z: new Float64Array(hidden), back: new Float64Array(hidden), active: new Int32Array(hidden) };
}

/**
 * Trains on frames[order[t]] for t < count (order null: frame order) and returns Σ L,
 * each L measured just before its own update.
 */
export function sgdEpoch(net: AutoEncoder, frames: Vec, order: Uint32Array | null, count: number, lr: number, scratch: Scratch): number {
  const n = net.frameSize;
  const h = net.hidden;
  const W = net.W;
  const V = net.V;
  const z = scratch.z;
  const back = scratch.back;
  const active = scratch.active;
  if (n % 4 !== 0) throw new Error(`frame size must be a multiple of 4 (got ${n})`);
  const lr2 = 2 * lr;
  let total = 0;
  for (let t = 0; t < count; t++) {
    const x0 = (order === null ? t : order[t]) * n;
    // Z = relu(W·X), remembering which units are active.
    let na = 0;
    for (let j = 0; j < h; j++) {
      const w0 = j * n;
      // Four partial sums: breaks the add-latency chain (n is a multiple of 4, see assert below).
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < n; k += 4) {
        s0 += W[w0 + k] * frames[x0 + k];
        s1 += W[w0 + k + 1] * frames[x0 + k + 1];
        s2 += W[w0 + k + 2] * frames[x0 + k + 2];
        s3 += W[w0 + k + 3] * frames[x0 + k + 3];
      }
      const s = (s0 + s1) + (s2 + s3);
      if (s > 0) {
        z[j] = s;
        back[j] = 0;
        active[na++] = j;
      }
    }
    // Y = V·Z, e = Y − X, L = Σe²; Σᵢ V[i][j]·eᵢ; V −= lr·2e·Zᵀ.
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const v0 = i * h;
      let y = 0;
      for (let q = 0; q < na; q++) {
        const j = active[q];
        y += V[v0 + j] * z[j];
      }
      const e = y - frames[x0 + i];
      loss += e * e;
      const c = lr2 * e;
      for (let q = 0; q < na; q++) {
        const j = active[q];
        const v = V[v0 + j];
        back[j] += v * e;
        V[v0 + j] = v - c * z[j];
      }
    }
    // W −= lr·2·back·Xᵀ on the active rows only.
    for (let q = 0; q < na; q++) {
      const j = active[q];
      const w0 = j * n;
      const c = lr2 * back[j];
      for (let k = 0; k < n; k += 4) {
        W[w0 + k] -= c * frames[x0 + k];
        W[w0 + k + 1] -= c * frames[x0 + k + 1];
        W[w0 + k + 2] -= c * frames[x0 + k + 2];
        W[w0 + k + 3] -= c * frames[x0 + k + 3];
      }
    }
    total += loss;
  }
  return total;
}
