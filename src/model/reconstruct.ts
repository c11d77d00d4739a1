/**
 * What the network makes of a whole recording: every frame through it, then ×scale back to 16-bit.
 * A trailing partial frame has no reconstruction and is dropped (the output is whole frames only).
 */
import { reconstructFrame, type Network } from './network.js';

export interface Reconstruction {
  /** 16-bit samples, frames × frameSize of them. */
  samples: Int16Array;
  /** The input's whole frames, as 16-bit samples, aligned with `samples` (for SNR). */
  original: Int16Array;
  frames: number;
  /** Samples that fell outside −32768..32767 and were clipped. */
  clipped: number;
  /** Mean L = Σ(Y−X)² per frame, before rounding to 16 bits (the trainer's loss). */
  loss: number;
}

/** Rounds v to 16-bit, counting samples that did not fit. */
export function toInt16(v: number, clip: { count: number }): number {
  const r = Math.round(v);
  if (r > 32767) {
    clip.count++;
    return 32767;
  }
  if (r < -32768) {
    clip.count++;
    return -32768;
  }
  return r;
}

export function reconstructSamples(net: Network, scale: number, input: Int16Array): Reconstruction {
  const n = net.sizes[0];
  const frames = Math.floor(input.length / n);
  const samples = new Int16Array(frames * n);
  const x = new Float64Array(n);
  const clip = { count: 0 };
  let sum = 0;
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < n; i++) x[i] = input[t * n + i] / scale;
    const y = reconstructFrame(net, x, 0);
    for (let i = 0; i < n; i++) {
      sum += (y[i] - x[i]) ** 2;
      samples[t * n + i] = toInt16(y[i] * scale, clip);
    }
  }
  return { samples, original: input.subarray(0, frames * n), frames, clipped: clip.count, loss: frames > 0 ? sum / frames : NaN };
}
