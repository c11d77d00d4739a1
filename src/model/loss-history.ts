/**
 * The loss of every epoch, in bounded memory. Up to EXACT_EPOCHS every value is kept; past that
 * (`--epochs 200000000` on one frame would need 1.6 GB of numbers) the history becomes at most
 * BUCKETS buckets of consecutive epochs with their min, mean and max, plus the first and last
 * KEEP epochs exactly. A bucket's width doubles (pairs merge) whenever they would be too many.
 */
export const EXACT_EPOCHS = 100_000;
export const BUCKETS = 1000;
export const KEEP = 1000;

/** Epochs from..to (1-based, inclusive). */
export interface LossBucket {
  from: number;
  to: number;
  min: number;
  mean: number;
  max: number;
}

/** What a bucketed history keeps: plain data, so it crosses to and from worker threads. */
export interface BucketedLosses {
  buckets: LossBucket[];
  /** The first KEEP epochs' losses, exactly. */
  first: number[];
  /** The last KEEP epochs' losses, exactly (the last one is the final loss). */
  last: number[];
}

interface Acc {
  min: number;
  max: number;
  sum: number;
  n: number;
}

export class LossHistory {
  /** Epochs recorded. */
  count = 0;
  private exact: number[] | null = [];
  private acc: Acc[] = [];
  private width = 1;
  private head: number[] = [];
  private tail: number[] = [];

  constructor(private readonly exactLimit = EXACT_EPOCHS, private readonly bucketLimit = BUCKETS, private readonly keep = KEEP) {}

  push(loss: number): void {
    this.count++;
    if (this.exact !== null) {
      this.exact.push(loss);
      if (this.exact.length > this.exactLimit) this.toBuckets();
      return;
    }
    this.add(loss);
    this.tail.push(loss);
    if (this.tail.length > 2 * this.keep) this.tail = this.tail.slice(-this.keep); // amortised ring
  }

  private toBuckets(): void {
    const all = this.exact as number[];
    this.exact = null;
    this.head = all.slice(0, this.keep);
    this.tail = all.slice(-this.keep);
    this.count = 0;
    for (const x of all) {
      this.count++;
      this.add(x);
    }
  }

  /** Adds the `count`-th loss to its bucket, merging pairs first when there would be too many. */
  private add(x: number): void {
    let i = Math.floor((this.count - 1) / this.width);
    if (i >= this.bucketLimit) {
      const merged: Acc[] = [];
      for (let k = 0; k < this.acc.length; k += 2) {
        const a = this.acc[k];
        const b = this.acc[k + 1];
        merged.push(b === undefined ? a : { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), sum: a.sum + b.sum, n: a.n + b.n });
      }
      this.acc = merged;
      this.width *= 2;
      i = Math.floor((this.count - 1) / this.width);
    }
    const b = this.acc[i];
    if (b === undefined) this.acc[i] = { min: x, max: x, sum: x, n: 1 };
    else {
      // NaN (a diverged epoch) must show: Math.min/max propagate it, comparisons would not.
      b.min = Math.min(b.min, x);
      b.max = Math.max(b.max, x);
      b.sum += x;
      b.n++;
    }
  }

  get bucketed(): boolean {
    return this.exact === null;
  }

  /** Every loss (not bucketed), or each bucket's mean: what a chart draws. */
  series(): number[] {
    return this.exact !== null ? [...this.exact] : this.acc.map((b) => b.sum / b.n);
  }

  get last(): number {
    if (this.exact !== null) return this.exact.length > 0 ? this.exact[this.exact.length - 1] : NaN;
    return this.tail[this.tail.length - 1];
  }

  get first(): number {
    return this.exact !== null ? (this.exact.length > 0 ? this.exact[0] : NaN) : this.head[0];
  }

  /** The buckets and the exact ends, or null while every loss is kept. */
  summary(): BucketedLosses | null {
    if (this.exact !== null) return null;
    let from = 1;
    const buckets = this.acc.map((b) => {
      const bucket = { from, to: from + b.n - 1, min: b.min, mean: b.sum / b.n, max: b.max };
      from += b.n;
      return bucket;
    });
    return { buckets, first: [...this.head], last: this.tail.slice(-this.keep) };
  }
}
