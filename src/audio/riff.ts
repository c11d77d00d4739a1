/**
 * A bounds-checked walk over the chunks of a RIFF/WAVE file.
 *
 * We do this ourselves instead of trusting wavefile's parser because that
 * parser believes every size field: a truncated data chunk, a pad byte after
 * an odd-sized chunk or a corrupt `cue ` count would either be read as audio
 * or make it loop for a very long time.
 */

export interface RiffChunk {
  id: string;
  /** Offset of the chunk body in the file. */
  start: number;
  /** Size the chunk header claims. */
  declaredSize: number;
  /** Bytes of the body actually present in the file: ≤ declaredSize, except a data chunk of unknown size (0). */
  size: number;
}

export type RiffResult =
  | { ok: true; chunks: RiffChunk[] }
  | { ok: false; problem: string };

/** Four printable ASCII characters (spaces allowed), as every chunk id is. */
export function isFourCC(bytes: Uint8Array, at: number): boolean {
  if (at + 4 > bytes.length) return false;
  for (let i = at; i < at + 4; i++) {
    const c = bytes[i]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

export function fourCC(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/** Random access to a file's bytes, so that a long WAV is walked without reading its audio. */
export interface ByteReader {
  readonly length: number;
  /** Up to n bytes from `at` (fewer at the end of the file). */
  read(at: number, n: number): Uint8Array;
}

export function bytesReader(bytes: Uint8Array): ByteReader {
  return { length: bytes.length, read: (at, n) => bytes.subarray(at, Math.min(bytes.length, at + n)) };
}

/** Reads the RIFF header and lists the top-level chunks (LIST and other extras included, never descended into). */
export function walkRiff(source: Uint8Array | ByteReader): RiffResult {
  const file = source instanceof Uint8Array ? bytesReader(source) : source;
  const head = file.read(0, 12);
  if (file.length < 12) {
    return { ok: false, problem: file.length === 0 ? 'the file is empty' : `only ${file.length} bytes long: not a WAV file` };
  }
  const container = fourCC(head, 0);
  const form = fourCC(head, 8);
  if (container === 'RIFX' && form === 'WAVE') {
    return { ok: false, problem: 'big-endian WAV (RIFX) is not supported: convert it with `sox in.wav -e signed -b 16 -L out.wav`' };
  }
  if ((container === 'RF64' || container === 'BW64') && form === 'WAVE') {
    return { ok: false, problem: `${container} WAV (a file over 4 GB) is not supported: cut it with \`sox in.wav -r 16000 -c 1 -b 16 out.wav trim 0 60\`` };
  }
  if (container !== 'RIFF' || form !== 'WAVE') {
    return { ok: false, problem: `not a WAV file (it starts with "${printable(head)}", not "RIFF….WAVE")${guessType(head)}` };
  }

  const chunks: RiffChunk[] = [];
  const isId = (at: number): boolean => isFourCC(file.read(at, 4), 0);
  let at = 12;
  // Each pass moves at least 8 bytes forward, so the loop always ends.
  while (at + 8 <= file.length) {
    const header = file.read(at, 8);
    if (!isFourCC(header, 0)) break; // trailing junk after the last chunk (ID3 tags, zero padding)
    const id = fourCC(header, 0);
    const declaredSize = new DataView(header.buffer, header.byteOffset, 8).getUint32(4, true);
    const start = at + 8;
    let size = Math.min(declaredSize, file.length - start);
    if (id === 'data' && declaredSize === 0 && start < file.length && !isId(start)) {
      // A writer that never filled in the size (streamed, or killed mid-recording): the audio runs to the end of the file.
      size = file.length - start;
      chunks.push({ id, start, declaredSize, size });
      break;
    }
    chunks.push({ id, start, declaredSize, size });
    let next = start + declaredSize;
    // Chunks are word-aligned: an odd-sized body is followed by a pad byte.
    if (declaredSize % 2 === 1 && !forgotPad(file.read(next, 5))) next += 1;
    at = next;
  }
  return { ok: true, chunks };
}

const COMMON_IDS = new Set(['data', 'fmt ', 'fact', 'LIST', 'cue ', 'smpl', 'inst', 'bext', 'iXML', 'junk', 'JUNK', 'PAD ', 'FLLR', 'id3 ', 'ID3 ', 'PEAK', 'acid', 'cart', '_PMX', 'DISP', 'labl', 'note', 'ltxt', 'plst']);

/**
 * A few writers leave out the pad byte: trust that only when a well-known chunk starts right there
 * and not after the pad. `bytes`: the 5 bytes from where the unpadded next chunk would start.
 */
function forgotPad(bytes: Uint8Array): boolean {
  return isFourCC(bytes, 0) && COMMON_IDS.has(fourCC(bytes, 0))
    && !(isFourCC(bytes, 1) && COMMON_IDS.has(fourCC(bytes, 1)));
}

function printable(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  return s;
}

/** A hint for the files people most often mistake for WAV. */
function guessType(b: Uint8Array): string {
  const head = printable(b.subarray(0, 12));
  const convert = ': convert it first, e.g. `ffmpeg -i in.xxx -ar 16000 -ac 1 out.wav`';
  if (head.startsWith('ID3') || (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0)) return `; it looks like an MP3${convert}`;
  if (head.startsWith('OggS')) return `; it looks like an Ogg (Vorbis/Opus) file${convert}`;
  if (head.startsWith('fLaC')) return `; it looks like a FLAC file${convert}`;
  if (head.slice(4, 8) === 'ftyp') return `; it looks like an MP4/M4A file${convert}`;
  if (head.startsWith('FORM')) return `; it looks like an AIFF file${convert}`;
  return ': give a .wav file (record one with `dlaudio record`, or convert yours with sox or ffmpeg)';
}
