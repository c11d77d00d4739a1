/**
 * Opens any recording dlaudio can read, whatever its name: the format is told from the first bytes.
 * WAV is ours (wav-reader.ts); MP3, FLAC, Ogg Opus and Ogg Vorbis go through the
 * wasm-audio-decoders (compressed.ts); MP4/M4A (AAC), AIFF, AMR, WebM… through ffmpeg when it is
 * installed (ffmpeg.ts). Every one yields mono blocks at the file's own rate, one at a time.
 */
import { closeSync, openSync, fstatSync, statSync } from 'node:fs';
import { UserError } from '../errors.js';
import { fileReader, openWav } from './wav-reader.js';
import type { ByteReader } from './riff.js';

export interface AudioStream {
  format: { sampleRate: number; channels: number; encoding: string };
  /** 16 kHz mono 16-bit PCM: what training uses, copied unchanged. */
  plain16kMono: boolean;
  /** Sample frames the file holds, when its header says. */
  frames?: number;
  /** Found while opening (a truncated file…); decoders may add more while decoding. */
  warnings: string[];
  /** Mono samples at format.sampleRate, full scale ±1, block after block. */
  blocks(): AsyncGenerator<Float64Array>;
}

export type Detected =
  | { kind: 'wav' }
  | { kind: 'mp3' | 'flac' | 'opus' | 'vorbis' }
  | { kind: 'ffmpeg'; what: string }
  | { kind: 'unknown' };

/** What the first bytes say the file is (the extension is never looked at). */
export function detectFormat(head: Uint8Array): Detected {
  const ascii = (from: number, to: number): string => String.fromCharCode(...head.subarray(from, to));
  const id = ascii(0, 4);
  if (['RIFF', 'RIFX', 'RF64', 'BW64'].includes(id) && ascii(8, 12) === 'WAVE') return { kind: 'wav' };
  if (id === 'fLaC') return { kind: 'flac' };
  if (id === 'OggS') {
    // The first page holds the codec's identification header right after its segment table.
    const body = 27 + (head[26] ?? 0);
    const packet = ascii(body, body + 8);
    if (packet === 'OpusHead') return { kind: 'opus' };
    if (packet.slice(1, 7) === 'vorbis') return { kind: 'vorbis' };
    return { kind: 'ffmpeg', what: `an Ogg file (${packet.slice(1, 5).replace(/[^ -~]/g, '') || 'unknown codec'})` };
  }
  if (ascii(4, 8) === 'ftyp') return { kind: 'ffmpeg', what: `an MP4/M4A file (${ascii(8, 12).trim()}: usually AAC)` };
  if (ascii(0, 3) === 'ID3') return { kind: 'mp3' };
  if (head[0] === 0xff && (head[1]! & 0xe0) === 0xe0) {
    // MPEG audio frame sync; layer bits 00 mean an AAC ADTS stream instead.
    return (head[1]! & 0x06) !== 0 ? { kind: 'mp3' } : { kind: 'ffmpeg', what: 'an AAC (ADTS) stream' };
  }
  if (id === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(8, 12))) return { kind: 'ffmpeg', what: 'an AIFF file' };
  if (ascii(0, 5) === '#!AMR') return { kind: 'ffmpeg', what: 'an AMR voice recording' };
  if (id === '\x1a\x45\xdf\xa3') return { kind: 'ffmpeg', what: 'a WebM/Matroska file' };
  if (id === 'caff') return { kind: 'ffmpeg', what: 'a Core Audio (CAF) file' };
  return { kind: 'unknown' };
}

/** Opens the file and its decoder; `close` releases the file (call it in a finally). */
export async function openAudio(path: string): Promise<{ stream: AudioStream; close: () => void }> {
  const fd = openFile(path);
  let closed = false;
  const close = (): void => {
    if (!closed) closeSync(fd);
    closed = true;
  };
  try {
    const file = fileReader(fd, fstatSync(fd).size);
    const fail = (problem: string, cause?: unknown): UserError => new UserError(`${path}: ${problem}`, 1, cause === undefined ? undefined : { cause });
    if (file.length === 0) throw fail('the file is empty');
    const detected = detectFormat(file.read(0, 64));
    const stream = await openDetected(path, file, detected).catch((e: unknown) => {
      if (e instanceof UserError) throw e;
      throw fail(e instanceof Error ? e.message : String(e), e);
    });
    return { stream, close };
  } catch (e) {
    close();
    throw e;
  }
}

async function openDetected(path: string, file: ByteReader, detected: Detected): Promise<AudioStream> {
  switch (detected.kind) {
    case 'wav':
    case 'unknown':
      // walkRiff names what it is not (and what it looks like) for unknown files.
      return openWav(file);
    case 'ffmpeg': {
      const { openWithFfmpeg } = await import('./ffmpeg.js');
      return openWithFfmpeg(path, detected.what);
    }
    default: {
      const { openCompressed } = await import('./compressed.js');
      return openCompressed(file, detected.kind);
    }
  }
}

function openFile(path: string): number {
  if (path === '') throw new UserError('no audio file given');
  try {
    // stat first: opening a pipe would wait for a writer.
    const st = statSync(path);
    if (st.isDirectory()) throw new UserError(`${path} is a directory, not a WAV file: give the path of a .wav file (or MP3, M4A, Opus, FLAC…)`);
    if (!st.isFile()) throw new UserError(`${path} is not a regular file (a device or a pipe?): give the path of a .wav file`);
    return openSync(path, 'r');
  } catch (e) {
    if (e instanceof UserError) throw e;
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
