/**
 * Back-propagation through a network of any depth, for one frame:
 *   forward   out₀ = layer₀(X), out₁ = layer₁(out₀), …, Y = out_last;  L = Σ(Y−X)²
 *   backward  ∂L/∂Y = 2(Y−X), then each layer from the last to the first turns ∂L/∂out into its
 *             weight gradients and ∂L/∂in = ∂L/∂out of the layer below (layer.ts).
 * BackpropKernel trains with it: mini-batches (mean gradient over B frames) and any optimiser.
 * Every buffer is allocated once, in the constructor.
 */
import type { Vec } from './autoencoder.js';
import { FrameReader, type FrameData } from './frame-data.js';
import type { Layer, Network } from './network.js';
import type { EpochKernel } from './sgd-kernel.js';
import { layerForward, layerBackward, layerBackwardSgd, columnForward, columnBackward, columnBackwardSgd, type ColumnLayer } from './layer.js';
import { makeOptimizer, type Optimizer, type OptimizerSpec } from './optimizer.js';

export interface BackpropOptions {
  /** Frames per step (default 1). */
  batch?: number;
  /** Default plain SGD. */
  optimizer?: OptimizerSpec;
}

/** Gradient buffers shaped like the network: gW[l] like layers[l].W, gb[l] like layers[l].b. */
export interface NetworkGradients {
  gW: Float64Array[];
  gb: (Float64Array | null)[];
}

export class Backprop {
  /** out[l]: the output of layer l for the current frame (after its ReLU). */
  readonly out: Float64Array[];
  /** gOut[l]: ∂L/∂out[l], then δ of layer l once its backward has run. */
  readonly gOut: Float64Array[];
  readonly grads: NetworkGradients;

  constructor(readonly net: Network) {
    this.out = net.layers.map((l) => new Float64Array(l.outSize));
    this.gOut = net.layers.map((l) => new Float64Array(l.outSize));
    this.grads = {
      gW: net.layers.map((l) => new Float64Array(l.W.length)),
      gb: net.layers.map((l) => (l.b ? new Float64Array(l.b.length) : null)),
    };
  }

  /** Forward pass of the frame at frames[x0…]; returns L = Σ(Y−X)² and leaves ∂L/∂Y = 2(Y−X) in the last gOut. */
  forward(frames: Vec, x0: number): number {
    const { layers } = this.net;
    const { out, gOut } = this;
    const last = layers.length - 1;
    layerForward(layers[0], frames, x0, out[0]);
    for (let l = 1; l <= last; l++) layerForward(layers[l], out[l - 1], 0, out[l]);
    const y = out[last];
    const dy = gOut[last];
    let loss = 0;
    for (let i = 0; i < y.length; i++) {
      const e = y[i] - frames[x0 + i];
      loss += e * e;
      dy[i] = 2 * e; // ∂(e²)/∂y
    }
    return loss;
  }

  /** After forward(): adds this frame's ∂L/∂W, ∂L/∂b to the gradient buffers, last layer first. */
  backward(frames: Vec, x0: number): void {
    const { layers } = this.net;
    const { out, gOut, grads } = this;
    for (let l = layers.length - 1; l >= 0; l--) {
      const below = l > 0;
      layerBackward(layers[l], below ? out[l - 1] : frames, below ? 0 : x0, out[l], gOut[l], below ? gOut[l - 1] : null, grads.gW[l], grads.gb[l]);
    }
  }

  zeroGradients(): void {
    for (const g of this.grads.gW) g.fill(0);
    for (const g of this.grads.gb) g?.fill(0);
  }
}

/** Σ over the frames of L and of its gradients, with the weights as they are (gradcheck, tests). */
export function networkGradients(net: Network, frames: Vec, count: number): NetworkGradients & { loss: number } {
  const bp = new Backprop(net);
  const n = net.sizes[0];
  let loss = 0;
  for (let t = 0; t < count; t++) {
    loss += bp.forward(frames, t * n);
    bp.backward(frames, t * n);
  }
  return { ...bp.grads, loss };
}

/**
 * Trains any network: frames in the given order, B at a time; each step applies the optimiser to the
 * mean gradient of its B frames, all computed with the weights before that step. The last batch of
 * an epoch may be smaller (its own mean). Batch 1 with SGD is the course's per-sample SGD.
 *
 * Same passes as Backprop, but every layer after the first is kept by columns while training
 * (layer.ts, ColumnLayer) so that ReLU units that are off cost nothing; finish() writes the
 * weights back into the network's row layout.
 */
export class BackpropKernel implements EpochKernel {
  private readonly first: Layer;
  private readonly cols: ColumnLayer[];
  private readonly out: Float64Array[];
  private readonly gOut: Float64Array[];
  private readonly gW0: Float64Array;
  private readonly gWt: Float64Array[];
  private readonly gb: (Float64Array | null)[];
  private readonly batch: number;
  private readonly fusedSgd: boolean;
  private readonly params: Vec[];
  private readonly gradList: Float64Array[];
  private readonly optimizer: Optimizer;

  constructor(private readonly net: Network, opts: BackpropOptions = {}) {
    const spec = opts.optimizer ?? { kind: 'sgd' };
    this.batch = opts.batch ?? 1;
    if (!Number.isInteger(this.batch) || this.batch < 1) throw new RangeError(`batch must be a whole number ≥ 1, got ${this.batch}`);
    this.fusedSgd = this.batch === 1 && spec.kind === 'sgd';
    const [first, ...rest] = net.layers;
    this.first = first;
    this.cols = rest.map((l) => {
      const Wt = l.W instanceof Float32Array ? new Float32Array(l.W.length) : new Float64Array(l.W.length);
      for (let o = 0; o < l.outSize; o++) for (let i = 0; i < l.inSize; i++) Wt[i * l.outSize + o] = l.W[o * l.inSize + i];
      return { inSize: l.inSize, outSize: l.outSize, Wt, b: l.b, relu: l.relu };
    });
    this.out = net.layers.map((l) => new Float64Array(l.outSize));
    this.gOut = net.layers.map((l) => new Float64Array(l.outSize));
    this.gW0 = new Float64Array(first.W.length);
    this.gWt = this.cols.map((c) => new Float64Array(c.Wt.length));
    this.gb = net.layers.map((l) => (l.b ? new Float64Array(l.b.length) : null));
    // Optimiser order: each layer's W (rows for the first, columns after), then its b.
    this.params = [];
    this.gradList = [];
    net.layers.forEach((l, i) => {
      this.params.push(i === 0 ? first.W : this.cols[i - 1].Wt);
      this.gradList.push(i === 0 ? this.gW0 : this.gWt[i - 1]);
      if (l.b) {
        this.params.push(l.b);
        this.gradList.push(this.gb[i] as Float64Array);
      }
    });
    this.optimizer = makeOptimizer(spec, this.params.map((p) => p.length));
  }

  /** L = Σ(Y−X)² of the frame at x0; leaves ∂L/∂Y = 2(Y−X) in the last gOut. */
  private forward(frames: ArrayLike<number>, x0: number): number {
    const { out, gOut, cols } = this;
    layerForward(this.first, frames, x0, out[0]);
    for (let l = 0; l < cols.length; l++) columnForward(cols[l], out[l], out[l + 1]);
    const y = out[cols.length];
    const dy = gOut[cols.length];
    let loss = 0;
    for (let i = 0; i < y.length; i++) {
      const e = y[i] - frames[x0 + i];
      loss += e * e;
      dy[i] = 2 * e;
    }
    return loss;
  }

  epoch(frames: FrameData, order: Uint32Array | null, count: number, lr: number): number {
    const n = this.net.sizes[0];
    const { out, gOut, cols } = this;
    const reader = new FrameReader(frames, n);
    let total = 0;
    if (this.fusedSgd) {
      for (let t = 0; t < count; t++) {
        reader.go(order === null ? t : order[t]);
        const { x, at: x0 } = reader;
        total += this.forward(x, x0);
        for (let l = cols.length - 1; l >= 0; l--) columnBackwardSgd(cols[l], out[l], out[l + 1], gOut[l + 1], gOut[l], lr);
        layerBackwardSgd(this.first, x, x0, out[0], gOut[0], lr);
      }
      return total;
    }
    for (let start = 0; start < count; start += this.batch) {
      const end = Math.min(start + this.batch, count);
      for (const g of this.gradList) g.fill(0);
      for (let t = start; t < end; t++) {
        reader.go(order === null ? t : order[t]);
        const { x, at: x0 } = reader;
        total += this.forward(x, x0);
        for (let l = cols.length - 1; l >= 0; l--) columnBackward(cols[l], out[l], out[l + 1], gOut[l + 1], gOut[l], this.gWt[l], this.gb[l + 1]);
        layerBackward(this.first, x, x0, out[0], gOut[0], null, this.gW0, this.gb[0]);
      }
      this.optimizer.step(this.params, this.gradList, lr, 1 / (end - start));
    }
    return total;
  }

  /** Writes the column-stored weights back into the network (biases are shared, already there). */
  finish(): void {
    this.net.layers.slice(1).forEach((l, k) => {
      const Wt = this.cols[k].Wt;
      for (let o = 0; o < l.outSize; o++) for (let i = 0; i < l.inSize; i++) l.W[o * l.inSize + i] = Wt[i * l.outSize + o];
    });
  }
}
