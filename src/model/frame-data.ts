/**
 * The frames a trainer, a loss pass or PCA reads: count × n values frame after frame, either
 * stored (float64, or float32 for tests) or as the 16-bit samples they are cut from and the
 * divisor. For the latter, value i is samples[i] / scale computed as it is read: the very same
 * float64 as a stored frame holds, so every number is unchanged, at 2 bytes a sample instead of 8
 * (`train` on an hour of 16 kHz audio: 115 MB instead of 460 MB).
 */
import type { Vec } from './autoencoder.js';

export interface SampleFrames {
  readonly samples: Int16Array;
  /** Each sample is divided by this (the course's 32000). */
  readonly scale: number;
}

export type FrameData = Vec | SampleFrames;

export function isSampleFrames(d: ArrayLike<number> | SampleFrames): d is SampleFrames {
  return 'samples' in d && 'scale' in d;
}

/**
 * Reads frame after frame without allocating: after `go(k)`, frame k is x[at … at + n). Stored
 * frames are read in place; 16-bit samples are divided into one float64 frame of scratch.
 */
export class FrameReader {
  x: ArrayLike<number>;
  at = 0;
  private readonly scratch: Float64Array | null;

  constructor(private readonly data: ArrayLike<number> | SampleFrames, private readonly n: number) {
    this.scratch = isSampleFrames(data) ? new Float64Array(n) : null;
    this.x = this.scratch ?? (data as ArrayLike<number>);
  }

  go(k: number): void {
    const { scratch, n } = this;
    if (scratch === null) {
      this.at = k * n;
      return;
    }
    const { samples, scale } = this.data as SampleFrames;
    // Divide (not multiply by 1/scale): exactly toFrames' sample / 32000.
    for (let i = 0, from = k * n; i < n; i++) scratch[i] = samples[from + i] / scale;
  }
}

/** Frames [from, to) of the data, without a copy. */
export function frameRange<T extends FrameData>(data: T, from: number, to: number, n: number): T {
  if (isSampleFrames(data)) return { samples: data.samples.subarray(from * n, to * n), scale: data.scale } as T;
  return (data as Vec).subarray(from * n, to * n) as T;
}

/** The number of values the data holds (count × n at least, for count frames of n). */
export function frameDataLength(data: FrameData): number {
  return isSampleFrames(data) ? data.samples.length : data.length;
}

/** Bytes the frame store holds per value (8 for float64 frames, 2 for 16-bit samples). */
export function frameBytesPerValue(data: FrameData): number {
  return isSampleFrames(data) ? data.samples.BYTES_PER_ELEMENT : data.BYTES_PER_ELEMENT;
}
