/**
 * `dlaudio live --wav FILE`: a recording read as if it were arriving from a microphone, as a
 * PcmStream. Any format openAudio reads, converted to 16 kHz mono 16-bit block by block exactly as
 * `train` converts it (never whole in memory). As fast as the reader goes by default; with
 * `realtime`, each block is handed over only once its sound would have been captured, the way the
 * phone delivers it.
 */
import { openConverted } from './wav.js';
import type { LoadedAudio } from './wav.js';
import type { PcmStream } from './pcm-stream.js';
import { SAMPLE_RATE } from './frames.js';

/** What a microphone hands over at a time: 0.1 s (the phone's recorder reads about this much too). */
export const REALTIME_BLOCK = SAMPLE_RATE / 10;

export interface FileStreamOptions {
  /** Pace the blocks at the speed of sound. */
  realtime?: boolean;
  /** Waits until `ms` after the first block was asked for (tests pass a fake clock). */
  waitUntil?: (ms: number) => Promise<void>;
}

export interface FileStream extends PcmStream {
  /** After the last block: what was converted, and warnings (clipping, a truncated file…). */
  finish(): Omit<LoadedAudio, 'samples'>;
}

/** A wall clock that starts at the first call. */
function wallClock(): (ms: number) => Promise<void> {
  let start: number | undefined;
  return async (ms) => {
    start ??= performance.now();
    const wait = start + ms - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
  };
}

export async function openFileStream(path: string, opts: FileStreamOptions = {}): Promise<FileStream> {
  const { converter, finish, close } = await openConverted(path);
  let closed = false;
  let iterating = false;
  const waitUntil = opts.waitUntil ?? wallClock();
  return {
    sampleRate: SAMPLE_RATE,
    label: path,
    finish,
    async *blocks() {
      iterating = true;
      try {
        let delivered = 0;
        for await (const block of converter.blocks(Infinity)) {
          if (!opts.realtime) {
            if (closed) return;
            if (block.length > 0) yield block;
            continue;
          }
          // The block's sound is "captured" once its last sample's time has passed.
          for (let at = 0; at < block.length; at += REALTIME_BLOCK) {
            const piece = block.subarray(at, Math.min(block.length, at + REALTIME_BLOCK));
            await waitUntil(((delivered + piece.length) * 1000) / SAMPLE_RATE);
            if (closed) return;
            delivered += piece.length;
            yield piece;
          }
        }
      } finally {
        close();
      }
    },
    async close() {
      closed = true;
      // While blocks() runs, it releases the file itself when it sees `closed`.
      if (!iterating) close();
    },
  };
}
