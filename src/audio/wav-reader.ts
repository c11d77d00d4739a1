/**
 * A WAV file read block by block: the header is walked with positioned reads (riff.ts), then the
 * data chunk is decoded 64 K sample frames at a time and mixed down to mono, so a file of any
 * length costs a few hundred kilobytes of memory here.
 */
import { readSync } from 'node:fs';
import { walkRiff, type ByteReader, type RiffChunk } from './riff.js';
import { parseFmt, type WavFormat } from './wav-format.js';
import { decodeImaAdpcm } from './ima-adpcm.js';
import { mixDown } from './mix.js';
import type { AudioStream } from './source.js';

/** Sample frames per block read (256 KB of 16-bit stereo). */
const BLOCK_FRAMES = 65536;

export function fileReader(fd: number, length: number): ByteReader {
  return {
    length,
    read(at, n) {
      const buf = new Uint8Array(Math.max(0, Math.min(n, length - at)));
      let got = 0;
      while (got < buf.length) {
        const r = readSync(fd, buf, got, buf.length - got, at + got);
        if (r === 0) break;
        got += r;
      }
      return buf.subarray(0, got);
    },
  };
}

/** Throws a plain Error whose message is the problem (source.ts names the file). */
export function openWav(file: ByteReader): AudioStream {
  const riff = walkRiff(file);
  if (!riff.ok) throw new Error(riff.problem);
  const fmtChunk = riff.chunks.find((c) => c.id === 'fmt ');
  const dataChunk = riff.chunks.find((c) => c.id === 'data');
  if (!fmtChunk) throw new Error('not a usable WAV file: it has no "fmt " chunk (the header is damaged: export or record the file again)');
  const parsed = parseFmt(file.read(fmtChunk.start, fmtChunk.size));
  if (!parsed.ok) throw new Error(parsed.problem);
  const format = parsed.format;
  if (!dataChunk) throw new Error('it has no audio (no "data" chunk): export or record the file again');

  const warnings: string[] = [];
  const dataBytes = audioBytes(dataChunk, format, warnings);
  const fact = factFrames(file, riff.chunks);
  let frames = countFrames(dataBytes, format);
  if (format.coding.kind === 'ima-adpcm' && fact !== undefined && fact > 0 && fact < frames) frames = fact;
  return {
    format: { sampleRate: format.sampleRate, channels: format.channels, encoding: format.encoding },
    plain16kMono: format.sampleRate === 16000 && format.channels === 1 && format.coding.kind === 'pcm' && format.coding.bytesPerSample === 2,
    frames,
    warnings,
    blocks: () => wavBlocks(file, dataChunk.start, dataBytes, format, frames),
  };
}

async function* wavBlocks(file: ByteReader, start: number, dataBytes: number, format: WavFormat, frames: number): AsyncGenerator<Float64Array> {
  const { coding, channels } = format;
  if (coding.kind === 'ima-adpcm') {
    // Whole ADPCM blocks at a time; the fact chunk's count trims the padding of the last one.
    const blocksPerRead = Math.max(1, Math.floor(BLOCK_FRAMES / coding.samplesPerBlock));
    const step = blocksPerRead * format.blockAlign;
    let left = frames;
    for (let at = 0; at < dataBytes && left > 0; at += step) {
      const pcm = decodeImaAdpcm(file.read(start + at, Math.min(step, dataBytes - at)), channels, format.blockAlign, left);
      const got = Math.min(left, pcm.length / channels);
      left -= got;
      yield mixDown(pcm.subarray(0, got * channels), channels, 1 / 32768, 0);
    }
    return;
  }
  const g711 = coding.kind === 'mulaw' || coding.kind === 'alaw' ? await loadG711(coding.kind) : null;
  const step = BLOCK_FRAMES * format.blockAlign;
  for (let at = 0; at < dataBytes; at += step) {
    const bytes = file.read(start + at, Math.min(step, dataBytes - at));
    if (g711) yield mixDown(g711(bytes, format), channels, 1 / 32768, 0);
    else yield decodePcm(bytes, format);
  }
}

/**
 * PCM and float samples, scaled to [-1, 1) with full scale = 2^(bits−1) as sox does, mixed to mono.
 * Typed-array views read the little-endian samples directly (every machine Node runs on here is
 * little-endian); `read` hands out fresh, aligned buffers.
 */
function decodePcm(bytes: Uint8Array, format: WavFormat): Float64Array {
  const { coding, channels } = format;
  const n = Math.floor(bytes.length / format.blockAlign) * channels;
  const aligned = (size: number): ArrayBuffer => (bytes.byteOffset % size === 0 ? bytes.buffer as ArrayBuffer : bytes.slice().buffer as ArrayBuffer);
  const offset = (size: number): number => (bytes.byteOffset % size === 0 ? bytes.byteOffset : 0);
  if (coding.kind === 'float') {
    const x = coding.bytesPerSample === 4 ? new Float32Array(aligned(4), offset(4), n) : new Float64Array(aligned(8), offset(8), n);
    return mixDown(x, channels);
  }
  switch (coding.kind === 'pcm' ? coding.bytesPerSample : 0) {
    case 1: return mixDown(bytes.subarray(0, n), channels, 1 / 128, -128); // 8-bit WAV is unsigned, centred on 128
    case 2: return mixDown(new Int16Array(aligned(2), offset(2), n), channels, 1 / 32768);
    case 3: {
      const x = new Int32Array(n);
      for (let i = 0, at = 0; i < n; i++, at += 3) x[i] = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) << 8 >> 8;
      return mixDown(x, channels, 1 / 8388608);
    }
    case 4: return mixDown(new Int32Array(aligned(4), offset(4), n), channels, 1 / 2147483648);
    default: throw new Error(`no PCM decoder for ${format.encoding}`);
  }
}

type G711 = (bytes: Uint8Array, format: WavFormat) => ArrayLike<number>;

/**
 * µ-law and A-law through wavefile's tables (loaded only for such files). wavefile reads a clean
 * header we write ourselves, so it never sees an extensible header, a pad byte or a size field that
 * does not match the data.
 */
async function loadG711(kind: 'mulaw' | 'alaw'): Promise<G711> {
  const { default: wavefile } = await import('wavefile');
  return (bytes, format) => {
    const wav = new wavefile.WaveFile(g711Container(bytes, format, kind === 'mulaw' ? 7 : 6));
    if (kind === 'mulaw') wav.fromMuLaw();
    else wav.fromALaw();
    return wav.getSamples(true, Float64Array);
  };
}

function g711Container(data: Uint8Array, format: WavFormat, tag: number): Uint8Array {
  const out = new Uint8Array(44 + data.length);
  const v = new DataView(out.buffer);
  out.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  v.setUint32(4, 36 + data.length, true);
  out.set([0x57, 0x41, 0x56, 0x45, 0x66, 0x6d, 0x74, 0x20], 8); // WAVEfmt␠
  v.setUint32(16, 16, true);
  v.setUint16(20, tag, true);
  v.setUint16(22, format.channels, true);
  v.setUint32(24, format.sampleRate, true);
  v.setUint32(28, format.sampleRate * format.blockAlign, true);
  v.setUint16(32, format.blockAlign, true);
  v.setUint16(34, 8, true);
  out.set([0x64, 0x61, 0x74, 0x61], 36); // data
  v.setUint32(40, data.length, true);
  out.set(data, 44);
  return out;
}

/** The bytes of the data chunk we can decode, with a warning when the file holds less than its header says. */
function audioBytes(chunk: RiffChunk, format: WavFormat, warnings: string[]): number {
  let size = chunk.size;
  if (chunk.size !== chunk.declaredSize) {
    const seconds = countFrames(size, format) / format.sampleRate;
    warnings.push(
      chunk.declaredSize === 0xffffffff || chunk.declaredSize === 0
        ? `its header does not give the audio length (a recording that was not closed properly?): using the ${size} bytes to the end of the file (${seconds.toFixed(2)} s)`
        : `its data chunk claims ${chunk.declaredSize} bytes but the file ends after ${size}: using the ${seconds.toFixed(2)} s present (the file is truncated)`,
    );
  }
  if (format.coding.kind !== 'ima-adpcm') {
    const whole = size - (size % format.blockAlign);
    if (whole !== size) {
      if (chunk.size === chunk.declaredSize) warnings.push(`its data chunk ends with ${size - whole} byte(s) of an incomplete sample frame: ignored`);
      size = whole;
    }
  }
  return size;
}

function countFrames(dataBytes: number, format: WavFormat): number {
  if (format.coding.kind === 'ima-adpcm') {
    const { samplesPerBlock } = format.coding;
    const full = Math.floor(dataBytes / format.blockAlign);
    const rest = dataBytes - full * format.blockAlign;
    const group = 4 * format.channels;
    return full * samplesPerBlock + (rest >= group ? 1 + 8 * Math.floor((rest - group) / group) : 0);
  }
  return Math.floor(dataBytes / format.blockAlign);
}

/** The sample count the `fact` chunk gives (compressed formats only), if any. */
function factFrames(file: ByteReader, chunks: RiffChunk[]): number | undefined {
  const fact = chunks.find((c) => c.id === 'fact');
  if (!fact || fact.size < 4) return undefined;
  const b = file.read(fact.start, 4);
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
}
