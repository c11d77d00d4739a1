/**
 * MP3, FLAC, Ogg Opus and Ogg Vorbis, decoded in-process by the wasm-audio-decoders (mpg123,
 * libFLAC, libopus, libvorbis compiled to WebAssembly; MIT/BSD), fed 64 KB of the file at a time.
 * Each decoder is imported only when a file needs it.
 */
import type { ByteReader } from './riff.js';
import type { AudioStream } from './source.js';

const READ_BYTES = 65536;

interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: unknown[];
}

interface Decoder {
  ready: Promise<void>;
  decode(bytes: Uint8Array): Decoded | Promise<Decoded>;
  flush?: () => Promise<Decoded>;
  free(): void;
}

const NAMES = { mp3: 'MP3', flac: 'FLAC', opus: 'Ogg Opus', vorbis: 'Ogg Vorbis' } as const;
type Kind = keyof typeof NAMES;

async function makeDecoder(kind: Kind): Promise<Decoder> {
  switch (kind) {
    case 'mp3': return new (await import('mpg123-decoder')).MPEGDecoder();
    case 'flac': return new (await import('@wasm-audio-decoders/flac')).FLACDecoder();
    case 'opus': return new (await import('ogg-opus-decoder')).OggOpusDecoder();
    case 'vorbis': return new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder();
  }
}

/** Decodes until the first samples come out: they tell the rate and channel count. */
export async function openCompressed(file: ByteReader, kind: Kind): Promise<AudioStream> {
  const decoder = await makeDecoder(kind);
  await decoder.ready;
  const warnings: string[] = [];
  // The Ogg decoders' flush() turns a cut-off last page into seconds of noise: a file that stops
  // mid-page (a voice message still downloading) is decoded to its last whole page only.
  const cut = (kind === 'opus' || kind === 'vorbis') && !oggEndsCleanly(file);
  if (cut) warnings.push('the file is truncated (it stops in the middle of an Ogg page): decoded up to the last whole page');
  const flush = cut ? undefined : decoder.flush?.bind(decoder);
  // libFLAC's samples come scaled by 1/(2^(bits−1) − 1); WAV and sox use 1/2^(bits−1).
  const rescale = kind === 'flac';
  let errors = 0;
  let at = 0;
  const next = async (): Promise<Decoded | null> => {
    while (at < file.length) {
      const bytes = file.read(at, READ_BYTES);
      at += bytes.length;
      const d = await decoder.decode(bytes);
      errors += d.errors.length;
      if (d.samplesDecoded > 0) return d;
    }
    return null;
  };
  let first: Decoded | null;
  try {
    first = await next();
    if (!first && flush) first = await flush();
  } catch (e) {
    decoder.free();
    throw new Error(`could not decode this ${NAMES[kind]} file (${e instanceof Error ? e.message : String(e)}): is it damaged? Play it, or convert it with ffmpeg`);
  }
  if (!first || first.samplesDecoded === 0) {
    decoder.free();
    throw new Error(`it looks like ${NAMES[kind]} but holds no audio that decodes${errors ? ` (${errors} damaged frames)` : ''}: export or record it again`);
  }
  // mpg123-decoder always hands out two channels: a mono MP3 comes twice, the same samples.
  const channels = kind === 'mp3' && mp3IsMono(file) ? 1 : first.channelData.length;
  const sampleRate = first.sampleRate;
  const mix = (d: Decoded): Float64Array => mixChannels(d.channelData.length > channels ? { ...d, channelData: d.channelData.slice(0, channels) } : d, rescale);

  async function* blocks(): AsyncGenerator<Float64Array> {
    try {
      let d: Decoded | null = first;
      while (d) {
        if (d.samplesDecoded > 0) {
          if (d.sampleRate !== sampleRate || d.channelData.length < channels) {
            throw new Error(`its sample rate or channel count changes midway (${sampleRate} Hz × ${channels} → ${d.sampleRate} Hz × ${d.channelData.length}): convert it with ffmpeg first`);
          }
          yield mix(d);
        }
        d = await next();
      }
      if (flush) {
        const tail = await flush();
        errors += tail.errors.length;
        if (tail.samplesDecoded > 0) yield mix(tail);
      }
      if (errors > 0) warnings.push(`${errors} damaged ${NAMES[kind]} frame${errors > 1 ? 's' : ''} skipped while decoding (the file may be truncated or corrupt)`);
    } finally {
      decoder.free();
    }
  }
  return {
    format: { sampleRate, channels, encoding: NAMES[kind] },
    plain16kMono: false,
    warnings,
    blocks,
  };
}

function mixChannels(d: Decoded & { bitDepth?: number }, rescale: boolean): Float64Array {
  const n = d.samplesDecoded;
  const out = new Float64Array(n);
  const chans = d.channelData;
  const full = 2 ** ((d.bitDepth ?? 16) - 1);
  for (const ch of chans) {
    if (rescale) for (let i = 0; i < n; i++) out[i] += Math.round(ch[i]! * (full - 1)) / full;
    else for (let i = 0; i < n; i++) out[i] += ch[i]!;
  }
  if (chans.length > 1) for (let i = 0; i < n; i++) out[i] /= chans.length;
  return out;
}

/** The channel mode of the first MPEG audio frame (after an ID3v2 tag) is 3: single channel. */
function mp3IsMono(file: ByteReader): boolean {
  const head = file.read(0, 10);
  let at = 0;
  if (head[0] === 0x49 && head[1] === 0x44 && head[2] === 0x33) {
    at = 10 + ((head[6]! & 0x7f) << 21 | (head[7]! & 0x7f) << 14 | (head[8]! & 0x7f) << 7 | (head[9]! & 0x7f));
  }
  const bytes = file.read(at, 4096);
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 0xff && (bytes[i + 1]! & 0xe0) === 0xe0 && (bytes[i + 1]! & 0x06) !== 0) return bytes[i + 3]! >> 6 === 3;
  }
  return false;
}

/** The last Ogg page is whole and marked end-of-stream. */
function oggEndsCleanly(file: ByteReader): boolean {
  const from = Math.max(0, file.length - 70_000); // an Ogg page is at most 65 307 bytes
  const tail = file.read(from, file.length - from);
  for (let at = tail.length - 27; at >= 0; at--) {
    if (tail[at] !== 0x4f || tail[at + 1] !== 0x67 || tail[at + 2] !== 0x67 || tail[at + 3] !== 0x53) continue; // OggS
    const segments = tail[at + 26]!;
    let body = 0;
    for (let i = 0; i < segments; i++) body += tail[at + 27 + i] ?? 0;
    return at + 27 + segments + body === tail.length && (tail[at + 5]! & 0x04) !== 0;
  }
  return false;
}
