/**
 * A live session: the sound is read block by block, cut into chunks, and each chunk is trained on
 * (by a ChunkTrainer, in its own thread) while the next one is captured.
 *
 * Memory never grows with the session: besides the chunk being captured, at most one chunk trains
 * and one waits. When a chunk is complete while another one still waits (training slower than real
 * time), the waiting one is skipped (never trained on, counted) and the new one takes its place:
 * the network always learns the freshest sound. With `backpressure` (a file read as fast as
 * possible, where nothing is lost by waiting) reading pauses instead, so no chunk is ever skipped.
 *
 * The last chunk of a stream that ends (end of file, --minutes) is usually shorter: it is trained
 * on as it is when it holds at least one whole frame. After Ctrl-C, the chunk being captured is
 * not trained on (it is still in --keep).
 */
import { Chunker, levelDbfs } from '../../audio/chunker.js';
import { FRAME_SIZE, SAMPLE_RATE } from '../../audio/frames.js';
import type { PcmStream } from '../../audio/pcm-stream.js';
import { UserError } from '../../errors.js';
import { MomentAccumulator } from '../../model/pca.js';
import type { ChunkResult } from './chunk-trainer.js';
import type { ChunkTrainer } from './trainer.js';

export interface SessionOptions {
  chunkSamples: number;
  /** Reading waits for training instead of skipping chunks (a file without --realtime). */
  backpressure: boolean;
  /** Stop after this many samples (--minutes). */
  maxSamples?: number;
  /** Each sample / scale: the frames PCA sees (the trainer divides the same way). */
  scale: number;
  /** True stops the session (Ctrl-C): checked after every block. */
  shouldStop: () => boolean;
  /** Every block of sound heard, in order (--keep). */
  onSamples?: (block: Int16Array) => Promise<void>;
  /** The chunk being captured: its level so far (dBFS) and how many samples it has. */
  onLevel?: (dbfs: number, samples: number) => void;
  onChunk?: (c: ChunkEvent) => void;
  onSkip?: (s: SkipEvent) => void;
  /** Keep the last this many samples heard (the report's recordings); 0 by default. */
  recentSamples?: number;
  /** Milliseconds, for the lag (tests pass a fake clock). */
  now?: () => number;
}

/** A chunk trained on. */
export interface ChunkEvent extends ChunkResult {
  /** Seconds from the start of the session to the chunk's first sample. */
  start: number;
  /** Seconds of sound in it. */
  seconds: number;
  /** RMS level of the chunk, dBFS. */
  level: number;
  /** Seconds from the end of its capture to its "after" loss. */
  lag: number;
}

export interface SkipEvent {
  index: number;
  start: number;
  seconds: number;
  level: number;
  /** Chunks skipped so far, this one included. */
  skipped: number;
}

export interface SessionResult {
  /** Samples heard (all of them, skipped chunks and the last partial chunk included). */
  heard: number;
  chunks: ChunkEvent[];
  skipped: SkipEvent[];
  /** Samples of the last chunk that were not trained on: a partial chunk after Ctrl-C, or too short (under a frame). */
  untrainedTail: number;
  /** Σ x·xᵀ of every whole frame heard: the PCA bound of all the sound. */
  moments: MomentAccumulator;
  /** The last recentSamples samples heard (fewer if the session was shorter). */
  recent: Int16Array;
  stopped: 'end' | 'minutes' | 'interrupted' | 'diverged' | 'source-failed';
  /** Why the sound stopped when stopped is 'source-failed' (cable pulled, file unreadable): the caller reports it after saving. */
  sourceError?: UserError;
}

interface Chunk {
  index: number;
  samples: Int16Array;
  capturedAt: number;
  level: number;
}

export async function runSession(stream: PcmStream, trainer: ChunkTrainer, opts: SessionOptions): Promise<SessionResult> {
  const now = opts.now ?? (() => performance.now());
  const chunker = new Chunker(opts.chunkSamples);
  const moments = new MomentAccumulator(FRAME_SIZE);
  const recent = new Recent(opts.recentSamples ?? 0);
  const chunks: ChunkEvent[] = [];
  const skipped: SkipEvent[] = [];
  let heard = 0;
  let index = 0;
  let running: Promise<void> | null = null;
  let waiting: Chunk | null = null;
  let failure: unknown = null;
  let diverged = false;
  const chunkStart = (i: number): number => (i * opts.chunkSamples) / SAMPLE_RATE;

  const startNext = (): void => {
    if (running !== null || waiting === null || failure !== null || diverged) return;
    const c = waiting;
    waiting = null;
    running = trainer.train(c.index, c.samples).then(
      (r) => {
        if (r.stopped === 'diverged') diverged = true;
        const e: ChunkEvent = { ...r, start: chunkStart(c.index), seconds: (r.frames * FRAME_SIZE) / SAMPLE_RATE, level: c.level, lag: (now() - c.capturedAt) / 1000 };
        chunks.push(e);
        opts.onChunk?.(e);
      },
      (e: unknown) => {
        failure = e;
      },
    ).finally(() => {
      running = null;
      startNext();
    });
  };

  const offer = async (c: Chunk, wait: boolean): Promise<void> => {
    if (wait) {
      while (waiting !== null && running !== null) await running;
    } else if (waiting !== null) {
      const w: Chunk = waiting;
      skipped.push({ index: w.index, start: chunkStart(w.index), seconds: w.samples.length / SAMPLE_RATE, level: w.level, skipped: skipped.length + 1 });
      opts.onSkip?.(skipped[skipped.length - 1]!);
    }
    waiting = c;
    startNext();
  };

  /** What PCA and the report keep of a chunk, then the chunk for the trainer. */
  const complete = (samples: Int16Array): Chunk => {
    moments.addSamples(samples, opts.scale);
    return { index: index++, samples, capturedAt: now(), level: levelDbfs(samples) };
  };

  let stopped: SessionResult['stopped'] = 'end';
  let sourceError: UserError | undefined;
  const iterator = stream.blocks()[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (opts.shouldStop()) {
        stopped = 'interrupted';
        break;
      }
      let next: IteratorResult<Int16Array>;
      try {
        next = await iterator.next();
      } catch (e) {
        // The sound stopped (cable pulled, a file that cannot be read further): what was heard and
        // learnt is still the student's, so the session ends as after Ctrl-C and the caller reports why.
        if (!(e instanceof UserError)) throw e;
        stopped = 'source-failed';
        sourceError = e;
        break;
      }
      if (next.done) {
        // A source stopped by Ctrl-C (the phone's) ends its blocks quietly: still an interruption.
        if (opts.shouldStop()) stopped = 'interrupted';
        break;
      }
      let block = next.value;
      if (opts.maxSamples !== undefined && heard + block.length >= opts.maxSamples) {
        block = block.subarray(0, opts.maxSamples - heard);
        stopped = 'minutes';
      }
      heard += block.length;
      recent.push(block);
      await opts.onSamples?.(block);
      for (const full of chunker.push(block)) {
        await offer(complete(full), opts.backpressure);
        if (failure !== null) throw failure;
      }
      const pending = chunker.pending;
      if (pending.length > 0) opts.onLevel?.(levelDbfs(pending), pending.length);
      if (failure !== null) throw failure;
      if (diverged) {
        stopped = 'diverged';
        break;
      }
      if (stopped === 'minutes') break;
    }
  } finally {
    // The source is released first (on the phone: the microphone) whatever happens next.
    await iterator.return?.();
    await stream.close();
  }

  let untrainedTail = 0;
  const rest = chunker.rest();
  if (stopped === 'interrupted' || stopped === 'diverged' || stopped === 'source-failed') {
    untrainedTail = rest.length;
    // Ctrl-C: the chunk in training stops at its next slice; one waiting is not started.
    if (waiting !== null) untrainedTail += (waiting as Chunk).samples.length;
    waiting = null;
    if (stopped === 'interrupted') trainer.interrupt();
  } else if (rest.length >= FRAME_SIZE) {
    await offer(complete(rest), true);
  } else {
    untrainedTail = rest.length;
  }
  while (running !== null) await running;
  if (failure !== null) throw failure;
  if (diverged) stopped = 'diverged';
  return { heard, chunks, skipped, untrainedTail, moments, recent: recent.samples(), stopped, ...(sourceError ? { sourceError } : {}) };
}

/** The last `size` samples heard, in a ring (the report plays and draws them). */
class Recent {
  private readonly ring: Int16Array;
  private total = 0;
  constructor(readonly size: number) {
    this.ring = new Int16Array(size);
  }
  push(block: Int16Array): void {
    if (this.size === 0) return;
    const from = Math.max(0, block.length - this.size);
    for (let i = from; i < block.length; i++) this.ring[(this.total + i - from) % this.size] = block[i]!;
    this.total += block.length - from;
  }
  samples(): Int16Array {
    const n = Math.min(this.total, this.size);
    const out = new Int16Array(n);
    for (let i = 0; i < n; i++) out[i] = this.ring[(this.total - n + i) % this.size]!;
    return out;
  }
}
