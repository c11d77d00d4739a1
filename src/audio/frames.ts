import { UserError, UsageError } from '../errors.js';

export const FRAME_SIZE = 160; // 10 ms at 16 kHz
export const SAMPLE_RATE = 16000;

export interface FrameOptions {
  /** Each 16-bit sample is divided by this (the course uses 32000). */
  scale: number;
  /** Keep only the first N frames (`--frames`). */
  maxFrames?: number;
  /** Keep only the first S seconds (`--seconds`). */
  seconds?: number;
}

export interface Frames {
  /** count × FRAME_SIZE values, frame after frame. */
  data: Float64Array;
  count: number;
  /** Frames the whole file holds (before --frames/--seconds). */
  available: number;
  /** Samples of a trailing partial frame that were dropped. */
  droppedSamples: number;
}

/**
 * Cuts 16 kHz mono samples into consecutive 160-sample frames, scaled by 1/scale.
 * A trailing partial frame is dropped (the caller reports it).
 */
export function toFrames(samples: Int16Array, opts: FrameOptions, source = 'the audio'): Frames {
  if (!(opts.scale > 0) || !Number.isFinite(opts.scale)) throw new UsageError(`--scale must be a positive number (got ${opts.scale})`);
  // A tiny scale makes frames so large that float64 overflows: x⁴ appears inside PCA's eigen-solver.
  if (!Number.isFinite(FRAME_SIZE * (32768 / opts.scale) ** 4)) throw new UsageError(`--scale ${opts.scale} is too small: the frames would overflow the arithmetic; give --scale 1 or more (the course divides by 32000)`);
  let usable = samples.length;
  if (opts.seconds !== undefined) usable = Math.min(usable, Math.floor(opts.seconds * SAMPLE_RATE));
  const available = Math.floor(samples.length / FRAME_SIZE);
  let count = Math.floor(usable / FRAME_SIZE);
  if (opts.maxFrames !== undefined) count = Math.min(count, opts.maxFrames);
  if (count < 1) {
    // The file has a frame but --seconds cut it off: the option is what to change (exit 2).
    if (opts.seconds !== undefined && samples.length >= FRAME_SIZE) {
      throw new UsageError(`--seconds ${opts.seconds} is less than one frame (${FRAME_SIZE} samples, 10 ms at 16 kHz): give --seconds 0.01 or more`);
    }
    const have = opts.seconds !== undefined ? `the first ${opts.seconds} s give ${usable}` : `${source} has ${samples.length}`;
    throw new UserError(`not enough audio for one frame: ${FRAME_SIZE} samples (10 ms at 16 kHz) are needed, ${have}`);
  }
  const data = new Float64Array(count * FRAME_SIZE);
  // Divide (not multiply by 1/scale) so each value is exactly the course's sample / 32000.
  for (let i = 0; i < data.length; i++) data[i] = samples[i] / opts.scale;
  return { data, count, available, droppedSamples: samples.length % FRAME_SIZE };
}
