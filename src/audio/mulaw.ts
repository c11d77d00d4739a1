/**
 * G.711 µ-law: the telephone's 8 bits per sample (64 kbit/s at 8 kHz; at our 16 kHz, 128 kbit/s).
 * Used as a reference point beside the auto-encoder: a fixed, logarithmic quantiser that needs no
 * training. Each 16-bit sample becomes sign + 3-bit segment (octave) + 4-bit step in that octave,
 * bits inverted (the G.711 convention). The decoder returns the middle of the step.
 */
import { resample } from './resample.js';

const BIAS = 0x84; // 132: shifts |x| so that every segment starts at a power of two
const CLIP = 32635; // largest |x| that still fits segment 7 after adding BIAS

export function mulawEncodeSample(x: number): number {
  const sign = x < 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(x), CLIP) + BIAS;
  // The segment is the position of the highest set bit above bit 7 (magnitude ≥ 128 always).
  let segment = 0;
  while (segment < 7 && magnitude >> (segment + 8) !== 0) segment++;
  const step = (magnitude >> (segment + 3)) & 0x0f;
  return ~(sign | (segment << 4) | step) & 0xff;
}

export function mulawDecodeSample(code: number): number {
  const u = ~code & 0xff;
  const segment = (u >> 4) & 0x07;
  const step = u & 0x0f;
  // (step + 16.5) · 2^(segment+3) − BIAS: the middle of the step, BIAS removed.
  const magnitude = (((step << 3) + BIAS) << segment) - BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

export function mulawEncode(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = mulawEncodeSample(samples[i]);
  return out;
}

export function mulawDecode(codes: Uint8Array): Int16Array {
  const out = new Int16Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = mulawDecodeSample(codes[i]);
  return out;
}

/** What the samples sound like after an 8-bit µ-law round trip. */
export function mulawRoundTrip(samples: Int16Array): Int16Array {
  return mulawDecode(mulawEncode(samples));
}

/** 8 bits per sample. */
export function mulawKbps(sampleRate: number): number {
  return (8 * sampleRate) / 1000;
}

export const TELEPHONE_RATE = 8000;

/**
 * The telephone's µ-law, 64 kbit/s: down to 8 kHz (everything above 4 kHz is lost), 8-bit µ-law,
 * back up to the input's rate and length. The 64 kbit/s reference point; at 16 kHz the
 * same 8 bits per sample cost 128 kbit/s (`mulawRoundTrip`).
 */
export function telephoneRoundTrip(samples: Int16Array, sampleRate: number): Int16Array {
  const toInt16 = (x: Float64Array, n: number): Int16Array => {
    const out = new Int16Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round((x[i] ?? 0) * 32768)));
    return out;
  };
  const down = resample(Float64Array.from(samples, (v) => v / 32768), sampleRate, TELEPHONE_RATE);
  const coded = mulawRoundTrip(toInt16(down, down.length));
  const up = resample(Float64Array.from(coded, (v) => v / 32768), TELEPHONE_RATE, sampleRate);
  return toInt16(up, samples.length);
}
