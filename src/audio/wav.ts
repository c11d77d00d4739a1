import { UserError, UsageError } from '../errors.js';
import { openAudio, type AudioStream } from './source.js';
import { SAMPLE_RATE as TARGET_RATE } from './frames.js';
import { limitOf, raiseHint } from '../util/limits.js';

export interface AudioSourceInfo {
  path: string;
  sampleRate: number;
  channels: number;
  /** e.g. "16-bit", "24-bit", "32-bit float", "8-bit µ-law", "IMA ADPCM", "MP3", "AAC (decoded by ffmpeg)" */
  encoding: string;
  /** Sample frames decoded from the file (per channel). */
  sampleFrames: number;
}

export interface LoadedAudio {
  /** 16 kHz mono 16-bit: exactly what `dlaudio convert` writes and what training divides by --scale. */
  samples: Int16Array;
  sampleRate: 16000;
  source: AudioSourceInfo;
  /** e.g. "48000 Hz stereo 24-bit → 16000 Hz mono 16-bit"; null when the file already is 16 kHz mono 16-bit PCM. */
  conversion: string | null;
  /** e.g. data chunk shorter than the header claims. */
  warnings: string[];
}

/** One training frame: 10 ms at 16 kHz. */
export const MIN_SAMPLES = 160;

/**
 * What holding one converted sample is counted at against LIMITS.audioBytes: what it cost before
 * the frames were read from the 16-bit samples (2 + 8 float64 + 4 for the kernel's float32 copy).
 * `train` now holds 6, a sweep 2 + 4 per thread: the count errs on the safe side (limits.ts).
 */
export const BYTES_PER_LOADED_SAMPLE = 14;

export interface LoadOptions {
  /** Skip this many seconds of the (converted) audio first. */
  start?: number;
  /** Keep at most this many seconds (from `start`). */
  seconds?: number;
  /** The samples in shared memory, for a worker thread to read without a copy (train's PCA). */
  shared?: boolean;
}

/**
 * Reads a recording (WAV, MP3, FLAC, Ogg Opus/Vorbis; M4A and others through ffmpeg) and converts
 * it to 16 kHz mono 16-bit the way `sox in.wav -r 16000 -c 1 -b 16 out.wav` would (channels
 * averaged, band-limited resampling, rounded and clipped to 16 bits), block by block: only the
 * result (the --start/--seconds window of it) is held, within the audioBytes limit (src/util/limits.ts).
 * Throws UserError (exit code 1) with one line naming the file for anything it cannot use.
 */
export async function loadAudio(path: string, opts: LoadOptions = {}): Promise<LoadedAudio> {
  const first = Math.floor((opts.start ?? 0) * TARGET_RATE);
  const limit = opts.seconds !== undefined ? Math.floor(opts.seconds * TARGET_RATE) : Infinity;
  const { stream, close } = await openAudio(path);
  try {
    const expected = stream.frames !== undefined ? Math.round((stream.frames * TARGET_RATE) / stream.format.sampleRate) : undefined;
    const keep = (total: number): number => Math.max(0, Math.min(limit, total - first));
    const budget = limitOf('audioBytes');
    if (expected !== undefined) checkBudget(path, budget, keep(expected), expected);
    const alloc = (length: number): Int16Array => (opts.shared ? new Int16Array(new SharedArrayBuffer(2 * length)) : new Int16Array(length));
    let out = alloc(expected !== undefined ? keep(expected) : 1 << 20);
    let kept = 0;
    const conv = new Converter(stream);
    for await (const block of conv.blocks(first + limit)) {
      const from = Math.max(0, first - (conv.produced - block.length));
      if (from >= block.length) continue;
      const take = block.subarray(from, from + Math.min(block.length - from, limit - kept));
      // Every block, not only when growing: a budget set below the first allocation holds too.
      checkBudget(path, budget, kept + take.length, undefined);
      if (kept + take.length > out.length) {
        const bigger = alloc(Math.max(kept + take.length, Math.ceil(out.length * 1.5)));
        bigger.set(out.subarray(0, kept));
        out = bigger;
      }
      out.set(take, kept);
      kept += take.length;
    }
    let samples = out;
    if (out.length !== kept) {
      samples = alloc(kept);
      samples.set(out.subarray(0, kept));
    }
    const result = conv.finish(path);
    if (opts.start !== undefined && kept === 0 && conv.produced > 0) {
      throw new UsageError(`--start ${opts.start} is past the end of ${path} (${(conv.produced / TARGET_RATE).toFixed(2)} s): give a smaller --start`);
    }
    return { ...result, samples };
  } finally {
    close();
  }
}

/**
 * `dlaudio convert`: the same conversion, written block by block to `write` (a 44-byte header first,
 * then the samples; the header is rewritten at the end with the real length).
 */
export async function convertAudio(path: string, write: (bytes: Uint8Array, position?: number) => Promise<void>): Promise<Omit<LoadedAudio, 'samples'> & { sampleCount: number }> {
  const { stream, close } = await openAudio(path);
  try {
    await write(wavHeader16(0, TARGET_RATE));
    const conv = new Converter(stream);
    for await (const block of conv.blocks(Infinity)) await write(int16Bytes(block));
    const result = conv.finish(path);
    await write(wavHeader16(conv.produced, TARGET_RATE), 0);
    return { ...result, sampleCount: conv.produced };
  } finally {
    close();
  }
}

/**
 * Any recording as 16 kHz mono 16-bit blocks, one at a time (`dlaudio live --wav`): the same
 * conversion as loadAudio, never the whole file in memory. `finish` says what was converted (and
 * refuses a file shorter than a frame); `close` releases the file (call it in a finally).
 */
export async function openConverted(path: string): Promise<{ converter: Converter; finish: () => Omit<LoadedAudio, 'samples'>; close: () => void }> {
  const { stream, close } = await openAudio(path);
  const converter = new Converter(stream);
  return { converter, finish: () => converter.finish(path), close };
}

/** A stream's blocks resampled to 16 kHz and rounded to 16 bits, with what to say about it. */
export class Converter {
  produced = 0;
  private clipped = 0;
  private sourceFrames = 0;

  constructor(private readonly stream: AudioStream) {}

  /** 16 kHz int16 blocks, stopping once `enough` samples have come out. */
  async *blocks(enough: number): AsyncGenerator<Int16Array> {
    const { format } = this.stream;
    // The resampler (WebAssembly) is loaded only for files that need it.
    const resampler = format.sampleRate === TARGET_RATE ? null : new (await import('./resample.js')).Resampler(format.sampleRate, TARGET_RATE);
    try {
      for await (const block of this.stream.blocks()) {
        this.sourceFrames += block.length;
        const out = this.toInt16(resampler ? resampler.push(block) : block);
        this.produced += out.length;
        yield out;
        if (this.produced >= enough) return;
      }
      if (resampler) {
        const out = this.toInt16(resampler.end());
        this.produced += out.length;
        yield out;
      }
    } finally {
      resampler?.close();
    }
  }

  finish(path: string): Omit<LoadedAudio, 'samples'> {
    const { format, warnings } = this.stream;
    const source: AudioSourceInfo = { path, sampleRate: format.sampleRate, channels: format.channels, encoding: format.encoding, sampleFrames: this.stream.frames ?? this.sourceFrames };
    const conversion = this.stream.plain16kMono ? null : `${format.sampleRate} Hz ${channelName(format.channels)} ${format.encoding} → ${TARGET_RATE} Hz mono 16-bit`;
    const all = [...warnings];
    if (this.clipped > 0) {
      all.push(`${this.clipped} sample${this.clipped > 1 ? 's' : ''} (${((100 * this.clipped) / Math.max(1, this.produced)).toFixed(2)}%) clipped at full scale when converting to 16-bit`);
    }
    if (this.produced < MIN_SAMPLES) {
      const what = conversion ? ' after conversion to 16 kHz' : '';
      throw new UserError(`${path}: too short: ${this.produced} sample${this.produced === 1 ? '' : 's'}${what} (${(this.produced / 16).toFixed(1)} ms), at least ${MIN_SAMPLES} samples (10 ms, one frame) at 16 kHz are needed`);
    }
    return { sampleRate: TARGET_RATE, source, conversion, warnings: all };
  }

  /** Round to nearest (ties up, as sox) and clip to the 16-bit range. */
  private toInt16(x: Float64Array): Int16Array {
    const out = new Int16Array(x.length);
    let clipped = 0; // a local, not the field, in the loop: 2× faster
    for (let i = 0; i < x.length; i++) {
      let v = Math.round(x[i]! * 32768);
      if (v > 32767) { v = 32767; clipped++; }
      else if (v < -32768) { v = -32768; clipped++; }
      out[i] = v;
    }
    this.clipped += clipped;
    return out;
  }
}

function checkBudget(path: string, budget: number, keep: number, whole: number | undefined): void {
  const maxSamples = Math.floor(budget / BYTES_PER_LOADED_SAMPLE);
  if (keep <= maxSamples) return;
  const minutes = (n: number): string => (n < 60 * TARGET_RATE ? `${(n / TARGET_RATE).toFixed(1)} s` : `${(n / TARGET_RATE / 60).toFixed(1)} min`);
  const length = whole !== undefined ? `${minutes(whole)} of audio` : `more than ${minutes(keep)} of audio`;
  // Whole minutes when a minute fits (the default budget holds 79), else whole seconds.
  const fitSeconds = Math.floor(maxSamples / TARGET_RATE);
  const fits = fitSeconds >= 60 ? Math.floor(fitSeconds / 60) * 60 : fitSeconds;
  const fitsText = fits >= 60 ? `${fits / 60} min` : `${fits} s`;
  throw new UserError(`${path}: ${length}: working on ${minutes(keep)} at once would take ~${memory(keep * BYTES_PER_LOADED_SAMPLE)} of memory (dlaudio keeps under ${memory(budget)}, ${fitsText}): take a part with --seconds (up to ${fits}) and --start (dlaudio train), or cut one first, e.g. \`sox in.wav part.wav trim 0 ${Math.min(600, fits)}\`; ${raiseHint('audioBytes')}`);
}

/** "1 GB", "1.4 GB" (binary units, as the budget is set); "12 MB", "1.1 MB" below a tenth of a GB. */
function memory(bytes: number): string {
  const gb = bytes / 1024 ** 3;
  if (gb >= 0.1) return `${Number.isInteger(gb) ? gb : gb.toFixed(1)} GB`;
  const mb = bytes / 1024 ** 2;
  return `${mb >= 10 ? Math.round(mb) : mb.toFixed(1)} MB`;
}

/** A 16-bit PCM WAV file with the canonical 44-byte header. */
export function encodeWav16(samples: Int16Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  out.set(wavHeader16(samples.length, sampleRate));
  out.set(int16Bytes(samples), 44);
  return out;
}

/** The canonical 44-byte header of a 16-bit mono PCM WAV holding `samples` samples. */
export function wavHeader16(samples: number, sampleRate: number): Uint8Array {
  const dataBytes = samples * 2;
  const out = new Uint8Array(44);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
  return out;
}

export function int16Bytes(samples: Int16Array): Uint8Array {
  // A WAV file is little-endian, and so is every machine Node runs on here (checked once).
  if (LITTLE_ENDIAN) return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = new Uint8Array(samples.length * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) v.setInt16(2 * i, samples[i]!, true);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function channelName(n: number): string {
  return n === 1 ? 'mono' : n === 2 ? 'stereo' : `${n}-channel`;
}
