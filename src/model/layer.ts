/**
 * One fully-connected layer: its forward pass and, right beside it, its backward pass.
 *
 *   forward:   pre = W·x + b,   out = relu(pre)   (identity for the last layer)
 *   backward:  given ∂L/∂out,
 *              δ = ∂L/∂pre = ∂L/∂out ⊙ relu'(pre)        relu'(pre) = [pre > 0] = [out > 0]
 *              ∂L/∂W[o][i] = δ[o]·x[i],   ∂L/∂b[o] = δ[o]
 *              ∂L/∂x[i]    = Σₒ W[o][i]·δ[o]              (Wᵀδ: handed to the layer below)
 *
 * So the layer below receives Wᵀδ and multiplies it by its own relu'(pre): that is the chain rule
 * "δ below = Wᵀδ ⊙ relu'(pre below)", one layer at a time. A ReLU unit that is off (δ[o] = 0)
 * adds nothing to any of the three results, so its row is skipped.
 *
 * The same formulas are written twice: by rows (W as the network stores it, out × in) and, further
 * down, by columns (Wᵀ, in × out), which the trainer uses for layers fed by a ReLU: there an input
 * unit that is off costs nothing either. Tests check both against each other and finite differences.
 *
 * Activations and gradients are Float64Array; weights are the network's own arrays (float32 or 64).
 */
import type { Vec } from './autoencoder.js';
import type { Layer } from './network.js';

/** out = act(W·x + b), x read from `x` at `xOffset`. */
export function layerForward(layer: Layer, x: ArrayLike<number>, xOffset: number, out: Float64Array): void {
  const { inSize: n, outSize: m, W, b } = layer;
  for (let o = 0; o < m; o++) {
    const row = o * n;
    // Four partial sums: independent additions run in parallel (~2× faster than one chain).
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += W[row + i] * x[xOffset + i];
      s1 += W[row + i + 1] * x[xOffset + i + 1];
      s2 += W[row + i + 2] * x[xOffset + i + 2];
      s3 += W[row + i + 3] * x[xOffset + i + 3];
    }
    for (; i < n; i++) s0 += W[row + i] * x[xOffset + i];
    const s = (b ? b[o] : 0) + (s0 + s1 + (s2 + s3));
    out[o] = layer.relu && !(s > 0) ? 0 : s;
  }
}

/**
 * The backward pass of layerForward for one frame.
 * `gOut` holds ∂L/∂out on entry and δ = ∂L/∂pre on return. ∂L/∂W and ∂L/∂b are *added* to
 * gW and gb (a batch sums its frames); ∂L/∂x is written to gIn (null for the first layer,
 * whose input is the frame itself). W is read, not changed.
 */
export function layerBackward(layer: Layer, x: ArrayLike<number>, xOffset: number, out: Float64Array, gOut: Float64Array, gIn: Float64Array | null, gW: Float64Array, gb: Float64Array | null): void {
  const { inSize: n, outSize: m, W } = layer;
  if (layer.relu) for (let o = 0; o < m; o++) if (!(out[o] > 0)) gOut[o] = 0; // δ = ∂L/∂out ⊙ relu'
  gIn?.fill(0);
  for (let o = 0; o < m; o++) {
    const d = gOut[o];
    if (d === 0) continue;
    const row = o * n;
    if (gb) gb[o] += d;
    if (gIn) {
      for (let i = 0; i < n; i++) {
        gW[row + i] += d * x[xOffset + i];
        gIn[i] += W[row + i] * d;
      }
    } else {
      for (let i = 0; i < n; i++) gW[row + i] += d * x[xOffset + i];
    }
  }
}

/**
 * layerBackward fused with the SGD step W ← W − lr·∂L/∂W, b ← b − lr·∂L/∂b, for per-sample SGD
 * (the course's training) of the first layer, whose input is the frame: no ∂L/∂x to hand down,
 * no gradient buffer to clear or walk.
 */
export function layerBackwardSgd(layer: Layer, x: ArrayLike<number>, xOffset: number, out: Float64Array, gOut: Float64Array, lr: number): void {
  const { inSize: n, outSize: m, W, b } = layer;
  if (layer.relu) for (let o = 0; o < m; o++) if (!(out[o] > 0)) gOut[o] = 0;
  for (let o = 0; o < m; o++) {
    const d = gOut[o];
    if (d === 0) continue;
    const row = o * n;
    if (b) b[o] -= lr * d;
    for (let i = 0; i < n; i++) W[row + i] -= lr * (d * x[xOffset + i]);
  }
}

/**
 * The same layer stored by columns, for training: Wt[i·m + o] = W[o][i] (m = outSize), so input i's
 * weights are contiguous. Used for every layer after the first, whose input is a ReLU output:
 * an input unit that is off (x[i] = 0) then costs nothing in either pass — the course kernel's Vᵀ
 * trick, for any depth. Same formulas as above, looped over i first.
 */
export interface ColumnLayer {
  inSize: number;
  outSize: number;
  Wt: Vec;
  b: Vec | null;
  relu: boolean;
}

/** out = act(b + Σᵢ x[i]·W[·][i]) over the inputs that are on. */
export function columnForward(layer: ColumnLayer, x: Float64Array, out: Float64Array): void {
  const { inSize: n, outSize: m, Wt, b } = layer;
  if (b) for (let o = 0; o < m; o++) out[o] = b[o];
  else out.fill(0);
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const col = i * m;
    for (let o = 0; o < m; o++) out[o] += xi * Wt[col + o];
  }
  if (layer.relu) for (let o = 0; o < m; o++) if (!(out[o] > 0)) out[o] = 0;
}

/**
 * Backward of columnForward: δ = gOut ⊙ relu', ∂L/∂W[o][i] += δ[o]·x[i] (into gWt, same layout),
 * ∂L/∂b += δ, gIn[i] = Σₒ W[o][i]·δ[o] — left at 0 for inputs that are off: relu' of the
 * layer below is 0 there, so the chain rule stops at them.
 */
export function columnBackward(layer: ColumnLayer, x: Float64Array, out: Float64Array, gOut: Float64Array, gIn: Float64Array, gWt: Float64Array, gb: Float64Array | null): void {
  const { inSize: n, outSize: m, Wt } = layer;
  // Own relu' (a layer above stored by columns already left these at 0: kept so each layer stands alone).
  if (layer.relu) for (let o = 0; o < m; o++) if (!(out[o] > 0)) gOut[o] = 0;
  if (gb) for (let o = 0; o < m; o++) gb[o] += gOut[o];
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    if (xi === 0) { gIn[i] = 0; continue; }
    const col = i * m;
    let s = 0;
    for (let o = 0; o < m; o++) {
      s += Wt[col + o] * gOut[o];
      gWt[col + o] += xi * gOut[o];
    }
    gIn[i] = s;
  }
}

/** columnBackward fused with the SGD step (each weight read for gIn just before its update). */
export function columnBackwardSgd(layer: ColumnLayer, x: Float64Array, out: Float64Array, gOut: Float64Array, gIn: Float64Array, lr: number): void {
  const { inSize: n, outSize: m, Wt, b } = layer;
  if (layer.relu) for (let o = 0; o < m; o++) if (!(out[o] > 0)) gOut[o] = 0;
  if (b) for (let o = 0; o < m; o++) b[o] -= lr * gOut[o];
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    if (xi === 0) { gIn[i] = 0; continue; }
    const col = i * m;
    let s = 0;
    for (let o = 0; o < m; o++) {
      const w = Wt[col + o];
      const d = gOut[o];
      s += w * d;
      Wt[col + o] = w - lr * (d * xi);
    }
    gIn[i] = s;
  }
}
