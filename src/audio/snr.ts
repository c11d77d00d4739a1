/**
 * How close decoded audio is to the original, in decibels.
 *
 * SNR = 10·log10(Σ x² / Σ (x − y)²) over the whole file: dominated by the loud parts.
 * Segmental SNR = the mean of each 160-sample frame's SNR, each clamped to [−10, 35] dB (the usual
 * speech-coding convention): quiet frames count as much as loud ones, which is closer to what a
 * listener hears; the clamp keeps one near-silent frame (tiny signal, some noise) from sinking the
 * mean, and a perfect frame from making it infinite. Frames of digital silence (all zeros) have no
 * SNR and are left out.
 */
import { FRAME_SIZE } from './frames.js';

export const SEG_MIN_DB = -10;
export const SEG_MAX_DB = 35;

export interface Snr {
  /** dB; Infinity when y equals x exactly. */
  snr: number;
  /** dB, mean over the frames that are not digital silence; NaN when every frame is. */
  segmental: number;
  /** Frames averaged by `segmental`. */
  segments: number;
}

function ratioDb(signal: number, noise: number): number {
  if (noise === 0) return signal === 0 ? NaN : Infinity;
  return 10 * Math.log10(signal / noise);
}

/** x is the reference, y the decoded audio; only their common length is compared. */
export function snr(x: ArrayLike<number>, y: ArrayLike<number>, frameSize = FRAME_SIZE): Snr {
  const n = Math.min(x.length, y.length);
  let signal = 0;
  let noise = 0;
  let segSum = 0;
  let segments = 0;
  for (let start = 0; start < n; start += frameSize) {
    const end = Math.min(n, start + frameSize);
    let s = 0;
    let e = 0;
    for (let i = start; i < end; i++) {
      const d = x[i] - y[i];
      s += x[i] * x[i];
      e += d * d;
    }
    signal += s;
    noise += e;
    if (s > 0) {
      segSum += Math.min(SEG_MAX_DB, Math.max(SEG_MIN_DB, ratioDb(s, e)));
      segments++;
    }
  }
  return { snr: ratioDb(signal, noise), segmental: segments > 0 ? segSum / segments : NaN, segments };
}
