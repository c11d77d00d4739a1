/**
 * The auto-encoder as a codec: the encoder turns each frame into its code Z (the narrowest hidden
 * layer's output), Z is quantised to a few bits per unit, and the decoder turns the dequantised
 * codes back into samples.
 *
 * Quantisation. Z is a ReLU output, so every code is ≥ 0 and many are exactly 0 (inactive units).
 * We quantise uniformly on [0, max] with 2^bits − 1 steps: no level is spent on negative values
 * that never occur, and 0 is a level, so an inactive unit decodes to exactly 0 (no noise added).
 * `max` is each unit's own largest code ("unit", default: a unit that only ever reaches 0.1 gets
 * the same number of levels as one that reaches 3, at the cost of one float32 per unit in the
 * file) or the largest code of all units ("file": one float32, coarser steps for quiet units).
 * Using the maximum (not a percentile) means no code is ever clipped.
 */
import type { CodeBits, CodeRange, DlaFile } from '../audio/dla.js';
import { decoderLayers, encoderLayers, runLayers, type Layer, type Network } from './network.js';
import { toInt16 } from './reconstruct.js';

export interface Codes {
  /** frames × codeSize code values Z, frame after frame. */
  z: Float64Array;
  frames: number;
  codeSize: number;
}

/** Z for every whole frame of the 16-bit input (each sample / scale, as in training). */
export function encodeFrames(net: Network, scale: number, input: Int16Array): Codes {
  const n = net.sizes[0];
  const enc = encoderLayers(net);
  const codeSize = enc[enc.length - 1].outSize;
  const frames = Math.floor(input.length / n);
  const z = new Float64Array(frames * codeSize);
  const x = new Float64Array(n);
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < n; i++) x[i] = input[t * n + i] / scale;
    z.set(runLayers(enc, x, 0), t * codeSize);
  }
  return { z, frames, codeSize };
}

export interface Quantised {
  /** frames × codeSize integers in [0, 2^bits − 1]. */
  q: Uint16Array;
  /** The range tops as stored (float32): codeSize of them for "unit", one for "file". */
  maxima: Float32Array;
}

export function levels(bits: CodeBits): number {
  return 2 ** bits - 1;
}

export function quantise(codes: Codes, bits: CodeBits, range: CodeRange): Quantised {
  const { z, frames, codeSize } = codes;
  const unitOf = (j: number): number => (range === 'unit' ? j : 0);
  const exact = new Float64Array(range === 'unit' ? codeSize : 1);
  for (let t = 0; t < frames; t++) {
    for (let j = 0; j < codeSize; j++) exact[unitOf(j)] = Math.max(exact[unitOf(j)], z[t * codeSize + j]);
  }
  // Stored as float32, rounded up when needed so the largest code still maps to the top level.
  const maxima = Float32Array.from(exact);
  for (let m = 0; m < maxima.length; m++) if (maxima[m] < exact[m]) maxima[m] = nextFloat32Up(maxima[m]);
  const top = levels(bits);
  const q = new Uint16Array(frames * codeSize);
  for (let t = 0; t < frames; t++) {
    for (let j = 0; j < codeSize; j++) {
      const max = maxima[unitOf(j)];
      const v = z[t * codeSize + j];
      q[t * codeSize + j] = max > 0 && v > 0 ? Math.min(top, Math.round((v / max) * top)) : 0;
    }
  }
  return { q, maxima };
}

function nextFloat32Up(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  u[0] += 1; // x ≥ 0, so the next representable float32 up is the next bit pattern
  return f[0];
}

/** Z' = q · max / (2^bits − 1): the value each code stands for. */
export function dequantise(q: Uint16Array, maxima: Float32Array, codeSize: number, bits: CodeBits): Float64Array {
  const top = levels(bits);
  const z = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) z[i] = (q[i] * maxima[maxima.length === 1 ? 0 : i % codeSize]) / top;
  return z;
}

/** Half a quantisation step per unit: the most any code moves (for tests and documentation). */
export function halfSteps(maxima: Float32Array, codeSize: number, bits: CodeBits): Float64Array {
  const h = new Float64Array(codeSize);
  for (let j = 0; j < codeSize; j++) h[j] = maxima[maxima.length === 1 ? 0 : j] / levels(bits) / 2;
  return h;
}

export interface Decoded {
  samples: Int16Array;
  clipped: number;
}

/** Each frame's codes through the decoder layers, ×scale back to 16-bit (clipping counted). */
export function decodeCodes(decoder: readonly Layer[], z: Float64Array, frames: number, scale: number): Decoded {
  const codeSize = decoder[0].inSize;
  const n = decoder[decoder.length - 1].outSize;
  const samples = new Int16Array(frames * n);
  const clip = { count: 0 };
  for (let t = 0; t < frames; t++) {
    const y = runLayers(decoder, z, t * codeSize);
    for (let i = 0; i < n; i++) samples[t * n + i] = toInt16(y[i] * scale, clip);
  }
  return { samples, clipped: clip.count };
}

/** The decoder as the .dla stores it: float32 copies, so writing does not tie the file to the model's memory. */
function float32Layers(layers: readonly Layer[]): Layer[] {
  return layers.map((l) => ({ inSize: l.inSize, outSize: l.outSize, W: Float32Array.from(l.W), b: l.b ? Float32Array.from(l.b) : null, relu: l.relu }));
}

export interface CompressOptions {
  bits: CodeBits;
  range: CodeRange;
  sampleRate: number;
}

/** The whole encoder side: samples → a .dla struct (codes quantised, decoder attached). */
export function compressSamples(net: Network, scale: number, input: Int16Array, opts: CompressOptions): DlaFile {
  const codes = encodeFrames(net, scale, input);
  const { q, maxima } = quantise(codes, opts.bits, opts.range);
  return {
    sampleRate: opts.sampleRate,
    frameSize: net.sizes[0],
    frameCount: codes.frames,
    scale,
    bits: opts.bits,
    range: opts.range,
    codeSize: codes.codeSize,
    decoder: float32Layers(decoderLayers(net)),
    maxima,
    codes: q,
  };
}

/** The whole decoder side: a .dla struct → 16-bit samples. */
export function decompressDla(f: DlaFile): Decoded {
  const z = dequantise(f.codes, f.maxima, f.codeSize, f.bits);
  return decodeCodes(f.decoder, z, f.frameCount, f.scale);
}

/** Bit rate of the codes alone: codeSize × bits per frame, sampleRate / frameSize frames a second. */
export function codeKbps(codeSize: number, bits: number, sampleRate: number, frameSize: number): number {
  return (codeSize * bits * sampleRate) / frameSize / 1000;
}

/** 16-bit PCM at this rate, mono: 256 kbit/s at 16 kHz. */
export function pcmKbps(sampleRate: number): number {
  return (16 * sampleRate) / 1000;
}
