/**
 * The course's auto-encoder, written to be read: X(160) → Z = relu(W·X) → Y = V·Z, L = Σ(Y−X)².
 * Each gradient sits right beside the forward computation it differentiates.
 * The trainer (train.ts) runs a fused, allocation-free version of exactly this; tests
 * check the two agree, and gradcheck checks this one against finite differences.
 */
import { Rng } from './rng.js';

export type Vec = Float32Array | Float64Array;

export interface AutoEncoder {
  frameSize: number; // 160
  hidden: number; // 10
  /** hidden × frameSize, row-major: W[j*frameSize + k] connects input k to hidden unit j. */
  W: Vec;
  /** frameSize × hidden, row-major: V[i*hidden + j] connects hidden unit j to output i. */
  V: Vec;
}

export type Precision = 'float32' | 'float64';

export function createAutoEncoder(frameSize: number, hidden: number, precision: Precision = 'float32'): AutoEncoder {
  const Arr = precision === 'float32' ? Float32Array : Float64Array;
  return { frameSize, hidden, W: new Arr(hidden * frameSize), V: new Arr(frameSize * hidden) };
}

/** Uniform in [−0.1, 0.1]: W row by row, then V row by row (documented order, so other tools can reproduce it). */
export function initUniform(net: AutoEncoder, rng: Rng, range = 0.1): void {
  for (let i = 0; i < net.W.length; i++) net.W[i] = rng.uniform(-range, range);
  for (let i = 0; i < net.V.length; i++) net.V[i] = rng.uniform(-range, range);
}

export function parameterCount(net: AutoEncoder): number {
  return net.W.length + net.V.length;
}

export interface Forward {
  /** W·X before the ReLU. */
  pre: Float64Array;
  z: Float64Array;
  y: Float64Array;
  loss: number;
}

/** x: one frame (frameSize values) read from `frames` at `offset`. */
export function forward(net: AutoEncoder, frames: Vec, offset = 0): Forward {
  const { frameSize: n, hidden: h, W, V } = net;
  const pre = new Float64Array(h);
  const z = new Float64Array(h);
  for (let j = 0; j < h; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += W[j * n + k] * frames[offset + k];
    pre[j] = s;
    z[j] = s > 0 ? s : 0; // relu
  }
  const y = new Float64Array(n);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < h; j++) s += V[i * h + j] * z[j];
    y[i] = s;
    loss += (s - frames[offset + i]) ** 2; // L = Σ(Y−X)²
  }
  return { pre, z, y, loss };
}

export interface Gradients {
  dW: Float64Array;
  dV: Float64Array;
}

/** The course's hand-derived gradients of L for one frame. */
export function gradients(net: AutoEncoder, frames: Vec, offset: number, f: Forward): Gradients {
  const { frameSize: n, hidden: h, V } = net;
  const dV = new Float64Array(n * h);
  // ∂L/∂V[a][b] = 2(Y[a]−X[a])·Z[b]
  for (let a = 0; a < n; a++) {
    const e = f.y[a] - frames[offset + a];
    for (let b = 0; b < h; b++) dV[a * h + b] = 2 * e * f.z[b];
  }
  // ∂L/∂W[a][b] = 2·[Z[a]>0]·(Σᵢ V[i][a](Y[i]−X[i]))·X[b]; the sum depends only on a,
  // so it is computed once per hidden unit (the course's "remove redundant computations").
  const dW = new Float64Array(h * n);
  for (let a = 0; a < h; a++) {
    if (!(f.z[a] > 0)) continue; // relu'(pre) = 0: the whole row is zero
    let back = 0;
    for (let i = 0; i < n; i++) back += V[i * h + a] * (f.y[i] - frames[offset + i]);
    for (let b = 0; b < n; b++) dW[a * n + b] = 2 * back * frames[offset + b];
  }
  return { dW, dV };
}

/** One per-sample SGD step: both gradients first, then both updates. Returns L before the update. */
export function sgdStep(net: AutoEncoder, frames: Vec, offset: number, lr: number): number {
  const f = forward(net, frames, offset);
  const g = gradients(net, frames, offset, f);
  for (let i = 0; i < net.W.length; i++) net.W[i] -= lr * g.dW[i];
  for (let i = 0; i < net.V.length; i++) net.V[i] -= lr * g.dV[i];
  return f.loss;
}

/** Mean L over frames with the weights as they are (no update). */
export function meanLoss(net: AutoEncoder, frames: Vec, count: number): number {
  let sum = 0;
  for (let t = 0; t < count; t++) sum += forward(net, frames, t * net.frameSize).loss;
  return count > 0 ? sum / count : NaN;
}
