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
 * (the course's training): no gradient buffer to clear or walk. Each W[o][i] is read for Wᵀδ
 * just before it is updated, so ∂L/∂x still comes from the weights before the step.
 */
export function layerBackwardSgd(layer: Layer, x: ArrayLike<number>, xOffset: number, out: Float64Array, gOut: Float64Array, gIn: Float64Array | null, lr: number): void {
  const { inSize: n, outSize: m, W, b } = layer;
  if (layer.relu) for (let o = 0; o < m; o++) if (!(out[o] > 0)) gOut[o] = 0;
  gIn?.fill(0);
  for (let o = 0; o < m; o++) {
    const d = gOut[o];
    if (d === 0) continue;
    const row = o * n;
    if (b) b[o] -= lr * d;
    if (gIn) {
      for (let i = 0; i < n; i++) {
        const w = W[row + i];
        gIn[i] += w * d;
        W[row + i] = w - lr * (d * x[xOffset + i]);
      }
    } else {
      for (let i = 0; i < n; i++) W[row + i] -= lr * (d * x[xOffset + i]);
    }
  }
}

/** The parameter arrays of a layer in optimiser order: W, then b when present. */
export function layerParams(layer: Layer): Vec[] {
  return layer.b ? [layer.W, layer.b] : [layer.W];
}
