/**
 * Cuts a stream of 16-bit blocks of any length into chunks of exactly `size` samples (`live`'s
 * --chunk), holding only the chunk being filled: memory does not grow with the session.
 */
export class Chunker {
  private buffer: Int16Array;
  private filled = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a chunk needs a whole number of samples ≥ 1, got ${size}`);
    this.buffer = new Int16Array(size);
  }

  /** Samples of the chunk being filled so far. */
  get pending(): Int16Array {
    return this.buffer.subarray(0, this.filled);
  }

  /** Adds a block; returns the chunks it completed, in order (each its own array, handed over). */
  push(block: Int16Array): Int16Array[] {
    const done: Int16Array[] = [];
    let at = 0;
    while (at < block.length) {
      const take = Math.min(this.size - this.filled, block.length - at);
      this.buffer.set(block.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.size) {
        done.push(this.buffer);
        // A fresh buffer: the full one now belongs to whoever trains on it (maybe another thread).
        this.buffer = new Int16Array(this.size);
        this.filled = 0;
      }
    }
    return done;
  }

  /** The partial chunk left at the end of the stream (empty when the stream ended on a boundary). */
  rest(): Int16Array {
    const out = this.buffer.slice(0, this.filled);
    this.filled = 0;
    return out;
  }
}

/** RMS level in dBFS of 16-bit samples (−Infinity for silence or nothing). */
export function levelDbfs(samples: Int16Array): number {
  if (samples.length === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return 10 * Math.log10(sum / samples.length / (32768 * 32768));
}
