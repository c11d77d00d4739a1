/**
 * Spectra for the pictures: the magnitude spectrum of one short waveform (a unit's 160-sample atom)
 * and the spectrogram of a recording. The FFT is fft.js's (radix-4, power-of-two sizes), not ours;
 * this file only windows, zero-pads and turns its complex output into magnitudes.
 */
import FFT from 'fft.js';

/** fft.js keeps tables per size: one instance per size, built on first use, with its input and output buffers. */
interface Plan {
  fft: FFT;
  input: number[];
  out: number[];
}
const plans = new Map<number, Plan>();
function planOf(size: number): Plan {
  let p = plans.get(size);
  if (!p) {
    const fft = new FFT(size);
    p = { fft, input: new Array<number>(size).fill(0), out: fft.createComplexArray() as number[] };
    plans.set(size, p);
  }
  return p;
}

/** Smallest power of two ≥ n (and ≥ 4: fft.js's least size). */
export function fftSizeFor(n: number): number {
  let s = 4;
  while (s < n) s *= 2;
  return s;
}

/**
 * |X(f)| for f = 0, rate/size, …, rate/2 (size/2 + 1 bins) of `x` zero-padded to `size`.
 * Zero-padding does not add resolution to a 160-sample atom, it samples its spectrum more finely,
 * so the peak reads to within rate/size Hz instead of rate/160.
 */
export function magnitudeSpectrum(x: ArrayLike<number>, size = fftSizeFor(x.length), window?: ArrayLike<number>): Float64Array {
  if (x.length > size) throw new RangeError(`magnitudeSpectrum: ${x.length} samples do not fit an FFT of ${size}`);
  const { fft, input, out } = planOf(size);
  for (let i = 0; i < size; i++) input[i] = i < x.length ? x[i]! * (window ? window[i]! : 1) : 0;
  fft.realTransform(out, input);
  const bins = size / 2 + 1;
  const mag = new Float64Array(bins);
  // realTransform fills bins 0..size/2 (the rest mirror them).
  for (let k = 0; k < bins; k++) mag[k] = Math.hypot(out[2 * k]!, out[2 * k + 1]!);
  return mag;
}

/** The frequency (Hz) of the strongest bin, refined by a parabola through it and its neighbours. */
export function dominantFrequency(x: ArrayLike<number>, sampleRate: number, size = 1024): number {
  const mag = magnitudeSpectrum(x, size);
  let best = 0;
  for (let k = 1; k < mag.length; k++) if (mag[k]! > mag[best]!) best = k;
  let shift = 0;
  if (best > 0 && best < mag.length - 1) {
    const a = mag[best - 1]!;
    const b = mag[best]!;
    const c = mag[best + 1]!;
    const den = a - 2 * b + c;
    if (den < 0) shift = (0.5 * (a - c)) / den;
  }
  return ((best + shift) * sampleRate) / size;
}

export function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

export interface Spectrogram {
  /** Time columns (one per hop). */
  columns: number;
  /** Frequency rows, 0 Hz first: window/2 + 1. */
  bins: number;
  /** Power in dB (10·log10 |X|²), column after column: db[c * bins + k]; −Infinity for silence. */
  db: Float64Array;
  /** Hz between bins. */
  binHz: number;
  /** Seconds between columns. */
  hopSeconds: number;
}

/**
 * Short-time spectrum: a Hann window of `window` samples every `hop` samples, each column centred
 * on its hop (the edges padded with zeros). Power is of the samples as given (16-bit units here), so
 * the original, the reconstruction and the error share one scale.
 */
export function spectrogram(samples: ArrayLike<number>, opts: { window: number; hop: number; sampleRate: number }): Spectrogram {
  const { window, hop, sampleRate } = opts;
  const w = hann(window);
  const columns = Math.max(1, Math.ceil(samples.length / hop));
  const bins = window / 2 + 1;
  const db = new Float64Array(columns * bins);
  const buf = new Float64Array(window);
  for (let c = 0; c < columns; c++) {
    const start = c * hop + Math.floor(hop / 2) - window / 2;
    for (let i = 0; i < window; i++) {
      const j = start + i;
      buf[i] = j >= 0 && j < samples.length ? samples[j]! : 0;
    }
    const mag = magnitudeSpectrum(buf, window, w);
    for (let k = 0; k < bins; k++) db[c * bins + k] = 10 * Math.log10(mag[k]! ** 2);
  }
  return { columns, bins, db, binHz: sampleRate / window, hopSeconds: hop / sampleRate };
}
