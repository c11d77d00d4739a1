/**
 * G.711 µ-law: the telephone's 8 bits per sample (64 kbit/s at 8 kHz; at our 16 kHz, 128 kbit/s).
 * Used as a reference point beside the auto-encoder: a fixed, logarithmic quantiser that needs no
 * training. Each 16-bit sample becomes sign + 3-bit segment (octave) + 4-bit step in that octave,
 * bits inverted (the G.711 convention). The decoder returns the middle of the step.
 */

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
