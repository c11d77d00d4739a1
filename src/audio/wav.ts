import { readFileSync, statSync } from 'node:fs';
import wavefile from 'wavefile';
import { UserError } from '../errors.js';
import { walkRiff, type RiffChunk } from './riff.js';
import { parseFmt, type WavFormat } from './wav-format.js';
import { decodeImaAdpcm } from './ima-adpcm.js';
import { resampleTo16k, TARGET_RATE } from './resample.js';

export interface AudioSourceInfo {
  path: string;
  sampleRate: number;
  channels: number;
  /** e.g. "16-bit", "24-bit", "32-bit float", "8-bit µ-law", "IMA ADPCM" */
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
 * Beyond these the Float64 working copies would need gigabytes; training clips
 * are seconds long (20 M samples: 21 min of 16 kHz mono, 3.5 min of 48 kHz stereo).
 */
const MAX_FILE_BYTES = 1024 ** 3;
const MAX_SAMPLES = 20_000_000;

/**
 * Reads a WAV file and converts it to 16 kHz mono 16-bit, the way
 * `sox in.wav -r 16000 -c 1 -b 16 out.wav` would (channels averaged,
 * band-limited resampling, rounded and clipped to 16 bits).
 * Throws UserError (exit code 1) with one line naming the file for anything it cannot use.
 */
export function loadWav(path: string): LoadedAudio {
  const bytes = readWavBytes(path);
  const fail = (problem: string): UserError => new UserError(`${path}: ${problem}`);

  const riff = walkRiff(bytes);
  if (!riff.ok) throw fail(riff.problem);
  const fmtChunk = riff.chunks.find((c) => c.id === 'fmt ');
  const dataChunk = riff.chunks.find((c) => c.id === 'data');
  if (!fmtChunk) throw fail('not a usable WAV file: it has no "fmt " chunk (the header is damaged: export or record the file again)');
  const parsed = parseFmt(bytes.subarray(fmtChunk.start, fmtChunk.start + fmtChunk.size));
  if (!parsed.ok) throw fail(parsed.problem);
  const format = parsed.format;
  if (!dataChunk) throw fail('it has no audio (no "data" chunk): export or record the file again');

  const warnings: string[] = [];
  const data = audioBytes(bytes, dataChunk, format, warnings);
  const frames = countFrames(data.length, format);
  if (frames * format.channels > MAX_SAMPLES || (frames * TARGET_RATE) / format.sampleRate > MAX_SAMPLES) {
    const minutes = frames / format.sampleRate / 60;
    throw fail(`it is too long (${minutes.toFixed(1)} min of ${channelName(format.channels)} audio); cut it first, e.g. \`sox in.wav out.wav trim 0 60\``);
  }

  let interleaved: Float64Array;
  try {
    interleaved = decode(data, format, factFrames(bytes, riff.chunks));
  } catch (e) {
    // Our checks above should make this unreachable; still one line, never a stack.
    throw new UserError(`${path}: could not decode its ${format.encoding} audio (${e instanceof Error ? e.message : String(e)})`, 1, { cause: e });
  }
  const sourceFrames = interleaved.length / format.channels;
  const mono = mixDown(interleaved, format.channels);
  const resampled = resampleTo16k(mono, format.sampleRate);
  const { samples, clipped } = toInt16(resampled);

  const source: AudioSourceInfo = {
    path,
    sampleRate: format.sampleRate,
    channels: format.channels,
    encoding: format.encoding,
    sampleFrames: sourceFrames,
  };
  const alreadyTarget = format.sampleRate === TARGET_RATE && format.channels === 1 && format.encoding === '16-bit' && format.coding.kind === 'pcm';
  const conversion = alreadyTarget
    ? null
    : `${format.sampleRate} Hz ${channelName(format.channels)} ${format.encoding} → ${TARGET_RATE} Hz mono 16-bit`;

  if (clipped > 0) {
    warnings.push(`${clipped} sample${clipped > 1 ? 's' : ''} (${((100 * clipped) / samples.length).toFixed(2)}%) clipped at full scale when converting to 16-bit`);
  }
  if (samples.length < MIN_SAMPLES) {
    const what = conversion ? ' after conversion to 16 kHz' : '';
    throw fail(`too short: ${samples.length} sample${samples.length === 1 ? '' : 's'}${what} (${(samples.length / 16).toFixed(1)} ms), at least ${MIN_SAMPLES} samples (10 ms, one frame) at 16 kHz are needed`);
  }
  return { samples, sampleRate: TARGET_RATE, source, conversion, warnings };
}

/** A 16-bit PCM WAV file with the canonical 44-byte header. */
export function encodeWav16(samples: Int16Array, sampleRate: number): Uint8Array {
  const channels = 1;
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(44 + dataBytes);
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
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels * 2, true);
  v.setUint16(32, channels * 2, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) v.setInt16(44 + 2 * i, samples[i]!, true);
  return out;
}

function readWavBytes(path: string): Uint8Array {
  if (path === '') throw new UserError('no WAV file given');
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UserError(`${path} is a directory, not a WAV file: give the path of a .wav file`);
    if (!st.isFile()) throw new UserError(`${path} is not a regular file (a device or a pipe?): give the path of a .wav file`);
    size = st.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(fsProblem(path, e), 1, { cause: e });
  }
  if (size > MAX_FILE_BYTES) throw new UserError(`${path}: too large (${(size / 1024 ** 3).toFixed(1)} GB; dlaudio reads WAV files up to 1 GB)`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UserError(fsProblem(path, e), 1, { cause: e });
  }
}

function fsProblem(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `${path}: no such file: check the name and the folder (\`ls\` lists what is there)`;
  if (code === 'EACCES' || code === 'EPERM') return `${path}: permission denied: make the file readable (\`chmod u+r\`) or copy it somewhere you own`;
  if (code === 'EISDIR') return `${path} is a directory, not a WAV file: give the path of a .wav file`;
  return `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`;
}

/** The bytes of the data chunk we can decode, with a warning when the file holds less than its header says. */
function audioBytes(bytes: Uint8Array, chunk: RiffChunk, format: WavFormat, warnings: string[]): Uint8Array {
  let data = bytes.subarray(chunk.start, chunk.start + chunk.size);
  if (chunk.size !== chunk.declaredSize) {
    const seconds = countFrames(data.length, format) / format.sampleRate;
    warnings.push(
      chunk.declaredSize === 0xffffffff || chunk.declaredSize === 0
        ? `its header does not give the audio length (a recording that was not closed properly?): using the ${data.length} bytes to the end of the file (${seconds.toFixed(2)} s)`
        : `its data chunk claims ${chunk.declaredSize} bytes but the file ends after ${data.length}: using the ${seconds.toFixed(2)} s present (the file is truncated)`,
    );
  }
  if (format.coding.kind !== 'ima-adpcm') {
    const whole = data.length - (data.length % format.blockAlign);
    if (whole !== data.length) {
      if (chunk.size === chunk.declaredSize) warnings.push(`its data chunk ends with ${data.length - whole} byte(s) of an incomplete sample frame: ignored`);
      data = data.subarray(0, whole);
    }
  }
  return data;
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
function factFrames(bytes: Uint8Array, chunks: RiffChunk[]): number | undefined {
  const fact = chunks.find((c) => c.id === 'fact');
  if (!fact || fact.size < 4) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset + fact.start, 4).getUint32(0, true);
}

/** Interleaved samples scaled to [-1, 1), full scale = 2^(bits−1) as sox does. */
function decode(data: Uint8Array, format: WavFormat, fact: number | undefined): Float64Array {
  const { coding, channels } = format;
  if (coding.kind === 'ima-adpcm') {
    const pcm = decodeImaAdpcm(data, channels, format.blockAlign, fact);
    return scale(pcm, 1 / 32768, 0);
  }
  // wavefile reads the samples from a clean header we write ourselves, so it never
  // sees an extensible header, a pad byte or a size field that does not match the data.
  const wav = new wavefile.WaveFile(pcmContainer(data, format));
  if (coding.kind === 'mulaw') wav.fromMuLaw();
  else if (coding.kind === 'alaw') wav.fromALaw();
  const raw = wav.getSamples(true, Float64Array);
  switch (coding.kind) {
    case 'mulaw':
    case 'alaw':
      return scale(raw, 1 / 32768, 0);
    case 'float':
      return raw;
    case 'pcm':
      // 8-bit WAV is unsigned, centred on 128.
      return coding.bytesPerSample === 1 ? scale(raw, 1 / 128, -128) : scale(raw, 2 ** -(8 * coding.bytesPerSample - 1), 0);
  }
}

function pcmContainer(data: Uint8Array, format: WavFormat): Uint8Array {
  const { coding } = format;
  const [tag, bits] =
    coding.kind === 'pcm' ? [1, 8 * coding.bytesPerSample]
    : coding.kind === 'float' ? [3, 8 * coding.bytesPerSample]
    : coding.kind === 'alaw' ? [6, 8]
    : coding.kind === 'mulaw' ? [7, 8]
    : [0, 0];
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
  v.setUint16(34, bits, true);
  out.set([0x64, 0x61, 0x74, 0x61], 36); // data
  v.setUint32(40, data.length, true);
  out.set(data, 44);
  return out;
}

function scale(x: ArrayLike<number>, factor: number, offset: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i]! + offset) * factor;
  return out;
}

function mixDown(interleaved: Float64Array, channels: number): Float64Array {
  if (channels === 1) return interleaved;
  const frames = interleaved.length / channels;
  const out = new Float64Array(frames);
  for (let f = 0, i = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[i++]!;
    out[f] = sum / channels;
  }
  return out;
}

/** Round to nearest (ties up, as sox) and clip to the 16-bit range. */
function toInt16(x: Float64Array): { samples: Int16Array; clipped: number } {
  const out = new Int16Array(x.length);
  let clipped = 0;
  for (let i = 0; i < x.length; i++) {
    let v = Math.round(x[i]! * 32768);
    if (v > 32767) { v = 32767; clipped++; }
    else if (v < -32768) { v = -32768; clipped++; }
    out[i] = v;
  }
  return { samples: out, clipped };
}

function channelName(n: number): string {
  return n === 1 ? 'mono' : n === 2 ? 'stereo' : `${n}-channel`;
}
