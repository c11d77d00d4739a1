/**
 * What a trained network learnt, as numbers the pictures draw: the waveform each code unit adds to
 * the output (a column of V), what each unit listens for (a row of W), how much of the signal each
 * carries, and the loss of every frame.
 *
 * A unit's share: the decoder adds z_j(t)·V_j to frame t, whose energy is z_j(t)²·‖V_j‖². Summed over
 * the frames, that is Σ z_j² measured in output units; a unit's share is its part of the ten sums.
 * (Raw Σ z² alone would depend on how the scale is split between W and V.)
 */
import { dominantFrequency, magnitudeSpectrum } from '../audio/spectrum.js';
import { layerForward, type Layer, type Network } from './network.js';
import { FrameReader, type SampleFrames } from './frame-data.js';

export interface UnitWave {
  /** The unit's index in its layer (0-based). */
  index: number;
  /** The waveform (an atom: a decoder column; a filter: an encoder row). */
  samples: Float64Array;
  /** Its strongest frequency, Hz. */
  hz: number;
  /** |FFT| of the waveform zero-padded to 256: 129 bins from 0 to rate/2. */
  spectrum: Float64Array;
  /** Share of the output (atoms) or of the layer's activation energy (filters), 0..1. */
  share: number;
  /** Share of frames in which the unit is on (its ReLU output > 0). */
  active: number;
}

export interface UnitsView {
  /** true for the course's 160 → h → 160 network: atoms[i] and filters[i] are the same unit. */
  course: boolean;
  /** Decoder columns (the course's V), largest share first. */
  atoms: UnitWave[];
  /** Encoder rows (the course's W), in the atoms' order for the course, else by their own share. */
  filters: UnitWave[];
  /** Units in each layer (atoms and filters may be a top-N of them). */
  atomUnits: number;
  filterUnits: number;
}

export const SPECTRUM_SIZE = 256;

/** Each layer's outputs for every frame: acts[l][t * outSize + o]. */
function activations(net: Network, frames: ArrayLike<number> | SampleFrames, count: number): Float64Array[] {
  const acts = net.layers.map((l) => new Float64Array(count * l.outSize));
  const n = net.sizes[0]!;
  const r = new FrameReader(frames, n);
  for (let t = 0; t < count; t++) {
    r.go(t);
    let x: ArrayLike<number> = r.x;
    let off = r.at;
    net.layers.forEach((layer, l) => {
      const out = acts[l]!.subarray(t * layer.outSize, (t + 1) * layer.outSize);
      layerForward(layer, x, off, out);
      x = acts[l]!;
      off = t * layer.outSize;
    });
  }
  return acts;
}

function wave(index: number, samples: Float64Array, share: number, active: number, rate: number): UnitWave {
  return { index, samples, hz: dominantFrequency(samples, rate), spectrum: magnitudeSpectrum(samples, SPECTRUM_SIZE), share, active };
}

/** Column j of an out × in layer: what input j adds to the output. */
function column(layer: Layer, j: number): Float64Array {
  const c = new Float64Array(layer.outSize);
  for (let o = 0; o < layer.outSize; o++) c[o] = layer.W[o * layer.inSize + j]!;
  return c;
}

function row(layer: Layer, o: number): Float64Array {
  return Float64Array.from(layer.W.subarray(o * layer.inSize, (o + 1) * layer.inSize));
}

const norm2 = (v: Float64Array): number => v.reduce((s, x) => s + x * x, 0);

/** Per unit j of the layer whose outputs are `a` (count × m): Σ_t a_j² · gain_j, and the share of frames with a_j > 0. */
function energies(a: Float64Array, m: number, count: number, gain: (j: number) => number): { share: number[]; active: number[] } {
  const e = new Array<number>(m).fill(0);
  const on = new Array<number>(m).fill(0);
  for (let t = 0; t < count; t++) {
    for (let j = 0; j < m; j++) {
      const v = a[t * m + j]!;
      e[j] += v * v;
      if (v > 0) on[j]++;
    }
  }
  const g = e.map((x, j) => x * gain(j));
  const total = g.reduce((s, x) => s + x, 0);
  return { share: g.map((x) => (total > 0 ? x / total : 0)), active: on.map((x) => (count > 0 ? x / count : 0)) };
}

const byShare = (a: UnitWave, b: UnitWave): number => b.share - a.share || a.index - b.index;

/**
 * The units the report and `dlaudio inspect` draw. `limit`: at most this many atoms and filters
 * (a deep network's 64-unit layer shows its top ones).
 */
export function inspectUnits(net: Network, frames: ArrayLike<number> | SampleFrames, count: number, sampleRate: number, limit = 10): UnitsView {
  const acts = activations(net, frames, count);
  const last = net.layers[net.layers.length - 1]!;
  const first = net.layers[0]!;
  const course = net.layers.length === 2 && first.b === null && last.b === null;
  // The last layer's inputs: the previous layer's outputs.
  const feed = acts[net.layers.length - 2]!;
  const cols = Array.from({ length: last.inSize }, (_, j) => column(last, j));
  const a = energies(feed, last.inSize, count, (j) => norm2(cols[j]!));
  const atoms = cols.map((c, j) => wave(j, c, a.share[j]!, a.active[j]!, sampleRate)).sort(byShare);
  let filters: UnitWave[];
  if (course) {
    filters = atoms.map((u) => wave(u.index, row(first, u.index), u.share, u.active, sampleRate));
  } else {
    const f = energies(acts[0]!, first.outSize, count, () => 1);
    filters = Array.from({ length: first.outSize }, (_, o) => wave(o, row(first, o), f.share[o]!, f.active[o]!, sampleRate)).sort(byShare);
  }
  return { course, atoms: atoms.slice(0, limit), filters: filters.slice(0, limit), atomUnits: last.inSize, filterUnits: first.outSize };
}

/** L = Σ(Y−X)² of every frame, with the weights as they are. */
export function frameLosses(net: Network, frames: ArrayLike<number> | SampleFrames, count: number): Float64Array {
  const n = net.sizes[0]!;
  const out = new Float64Array(count);
  const y = new Float64Array(n);
  const bufs = net.layers.map((l) => new Float64Array(l.outSize));
  const r = new FrameReader(frames, n);
  for (let t = 0; t < count; t++) {
    r.go(t);
    const frame = r.x;
    const at = r.at;
    let x: ArrayLike<number> = frame;
    let off = at;
    net.layers.forEach((layer, l) => {
      layerForward(layer, x, off, bufs[l]!);
      x = bufs[l]!;
      off = 0;
    });
    y.set(bufs[bufs.length - 1]!);
    let s = 0;
    for (let i = 0; i < n; i++) s += (y[i]! - frame[at + i]!) ** 2;
    out[t] = s;
  }
  return out;
}
