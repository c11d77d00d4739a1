/**
 * Checks hand-derived gradients against central finite differences — the course's formulas
 * (gradCheck) and the general back-propagation (networkGradCheck) — all in float64: ∂L/∂θ ≈ (L(θ+ε) − L(θ−ε)) / 2ε, for every weight, L summed over the frames.
 */
import type { AutoEncoder } from './autoencoder.js';
import { forward, gradients, type Forward, type Gradients, type Vec } from './autoencoder.js';
import type { Network } from './network.js';
import { Backprop, networkGradients, type NetworkGradients } from './backprop.js';

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

export interface LayerCheck {
  /** Max relative error over the layer's W (same measure as above). */
  maxRelErrorW: number;
  /** Over its biases; null when the network has none. */
  maxRelErrorB: number | null;
  checked: number;
  /** Parameters whose ±ε nudge switched some ReLU unit on or off for some frame (the kink). */
  skippedNearKink: number;
  /** The layer's parameters (W and b); fewer are tried than this when maxChecks asked for a sample. */
  parameters: number;
  /** Every stride-th parameter of each array was tried (1: all of them). */
  stride: number;
}

export interface NetworkGradCheckResult {
  layers: LayerCheck[];
  maxRelError: number;
  checked: number;
  skippedNearKink: number;
}

export type NetworkGradientFn = (net: Network, frames: Float64Array, count: number) => NetworkGradients;

/**
 * The general back-propagation (backprop.ts) against central finite differences, any depth, with or
 * without biases, all in float64. A parameter is skipped when θ ± ε changes which ReLU units are on
 * for any frame: L is not differentiable across that kink, so the difference quotient says nothing.
 */
export function networkGradCheck(net: Network, frames: Float64Array, count: number, eps = 1e-4, grads: NetworkGradientFn = networkGradients, maxChecks = Infinity): NetworkGradCheckResult {
  if (net.layers.some((l) => !(l.W instanceof Float64Array) || (l.b !== null && !(l.b instanceof Float64Array)))) throw new Error('networkGradCheck needs float64 weights');
  const g = grads(net, frames, count);
  const bp = new Backprop(net);
  const n = net.sizes[0];
  const reluUnits = net.layers.reduce((s, l) => s + (l.relu ? l.outSize : 0), 0);
  const base = new Uint8Array(reluUnits * count);
  const probe = new Uint8Array(reluUnits * count);
  const yUp = new Float64Array(count * n);
  const yDown = new Float64Array(count * n);
  // Every frame's output Y, and which ReLU units are on for every frame.
  const outputsAndPattern = (pattern: Uint8Array, y: Float64Array): void => {
    let k = 0;
    for (let t = 0; t < count; t++) {
      bp.forward(frames, t * n);
      y.set(bp.out[bp.out.length - 1], t * n);
      net.layers.forEach((l, li) => {
        if (l.relu) for (let o = 0; o < l.outSize; o++) pattern[k++] = bp.out[li][o] > 0 ? 1 : 0;
      });
    }
  };
  outputsAndPattern(base, yUp);
  const samePattern = (): boolean => probe.every((v, i) => v === base[i]);
  let skipped = 0;
  // Each check costs two passes over all the frames: a big network gets an evenly spread sample,
  // the same share of every array.
  const total = net.layers.reduce((t, l) => t + l.W.length + (l.b ? l.b.length : 0), 0);
  const stride = Math.max(1, Math.ceil(total / maxChecks));
  const check = (arr: Vec, analytic: Float64Array): { max: number; checked: number } => {
    const floor = Math.max(FLOOR, RELATIVE_FLOOR * analytic.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
    let max = 0;
    let checked = 0;
    for (let i = 0; i < arr.length; i += stride) {
      const keep = arr[i];
      arr[i] = keep + eps;
      outputsAndPattern(probe, yUp);
      let kink = !samePattern();
      arr[i] = keep - eps;
      outputsAndPattern(probe, yDown);
      kink ||= !samePattern();
      arr[i] = keep;
      if (kink) { skipped++; continue; }
      // L(θ+ε) − L(θ−ε) = Σ (Y⁺−X)² − (Y⁻−X)² = Σ (Y⁺−Y⁻)(Y⁺+Y⁻−2X): the same number, without
      // subtracting two large sums (their rounding would swamp the small gradients of deep layers).
      let diff = 0;
      for (let k = 0; k < yUp.length; k++) diff += (yUp[k] - yDown[k]) * (yUp[k] + yDown[k] - 2 * frames[k]);
      const numeric = diff / (2 * eps);
      max = Math.max(max, Math.abs(analytic[i] - numeric) / Math.max(Math.abs(analytic[i]) + Math.abs(numeric), floor));
      checked++;
    }
    return { max, checked };
  };
  const layers = net.layers.map((layer, l): LayerCheck => {
    const before = skipped;
    const w = check(layer.W, g.gW[l]);
    const b = layer.b ? check(layer.b, g.gb[l] as Float64Array) : null;
    const parameters = layer.W.length + (layer.b ? layer.b.length : 0);
    return { maxRelErrorW: w.max, maxRelErrorB: b ? b.max : null, checked: w.checked + (b ? b.checked : 0), skippedNearKink: skipped - before, parameters, stride };
  });
  return {
    layers,
    maxRelError: Math.max(...layers.map((c) => Math.max(c.maxRelErrorW, c.maxRelErrorB ?? 0))),
    checked: layers.reduce((s, c) => s + c.checked, 0),
    skippedNearKink: skipped,
  };
}
