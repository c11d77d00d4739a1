import { UserError, UsageError } from '../errors.js';
import type { SampleFrames } from '../model/frame-data.js';

export const FRAME_SIZE = 160; // 10 ms at 16 kHz
export const SAMPLE_RATE = 16000;

export interface FrameOptions {
  /** Each 16-bit sample is divided by this (the course uses 32000). */
  scale: number;
  /** Keep only the first N frames (`--frames`). */
  maxFrames?: number;
  /** Keep only the first S seconds (`--seconds`), counted from `start`. */
  seconds?: number;
  /** Skip the first S seconds (`--start`), rounded to whole 10 ms frames. */
  start?: number;
}

export interface Frames<D = Float64Array> {
  /** count × FRAME_SIZE values, frame after frame (Float64Array), or the samples they are divided from. */
  data: D;
  count: number;
  /** Frames the whole file holds (before --start/--frames/--seconds). */
  available: number;
  /** Index of the first frame kept (--start), 0-based. */
  first: number;
  /** Samples of a trailing partial frame that were dropped. */
  droppedSamples: number;
}

/**
 * Cuts 16 kHz mono samples into consecutive 160-sample frames, scaled by 1/scale.
 * A trailing partial frame is dropped (the caller reports it).
 */
export function toFrames(samples: Int16Array, opts: FrameOptions, source = 'the audio'): Frames {
  const f = sampleFrames(samples, opts, source);
  const { samples: kept, scale } = f.data;
  const data = new Float64Array(f.count * FRAME_SIZE);
  // Divide (not multiply by 1/scale) so each value is exactly the course's sample / 32000.
  for (let i = 0; i < data.length; i++) data[i] = kept[i] / scale;
  return { ...f, data };
}

/** --scale: a positive number whose frames the arithmetic can hold. */
export function checkScale(scale: number): void {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new UsageError(`--scale must be a positive number (got ${scale})`);
  // A tiny scale makes frames so large that float64 overflows: x⁴ appears inside PCA's eigen-solver.
  if (!Number.isFinite(FRAME_SIZE * (32768 / scale) ** 4)) throw new UsageError(`--scale ${scale} is too small: the frames would overflow the arithmetic; give --scale 1 or more (the course divides by 32000)`);
}

/**
 * The same frames, not divided yet: a view of the samples (no copy) and the scale. What `train`
 * holds, 2 bytes a sample instead of 8; the trainers, loss passes and PCA divide as they read
 * (model/frame-data.ts), into the very same float64 values as toFrames'.
 */
export function sampleFrames(samples: Int16Array, opts: FrameOptions, source = 'the audio'): Frames<SampleFrames> {
  checkScale(opts.scale);
  const available = Math.floor(samples.length / FRAME_SIZE);
  const first = opts.start !== undefined ? Math.round(opts.start * SAMPLE_RATE / FRAME_SIZE) : 0;
  if (first > 0 && first >= available) {
    throw new UsageError(`--start ${opts.start} is past the end of ${source} (${(samples.length / SAMPLE_RATE).toFixed(2)} s): give a smaller --start`);
  }
  const from = first * FRAME_SIZE;
  let usable = samples.length - from;
  if (opts.seconds !== undefined) usable = Math.min(usable, Math.floor(opts.seconds * SAMPLE_RATE));
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
  const data = { samples: samples.subarray(from, from + count * FRAME_SIZE), scale: opts.scale };
  return { data, count, available, first, droppedSamples: samples.length % FRAME_SIZE };
}

/** The 16-bit samples the frames were cut from (for SNR, the report, playing back). */
export function framesSamples(samples: Int16Array, f: Pick<Frames, 'first' | 'count'>): Int16Array {
  return samples.subarray(f.first * FRAME_SIZE, (f.first + f.count) * FRAME_SIZE);
}

/**
 * A frame whose RMS is below this (−50 dBFS) holds at most room noise: its loss is ~0.0004 before
 * any training, so SGD at the course's lr moves nothing visible. Speech frames sit at −35…−10 dBFS.
 */
export const SILENT_DBFS = -50;

/** Runs of silent frames, as 0-based [from, to] indexes within the frames given. */
export function silentRuns(samples: Int16Array, f: Pick<Frames, 'first' | 'count'>): [number, number][] {
  const limit = 32768 * 10 ** (SILENT_DBFS / 20);
  const runs: [number, number][] = [];
  for (let k = 0; k < f.count; k++) {
    const at = (f.first + k) * FRAME_SIZE;
    let sum = 0;
    for (let i = 0; i < FRAME_SIZE; i++) sum += samples[at + i] * samples[at + i];
    if (Math.sqrt(sum / FRAME_SIZE) >= limit) continue;
    const last = runs[runs.length - 1];
    if (last && last[1] === k - 1) last[1] = k;
    else runs.push([k, k]);
  }
  return runs;
}

/**
 * "frames 1–35 are silent …": when most of the frames trained on hold no sound, the loss curve says
 * nothing (the course's first exercise on a take that starts quietly). Null when there is sound
 * enough. Frame numbers are 1-based in the file, like the course's; the advice is the --start of
 * the first frame with sound after them.
 */
export function silenceWarning(samples: Int16Array, f: Pick<Frames, 'first' | 'count' | 'available'>, startFrame = 0): string | null {
  const runs = silentRuns(samples, f);
  const silent = runs.reduce((n, [a, b]) => n + b - a + 1, 0);
  if (silent === 0 || silent * 2 <= f.count) return null;
  const at = startFrame + f.first; // frame numbers in the file (samples may start at --start)
  const name = ([a, b]: [number, number]): string => (a === b ? `${at + a + 1}` : `${at + a + 1}–${at + b + 1}`);
  const shown = runs.slice(0, 3).map(name).join(', ') + (runs.length > 3 ? ', …' : '');
  const all = silent === f.count;
  const what = all ? (f.count === 1 ? `frame ${shown} is silent` : `frames ${shown} are silent`) : `${silent} of the ${f.count} frames are silent (${shown})`;
  // The first frame with sound after the leading silence, looked for in the whole file.
  const probe = silentRuns(samples, { first: f.first, count: f.available - f.first });
  const lead = probe.length > 0 && probe[0][0] === 0 ? probe[0][1] + 1 : 0;
  const next = f.first + lead;
  const advice = next < f.available && lead > 0 ? `: add --start ${(((startFrame + next) * FRAME_SIZE) / SAMPLE_RATE).toFixed(2)} to begin at the first frame with sound` : ': give a --wav with sound';
  return `${what} (below ${SILENT_DBFS} dBFS): nothing to learn there${advice}`;
}
