/**
 * A network of any depth: sizes [160, 64, 10, 64, 160] are 4 fully-connected layers, ReLU after
 * every layer but the last (linear, it is the reconstruction). The course's auto-encoder is the
 * special case [160, h, 160] without biases; its W and V are exactly this file's layers[0].W and
 * layers[1].W (same row-major out×in layout), so the two views share memory.
 *
 * This file is the shape and the inference pass; each layer's forward and backward sit side by
 * side in layer.ts, the whole network's back-propagation in backprop.ts.
 */
import type { AutoEncoder, Precision, Vec } from './autoencoder.js';
import { FrameReader, type SampleFrames } from './frame-data.js';
import type { Rng } from './rng.js';
import { layerForward } from './layer.js';

export { layerForward };

export interface Layer {
  inSize: number;
  outSize: number;
  /** outSize × inSize, row-major: W[o*inSize + i] connects input i to output o. */
  W: Vec;
  /** outSize biases, or null (the course has none). */
  b: Vec | null;
  /** ReLU on this layer's output: every layer but the last. */
  relu: boolean;
}

export interface Network {
  /** Layer widths, input first: [160, 10, 160] for the course. */
  sizes: number[];
  layers: Layer[];
}

export function createNetwork(sizes: readonly number[], opts: { bias?: boolean; precision?: Precision } = {}): Network {
  if (sizes.length < 2) throw new RangeError(`a network needs at least 2 sizes, got ${sizes.length}`);
  const Arr = opts.precision === 'float64' ? Float64Array : Float32Array;
  const layers: Layer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inSize = sizes[l];
    const outSize = sizes[l + 1];
    layers.push({ inSize, outSize, W: new Arr(outSize * inSize), b: opts.bias ? new Arr(outSize) : null, relu: l + 2 < sizes.length });
  }
  return { sizes: [...sizes], layers };
}

/**
 * Uniform in [−range, range], layer by layer, each W row by row; biases start at 0. For [160, h, 160]
 * this draws W then V in the course's order, so a seed gives the same weights as `initUniform`.
 */
export function initNetwork(net: Network, rng: Rng, range = 0.1): void {
  for (const layer of net.layers) {
    for (let i = 0; i < layer.W.length; i++) layer.W[i] = rng.uniform(-range, range);
    layer.b?.fill(0);
  }
}

export function networkParameterCount(net: Network): number {
  return net.layers.reduce((n, l) => n + l.W.length + (l.b ? l.b.length : 0), 0);
}

export function hasBias(net: Network): boolean {
  return net.layers.some((l) => l.b !== null);
}

/** "160 → 10 (ReLU) → 160" */
export function describeNetwork(net: Network): string {
  const parts = [String(net.sizes[0])];
  net.layers.forEach((l) => parts.push(l.relu ? `${l.outSize} (ReLU)` : String(l.outSize)));
  return parts.join(' → ') + (hasBias(net) ? ', with biases' : ', no biases');
}

/** Runs layers[from..to) on one input vector; returns the last output. */
export function runLayers(layers: readonly Layer[], x: ArrayLike<number>, xOffset = 0): Float64Array {
  let cur: ArrayLike<number> = x;
  let off = xOffset;
  let out = new Float64Array(0);
  for (const layer of layers) {
    out = new Float64Array(layer.outSize);
    layerForward(layer, cur, off, out);
    cur = out;
    off = 0;
  }
  return out;
}

/** The reconstruction Y of the frame at `offset`. */
export function reconstructFrame(net: Network, frames: ArrayLike<number>, offset: number): Float64Array {
  return runLayers(net.layers, frames, offset);
}

/** Mean L = Σ(Y−X)² over the frames with the weights as they are (no update). */
export function networkMeanLoss(net: Network, frames: ArrayLike<number> | SampleFrames, count: number): number {
  const n = net.sizes[0];
  const reader = new FrameReader(frames, n);
  let sum = 0;
  for (let t = 0; t < count; t++) {
    reader.go(t);
    const { x, at } = reader;
    const y = reconstructFrame(net, x, at);
    for (let i = 0; i < n; i++) sum += (y[i] - x[at + i]) ** 2;
  }
  return count > 0 ? sum / count : NaN;
}

/**
 * Where the code Z is: the output of the narrowest hidden layer (the first one if several tie).
 * The encoder is layers[0..k], the decoder layers[k+1..]. For [160, 10, 160], k = 0 and Z = relu(W·X).
 */
export function codeLayer(net: Network): number {
  let k = 0;
  for (let l = 1; l + 1 < net.layers.length; l++) if (net.layers[l].outSize < net.layers[k].outSize) k = l;
  return k;
}

export function codeSize(net: Network): number {
  return net.layers[codeLayer(net)].outSize;
}

export function encoderLayers(net: Network): Layer[] {
  return net.layers.slice(0, codeLayer(net) + 1);
}

export function decoderLayers(net: Network): Layer[] {
  return net.layers.slice(codeLayer(net) + 1);
}

/** The course's [160, h, 160] no-bias network seen as the network type (shares W and V). */
export function fromAutoEncoder(ae: AutoEncoder): Network {
  const n = ae.frameSize;
  const h = ae.hidden;
  return {
    sizes: [n, h, n],
    layers: [
      { inSize: n, outSize: h, W: ae.W, b: null, relu: true },
      { inSize: h, outSize: n, W: ae.V, b: null, relu: false },
    ],
  };
}

/** The network as the course's auto-encoder when it has that shape (shares W and V), else null. */
export function asAutoEncoder(net: Network): AutoEncoder | null {
  const [a, b] = net.layers;
  if (net.layers.length !== 2 || a.b || b.b || a.inSize !== b.outSize) return null;
  return { frameSize: a.inSize, hidden: a.outSize, W: a.W, V: b.W };
}
