import { resample } from './resample.js';
import { mulawRoundTrip, TELEPHONE_RATE } from './mulaw.js';

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
