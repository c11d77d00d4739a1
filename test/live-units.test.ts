/** `dlaudio live`'s parts: chunking, the skip policy, the file stream's pacing, PCA accumulated chunk by chunk. */
import { describe, expect, it } from 'vitest';
import { Chunker, levelDbfs } from '../src/audio/chunker.js';
import { openFileStream, REALTIME_BLOCK } from '../src/audio/file-stream.js';
import { runSession, type ChunkEvent, type SessionOptions } from '../src/cli/live/session.js';
import { LiveView } from '../src/cli/live/view.js';
import type { ChunkTrainer } from '../src/cli/live/trainer.js';
import type { ChunkResult } from '../src/cli/live/chunk-trainer.js';
import type { PcmStream } from '../src/audio/pcm-stream.js';
import { MomentAccumulator, pcaBound } from '../src/model/pca.js';
import { Rng } from '../src/model/rng.js';
import { SAMPLE, sampleInt16 } from './helpers/sample.js';

function ramp(n: number, from = 0): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => ((from + i) % 65536) - 32768);
}

describe('Chunker', () => {
  it('cuts blocks of any size into chunks of exactly `size` samples, in order, whatever the block boundaries', () => {
    const rng = new Rng(7);
    for (const size of [1, 160, 1000, 80000]) {
      const total = size * 3 + Math.floor(size / 2);
      const all = ramp(total);
      const chunker = new Chunker(size);
      const out: Int16Array[] = [];
      for (let at = 0; at < total;) {
        const len = Math.min(total - at, Math.floor(rng.next() * size * 2.5));
        out.push(...chunker.push(all.subarray(at, at + len)));
        at += len;
      }
      expect(out.map((c) => c.length)).toEqual([size, size, size]);
      out.forEach((c, k) => expect(c).toEqual(all.subarray(k * size, (k + 1) * size)));
      expect(chunker.rest()).toEqual(all.subarray(3 * size));
    }
  });

  it('hands each full chunk over as its own array: later blocks never overwrite it', () => {
    const chunker = new Chunker(4);
    const [first] = chunker.push(Int16Array.of(1, 2, 3, 4, 5, 6));
    chunker.push(Int16Array.of(7, 8, 9, 10));
    expect(Array.from(first!)).toEqual([1, 2, 3, 4]);
    expect(Array.from(chunker.rest())).toEqual([9, 10]);
  });

  it('one block holding several chunks gives them all; an empty block gives none', () => {
    const chunker = new Chunker(3);
    expect(chunker.push(ramp(10)).length).toBe(3);
    expect(chunker.push(new Int16Array(0)).length).toBe(0);
    expect(chunker.pending.length).toBe(1);
  });

  it('levelDbfs: a full-scale square wave is 0 dBFS, half scale −6 dBFS, silence −∞', () => {
    expect(levelDbfs(Int16Array.from({ length: 100 }, (_, i) => (i % 2 ? 32767 : -32768)))).toBeCloseTo(0, 3);
    expect(levelDbfs(new Int16Array(100).fill(16384))).toBeCloseTo(-6.02, 2);
    expect(levelDbfs(new Int16Array(10))).toBe(-Infinity);
  });
});

/** A stream of `total` samples in blocks of `block`, as fast as asked. */
function fakeStream(total: number, block: number, onEnd?: () => void): PcmStream & { closed: boolean } {
  const s = {
    sampleRate: 16000,
    label: 'fake',
    closed: false,
    async *blocks() {
      for (let at = 0; at < total && !s.closed; at += block) yield ramp(Math.min(block, total - at), at);
      onEnd?.();
    },
    async close() {
      s.closed = true;
    },
  };
  return s;
}

/**
 * A trainer whose chunks finish only when the test lets them (`slow`: after `every` blocks have been
 * read), recording the chunks it got and how many chunk buffers were alive at once.
 */
function fakeTrainer(): ChunkTrainer & { got: number[]; release: () => void; busy: boolean } {
  let pending: (() => void) | null = null;
  const t = {
    got: [] as number[],
    busy: false,
    release() {
      const p = pending;
      pending = null;
      p?.();
    },
    async train(index: number, samples: Int16Array): Promise<ChunkResult> {
      if (t.busy) throw new Error('two chunks at once');
      t.busy = true;
      t.got.push(index);
      await new Promise<void>((resolve) => { pending = resolve; });
      t.busy = false;
      return { index, frames: Math.floor(samples.length / 160), before: 1, after: 0.5, losses: [0.7], stopped: 'done', trainSeconds: 0, workSeconds: 0, kernel: 'js', fallback: null };
    },
    async network() {
      throw new Error('not used');
    },
    interrupt() {
      t.release();
    },
    async close() {},
  };
  return t;
}

function options(over: Partial<SessionOptions>): SessionOptions {
  return { chunkSamples: 1600, backpressure: false, scale: 32000, shouldStop: () => false, ...over };
}

describe('the skip policy', () => {
  it('a trainer slower than the stream: whole chunks are skipped and counted, the freshest is trained, never two at once', async () => {
    const trainer = fakeTrainer();
    // Once the stream has ended, the trainer finishes what it has.
    const stream = fakeStream(1600 * 20, 800, () => { timer = setInterval(() => trainer.release(), 2); }); // 20 chunks, two blocks each
    let timer: NodeJS.Timeout | undefined;
    let blocks = 0;
    const skips: number[] = [];
    const result = await runSession(stream, trainer, options({
      // The trainer finishes one chunk every 6 blocks read (3 chunks' time): it is 3× too slow.
      onSamples: async () => {
        if (++blocks % 6 === 0) trainer.release();
        await new Promise((r) => setImmediate(r));
      },
      onSkip: (s) => skips.push(s.index),
    })).finally(() => clearInterval(timer));
    // After the stream ends the last waiting chunk is still trained (released below as it comes).
    expect(result.chunks.length + result.skipped.length).toBe(20);
    expect(result.skipped.length).toBeGreaterThan(8);
    expect(result.skipped.map((s) => s.skipped)).toEqual(result.skipped.map((_, i) => i + 1));
    expect(skips).toEqual(result.skipped.map((s) => s.index));
    // Trained in order, skipped ones never reach the trainer, and the last chunk is trained.
    expect(trainer.got).toEqual([...trainer.got].sort((a, b) => a - b));
    for (const s of skips) expect(trainer.got).not.toContain(s);
    expect(trainer.got[trainer.got.length - 1]).toBe(19);
    expect(result.heard).toBe(1600 * 20);
  }, 20_000);

  it('memory stays bounded: chunks alive (captured, not yet trained nor skipped) never exceed two', async () => {
    const trainer = fakeTrainer();
    let alive = 0;
    let most = 0;
    let timer: NodeJS.Timeout | undefined;
    const stream = fakeStream(1600 * 50, 1600, () => { timer = setInterval(() => trainer.release(), 2); });
    const origTrain = trainer.train.bind(trainer);
    trainer.train = async (i, s) => {
      const r = origTrain(i, s);
      return r.finally(() => { alive--; });
    };
    let blocks = 0;
    await runSession(stream, trainer, options({
      onSamples: async () => {
        alive++; // one chunk per block here
        most = Math.max(most, alive);
        if (++blocks % 10 === 0) trainer.release();
        await new Promise((r) => setImmediate(r));
      },
      onSkip: () => { alive--; },
    })).finally(() => clearInterval(timer));
    // The chunk just read, one waiting, one training.
    expect(most).toBeLessThanOrEqual(3);
  }, 20_000);

  it('with backpressure (a file read as fast as possible) nothing is skipped: reading waits for training', async () => {
    const trainer = fakeTrainer();
    const stream = fakeStream(1600 * 10 + 500, 700);
    // Release each chunk a little after it starts, whatever the reading does.
    const timer = setInterval(() => trainer.release(), 2);
    try {
      const result = await runSession(stream, trainer, options({ backpressure: true }));
      expect(result.skipped).toEqual([]);
      expect(trainer.got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      // The partial last chunk (500 samples: 3 whole frames) is trained as it is.
      expect(result.chunks[10]!.frames).toBe(3);
      expect(result.untrainedTail).toBe(0);
    } finally {
      clearInterval(timer);
    }
  });

  it('a last piece shorter than a frame is not trained, and said', async () => {
    const trainer = fakeTrainer();
    const timer = setInterval(() => trainer.release(), 2);
    try {
      const result = await runSession(fakeStream(1600 * 2 + 100, 1600), trainer, options({ backpressure: true }));
      expect(result.chunks.length).toBe(2);
      expect(result.untrainedTail).toBe(100);
    } finally {
      clearInterval(timer);
    }
  });

  it('--minutes stops at exactly that many samples, and the source is closed', async () => {
    const trainer = fakeTrainer();
    const timer = setInterval(() => trainer.release(), 2);
    try {
      const stream = fakeStream(1600 * 10, 700);
      const result = await runSession(stream, trainer, options({ backpressure: true, maxSamples: 4000 }));
      expect(result.heard).toBe(4000);
      expect(result.stopped).toBe('minutes');
      expect(stream.closed).toBe(true);
      expect(result.chunks.map((c) => c.frames)).toEqual([10, 10, 5]);
    } finally {
      clearInterval(timer);
    }
  });

  it('Ctrl-C: reading stops, the chunk being captured is not trained, the source is closed', async () => {
    const trainer = fakeTrainer();
    let stop = false;
    let blocks = 0;
    const stream = fakeStream(1600 * 100, 800);
    const timer = setInterval(() => trainer.release(), 2);
    try {
      const result = await runSession(stream, trainer, options({
        backpressure: true,
        shouldStop: () => stop,
        onSamples: async () => { if (++blocks === 7) stop = true; },
      }));
      expect(result.stopped).toBe('interrupted');
      expect(result.heard).toBe(7 * 800);
      expect(result.chunks.length).toBeLessThanOrEqual(3);
      expect(result.untrainedTail).toBeGreaterThanOrEqual(800);
      expect(stream.closed).toBe(true);
    } finally {
      clearInterval(timer);
    }
  });
});

describe('the file stream', () => {
  it('as fast as possible: the samples of the file, byte for byte, in blocks', async () => {
    const s = await openFileStream(SAMPLE);
    const parts: Int16Array[] = [];
    for await (const b of s.blocks()) parts.push(b.slice());
    const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    expect(all).toEqual(sampleInt16());
    expect(s.finish().conversion).toBeNull();
  });

  it('--realtime: 0.1 s blocks, each handed over only after the clock reached its last sample (a fake clock: no wall time)', async () => {
    const log: string[] = [];
    const s = await openFileStream(SAMPLE, {
      realtime: true,
      waitUntil: async (ms) => { log.push(`wait ${ms}`); },
    });
    let delivered = 0;
    for await (const b of s.blocks()) {
      delivered += b.length;
      log.push(`block ${b.length} → ${delivered}`);
      expect(b.length).toBeLessThanOrEqual(REALTIME_BLOCK);
    }
    expect(delivered).toBe(80000);
    // wait, block, wait, block…: each block's end time is waited for before it is seen.
    for (let i = 0; i < log.length; i += 2) {
      const ms = Number(log[i]!.split(' ')[1]);
      const end = Number(log[i + 1]!.split('→ ')[1]);
      expect(log[i]!.startsWith('wait')).toBe(true);
      expect(ms).toBe((end * 1000) / 16000);
    }
  });

  it('close() during --realtime ends the blocks without error', async () => {
    const s = await openFileStream(SAMPLE, { realtime: true, waitUntil: async () => {} });
    let n = 0;
    for await (const _ of s.blocks()) {
      if (++n === 3) await s.close();
    }
    expect(n).toBe(3);
  });
});

describe('PCA accumulated chunk by chunk', () => {
  it('gives the bound of all the frames at once (uncentred and centred), from Σx·xᵀ only', () => {
    const s = sampleInt16();
    const data = Float64Array.from(s.subarray(0, 500 * 160), (v) => v / 32000);
    const acc = new MomentAccumulator(160);
    for (const [a, b] of [[0, 37], [37, 300], [300, 500]] as const) acc.add(data.subarray(a * 160, b * 160), b - a);
    for (const centred of [false, true]) {
      const shape = { frameSize: 160, k: 10, centred, isBound: true };
      expect(acc.bound(shape).loss).toBeCloseTo(pcaBound(shape, data, 500).loss, 10);
      expect(acc.reference(shape).loss).toBeCloseTo(pcaBound(shape, data, 500).loss, 10);
    }
  });
});

describe('the live view', () => {
  const event = (index: number, before: number, after: number): ChunkEvent => ({
    index, frames: 100, before, after, losses: [before], stopped: 'done', trainSeconds: 0.01, workSeconds: 0.02, kernel: 'wasm', fallback: null,
    start: index, seconds: 1, level: -21.4, lag: 0.23,
  });
  const make = (interactive: boolean, color: boolean) => {
    let text = '';
    let t = 0;
    const view = new LiveView({ interactive, color, columns: 80, chunkSeconds: 1, passes: 1, showLag: true, write: (s) => { text += s; }, now: () => (t += 1000) });
    return { view, text: () => text };
  };

  it('not a terminal: one plain line per chunk and per skip, no escape code at all', () => {
    const { view, text } = make(false, false);
    view.onLevel(-30, 8000);
    view.onChunk(event(0, 1.2, 1.1));
    view.onSkip({ index: 1, start: 1, seconds: 1, level: -20, skipped: 1 });
    view.onChunk(event(2, 1.0, 0.9));
    view.clear();
    expect(text().split('\n')).toEqual([
      'chunk 1  0:00.0–0:01.0  −21 dBFS  before 1.2  after 1.1  lag 0.2 s',
      'chunk 2: skipped (skipped 1 chunk: training slower than real time)',
      'chunk 3  0:02.0–0:03.0  −21 dBFS  before 1  after 0.9  lag 0.2 s',
      '',
    ]);
  });

  it('a terminal: redrawn in place (the cursor goes back up over the last drawing), the level, the lag and the skipped count', () => {
    const { view, text } = make(true, false);
    view.onChunk(event(0, 1.2, 1.1));
    const first = text();
    expect(first).not.toContain('\x1b[');
    const lines = first.trimEnd().split('\n').length;
    view.onSkip({ index: 1, start: 1, seconds: 1, level: -20, skipped: 2 });
    view.onLevel(-12, 4000);
    const redraw = text().slice(first.length);
    expect(redraw.startsWith(`\x1b[${lines}F\x1b[J`)).toBe(true);
    expect(redraw).toContain('loss per chunk');
    expect(redraw).toContain('skipped 2 chunks: training slower than real time');
    expect(redraw).toContain('capturing −12 dBFS');
    expect(redraw).toContain('lag 0.2 s');
    // NO_COLOR (color false): no colour codes, only cursor moves.
    expect(text().replace(/\x1b\[\d+F\x1b\[J/g, '')).not.toContain('\x1b[');
  });

  it('a notice (the phone sending silence): once as a warning line when not a terminal, a line of the view on one, until cleared', () => {
    const plain = make(false, false);
    plain.view.notice('the phone sends only silence: unlock it');
    plain.view.notice('the phone sends only silence: unlock it');
    plain.view.notice(null);
    expect(plain.text()).toBe('warning: the phone sends only silence: unlock it\n');
    const tty = make(true, false);
    tty.view.onChunk(event(0, 1.2, 1.1));
    tty.view.notice('the phone sends only silence: unlock it');
    const shown = tty.text();
    expect(shown.split('\x1b[').at(-1)).toContain('warning: the phone sends only silence: unlock it');
    tty.view.notice(null);
    expect(tty.text().slice(shown.length)).not.toContain('warning:');
  });

  it('with colour the two curves are coloured; clear() erases the drawing', () => {
    const { view, text } = make(true, true);
    view.onChunk(event(0, 1.2, 1.1));
    view.onChunk(event(1, 1.0, 0.8));
    expect(text()).toMatch(/\x1b\[3\dm/);
    const before = text().length;
    view.clear();
    expect(text().slice(before)).toMatch(/^\x1b\[\d+F\x1b\[J$/);
  });
});
