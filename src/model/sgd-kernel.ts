/**
 * The hot loop: the course's per-sample SGD, fused and allocation-free. Same math as
 * autoencoder.ts (forward, gradients, update), reorganised for speed:
 *  - V is kept transposed (Vᵀ, hidden × 160) while training, so every inner loop walks
 *    memory contiguously with no index indirection; `finish()` writes it back into net.V;
 *  - hidden units with Z = 0 are skipped: their V column and W row get zero gradient;
 *  - Σᵢ V[i][j]·eᵢ reads each V value just before that value is updated, so both gradients
 *    still come from the weights before the step, as the course computes them;
 *  - dot products use four partial sums (breaks the add-latency chain; 160 = 4 × 40);
 *  - nothing is allocated per frame.
 */
import type { AutoEncoder, Vec } from './autoencoder.js';
import { FrameReader, type FrameData } from './frame-data.js';

/** What the trainer needs from a kernel (this one, or a faster one with the same math). */
export interface EpochKernel {
  /** One epoch over frames[order[t]] (order null: frame order); returns Σ L, each before its update. */
  epoch(frames: FrameData, order: Uint32Array | null, count: number, lr: number): number;
  /** Leaves the trained weights in the AutoEncoder passed to the constructor. */
  finish(): void;
}

export class SgdKernel implements EpochKernel {
  private readonly vt: Vec;
  private readonly z: Float64Array;
  private readonly back: Float64Array;
  private readonly active: Int32Array;
  private readonly y: Float64Array;
  private readonly err: Float64Array;

  constructor(private readonly net: AutoEncoder) {
    const { frameSize: n, hidden: h } = net;
    if (n % 4 !== 0) throw new Error(`frame size must be a multiple of 4 (got ${n})`);
    this.vt = net.V instanceof Float32Array ? new Float32Array(h * n) : new Float64Array(h * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) this.vt[j * n + i] = net.V[i * h + j];
    this.z = new Float64Array(h);
    this.back = new Float64Array(h);
    this.active = new Int32Array(h);
    this.y = new Float64Array(n);
    this.err = new Float64Array(n);
  }

  /** Copies the trained Vᵀ back into net.V (call before reading or saving the model). */
  finish(): void {
    const { frameSize: n, hidden: h, V } = this.net;
    for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) V[i * h + j] = this.vt[j * n + i];
  }

  /**
   * Trains on frames[order[t]] for t < count (order null: frame order) and returns Σ L,
   * each L measured just before its own update.
   */
  epoch(frames: FrameData, order: Uint32Array | null, count: number, lr: number): number {
    const n = this.net.frameSize;
    const reader = new FrameReader(frames, n);
    const h = this.net.hidden;
    const W = this.net.W;
    const VT = this.vt;
    const { z, back, active, y, err } = this;
    const lr2 = 2 * lr;
    let total = 0;
    for (let t = 0; t < count; t++) {
      reader.go(order === null ? t : order[t]);
      const { x, at: x0 } = reader;

      // Z = relu(W·X), remembering which units are active.
      let na = 0;
      for (let j = 0; j < h; j++) {
        const w0 = j * n;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = 0; k < n; k += 4) {
          s0 += W[w0 + k] * x[x0 + k];
          s1 += W[w0 + k + 1] * x[x0 + k + 1];
          s2 += W[w0 + k + 2] * x[x0 + k + 2];
          s3 += W[w0 + k + 3] * x[x0 + k + 3];
        }
        const s = s0 + s1 + (s2 + s3);
        if (s > 0) {
          z[j] = s;
          active[na++] = j;
        }
      }

      // Y = V·Z (active units only), e = Y − X, L = Σe².
      y.fill(0);
      for (let q = 0; q < na; q++) {
        const j = active[q];
        const zj = z[j];
        const v0 = j * n;
        for (let i = 0; i < n; i += 4) {
          y[i] += VT[v0 + i] * zj;
          y[i + 1] += VT[v0 + i + 1] * zj;
          y[i + 2] += VT[v0 + i + 2] * zj;
          y[i + 3] += VT[v0 + i + 3] * zj;
        }
      }
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = y[i] - x[x0 + i];
        err[i] = e;
        loss += e * e;
      }

      // back[j] = Σᵢ V[i][j]·eᵢ with V before its update; then V[i][j] −= lr·2eᵢ·Z[j].
      for (let q = 0; q < na; q++) {
        const j = active[q];
        const v0 = j * n;
        const c = lr2 * z[j];
        let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (let i = 0; i < n; i += 4) {
          let v = VT[v0 + i]; let e = err[i]; b0 += v * e; VT[v0 + i] = v - c * e;
          v = VT[v0 + i + 1]; e = err[i + 1]; b1 += v * e; VT[v0 + i + 1] = v - c * e;
          v = VT[v0 + i + 2]; e = err[i + 2]; b2 += v * e; VT[v0 + i + 2] = v - c * e;
          v = VT[v0 + i + 3]; e = err[i + 3]; b3 += v * e; VT[v0 + i + 3] = v - c * e;
        }
        back[j] = b0 + b1 + (b2 + b3);
      }

      // W[j][k] −= lr·2·back[j]·X[k] on the active rows (the others have zero gradient).
      for (let q = 0; q < na; q++) {
        const j = active[q];
        const w0 = j * n;
        const c = lr2 * back[j];
        for (let k = 0; k < n; k += 4) {
          W[w0 + k] -= c * x[x0 + k];
          W[w0 + k + 1] -= c * x[x0 + k + 1];
          W[w0 + k + 2] -= c * x[x0 + k + 2];
          W[w0 + k + 3] -= c * x[x0 + k + 3];
        }
      }
      total += loss;
    }
    return total;
  }
}
