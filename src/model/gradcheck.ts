/**
 * Checks the course's hand-derived gradients against central finite differences,
 * all in float64: ∂L/∂θ ≈ (L(θ+ε) − L(θ−ε)) / 2ε, for every weight, L summed over the frames.
 */
import type { AutoEncoder } from './autoencoder.js';
import { forward, gradients, type Forward, type Gradients, type Vec } from './autoencoder.js';

export interface GradCheckResult {
  /**
   * max over weights of |analytic − numeric| / max(|analytic| + |numeric|, 1e-3 · largest |analytic|):
   * the floor keeps float64 rounding on near-zero entries from looking like a wrong formula.
   */
  maxRelErrorW: number;
  maxRelErrorV: number;
  /** W entries whose unit sat within reach of the ReLU kink (finite differences are meaningless there). */
  skippedNearKink: number;
  checked: number;
}

const FLOOR = 1e-12;
const RELATIVE_FLOOR = 1e-3;

function totalLoss(net: AutoEncoder, frames: Float64Array, count: number): number {
  let s = 0;
  for (let t = 0; t < count; t++) s += forward(net, frames, t * net.frameSize).loss;
  return s;
}

export type GradientFn = (net: AutoEncoder, frames: Vec, offset: number, f: Forward) => Gradients;

/** `grads` is the function under test: by default the course's hand-derived gradients. */
export function gradCheck(net: AutoEncoder, frames: Float64Array, count: number, eps = 1e-4, grads: GradientFn = gradients): GradCheckResult {
  if (!(net.W instanceof Float64Array) || !(net.V instanceof Float64Array)) throw new Error('gradCheck needs float64 weights');
  const n = net.frameSize;
  const dW = new Float64Array(net.W.length);
  const dV = new Float64Array(net.V.length);
  const nearKink = new Uint8Array(net.hidden);
  for (let t = 0; t < count; t++) {
    const f = forward(net, frames, t * n);
    const g = grads(net, frames, t * n, f);
    for (let i = 0; i < dW.length; i++) dW[i] += g.dW[i];
    for (let i = 0; i < dV.length; i++) dV[i] += g.dV[i];
    // Nudging W[j][k] by ε moves unit j's pre-activation by ε·x[k]: if that can cross 0,
    // the ReLU kink makes the finite difference meaningless for row j. V never moves it.
    let xMax = 0;
    for (let k = 0; k < n; k++) xMax = Math.max(xMax, Math.abs(frames[t * n + k]));
    for (let j = 0; j < net.hidden; j++) if (xMax > 0 && Math.abs(f.pre[j]) <= eps * xMax) nearKink[j] = 1;
  }
  let skipped = 0;
  const scale = (g: Float64Array): number => Math.max(FLOOR, RELATIVE_FLOOR * g.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
  const floorW = scale(dW);
  const floorV = scale(dV);
  const relErr = (a: number, b: number, floor: number): number => Math.abs(a - b) / Math.max(Math.abs(a) + Math.abs(b), floor);
  const numeric = (arr: Float64Array, i: number): number => {
    const keep = arr[i];
    arr[i] = keep + eps;
    const up = totalLoss(net, frames, count);
    arr[i] = keep - eps;
    const down = totalLoss(net, frames, count);
    arr[i] = keep;
    return (up - down) / (2 * eps);
  };
  let maxW = 0;
  for (let i = 0; i < dW.length; i++) {
    if (nearKink[Math.floor(i / n)]) { skipped++; continue; }
    maxW = Math.max(maxW, relErr(dW[i], numeric(net.W, i), floorW));
  }
  let maxV = 0;
  for (let i = 0; i < dV.length; i++) {
    maxV = Math.max(maxV, relErr(dV[i], numeric(net.V, i), floorV));
  }
  return { maxRelErrorW: maxW, maxRelErrorV: maxV, skippedNearKink: skipped, checked: dW.length + dV.length - skipped };
}
