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

export type GradientFn = (net: AutoEncoder, frames: Vec, offset: number, f: Forward) => Gradients;

/** `grads` is the function under test: by default the course's hand-derived gradients. */
export function gradCheck(net: AutoEncoder, frames: Float64Array, count: number, eps = 1e-4, grads: GradientFn = gradients): GradCheckResult {
  return check(net, frames, count, eps, grads, false)[0];
}

/**
 * The check on the first 1, 2, …, count frames at once: result[N − 1] is gradCheck on N frames.
 *
 * L summed over N frames is large next to its change under a nudge of ε, so (L(θ+ε) − L(θ−ε))
 * computed as a difference of two totals loses float64 digits as N grows (450 frames made correct
 * gradients fail at 1.1e-6). Instead each frame's change is computed on its own, as
 * Σᵢ(Y⁺ᵢ−Y⁻ᵢ)(Y⁺ᵢ+Y⁻ᵢ−2Xᵢ) = L⁺ − L⁻ without subtracting two large numbers, and the per-frame
 * changes are summed: the error then stays that of one frame whatever N.
 */
export function gradCheckEachCount(net: AutoEncoder, frames: Float64Array, count: number, eps = 1e-4, grads: GradientFn = gradients): GradCheckResult[] {
  return check(net, frames, count, eps, grads, true);
}

/** every: a result for each N ≤ count (count × parameters numbers kept); otherwise for count only. */
function check(net: AutoEncoder, frames: Float64Array, count: number, eps: number, grads: GradientFn, every: boolean): GradCheckResult[] {
  if (!(net.W instanceof Float64Array) || !(net.V instanceof Float64Array)) throw new Error('gradCheck needs float64 weights');
  const n = net.frameSize;
  const nW = net.W.length;
  const nV = net.V.length;
  const P = nW + nV;
  // Analytic gradients summed over the first t + 1 frames, row t.
  const rows = every ? count : 1;
  const rowOf = (t: number): number => (every ? t : 0) * P;
  const analytic = new Float64Array(rows * P);
  // The first frame whose pre-activation of unit j is within reach of the kink (count: none).
  const kinkFrom = new Array<number>(net.hidden).fill(count);
  const sum = new Float64Array(P);
  for (let t = 0; t < count; t++) {
    const f = forward(net, frames, t * n);
    const g = grads(net, frames, t * n, f);
    for (let i = 0; i < nW; i++) sum[i] += g.dW[i];
    for (let i = 0; i < nV; i++) sum[nW + i] += g.dV[i];
    analytic.set(sum, rowOf(t));
    // Nudging W[j][k] by ε moves unit j's pre-activation by ε·x[k]: if that can cross 0,
    // the ReLU kink makes the finite difference meaningless for row j. V never moves it.
    let xMax = 0;
    for (let k = 0; k < n; k++) xMax = Math.max(xMax, Math.abs(frames[t * n + k]));
    for (let j = 0; j < net.hidden; j++) if (xMax > 0 && Math.abs(f.pre[j]) <= eps * xMax && kinkFrom[j] === count) kinkFrom[j] = t;
  }
  // Numeric gradients, summed the same way.
  const numeric = new Float64Array(rows * P);
  const nudge = (arr: Float64Array, i: number, col: number): void => {
    const keep = arr[i];
    let acc = 0;
    for (let t = 0; t < count; t++) {
      arr[i] = keep + eps;
      const up = forward(net, frames, t * n).y;
      arr[i] = keep - eps;
      const down = forward(net, frames, t * n).y;
      let d = 0;
      for (let k = 0; k < n; k++) d += (up[k] - down[k]) * (up[k] + down[k] - 2 * frames[t * n + k]);
      acc += d / (2 * eps);
      numeric[rowOf(t) + col] = acc;
    }
    arr[i] = keep;
  };
  for (let i = 0; i < nW; i++) if (kinkFrom[Math.floor(i / n)] > 0) nudge(net.W, i, i);
  for (let i = 0; i < nV; i++) nudge(net.V, i, nW + i);

  const relErr = (a: number, b: number, floor: number): number => Math.abs(a - b) / Math.max(Math.abs(a) + Math.abs(b), floor);
  const results: GradCheckResult[] = [];
  for (let t = every ? 0 : count - 1; t < count; t++) {
    const row = rowOf(t);
    let bigW = 0;
    let bigV = 0;
    for (let i = 0; i < nW; i++) bigW = Math.max(bigW, Math.abs(analytic[row + i]));
    for (let i = 0; i < nV; i++) bigV = Math.max(bigV, Math.abs(analytic[row + nW + i]));
    const floorW = Math.max(FLOOR, RELATIVE_FLOOR * bigW);
    const floorV = Math.max(FLOOR, RELATIVE_FLOOR * bigV);
    let maxW = 0;
    let skipped = 0;
    for (let i = 0; i < nW; i++) {
      if (kinkFrom[Math.floor(i / n)] <= t) { skipped++; continue; }
      maxW = Math.max(maxW, relErr(analytic[row + i], numeric[row + i], floorW));
    }
    let maxV = 0;
    for (let i = 0; i < nV; i++) maxV = Math.max(maxV, relErr(analytic[row + nW + i], numeric[row + nW + i], floorV));
    results.push({ maxRelErrorW: maxW, maxRelErrorV: maxV, skippedNearKink: skipped, checked: P - skipped });
  }
  return results;
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
