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

/** Reads the RIFF header and lists the top-level chunks (LIST and other extras included, never descended into). */
export function walkRiff(bytes: Uint8Array): RiffResult {
  if (bytes.length < 12) {
    return { ok: false, problem: bytes.length === 0 ? 'the file is empty' : `only ${bytes.length} bytes long: not a WAV file` };
  }
  const container = fourCC(bytes, 0);
  const form = fourCC(bytes, 8);
  if (container === 'RIFX' && form === 'WAVE') {
    return { ok: false, problem: 'big-endian WAV (RIFX) is not supported: convert it with `sox in.wav -e signed -b 16 -L out.wav`' };
  }
  if ((container === 'RF64' || container === 'BW64') && form === 'WAVE') {
    return { ok: false, problem: `${container} WAV (a file over 4 GB) is not supported: cut it with \`sox in.wav -r 16000 -c 1 -b 16 out.wav trim 0 60\`` };
  }
  if (container !== 'RIFF' || form !== 'WAVE') {
    return { ok: false, problem: `not a WAV file (it starts with "${printable(bytes.subarray(0, 12))}", not "RIFF….WAVE")${guessType(bytes)}` };
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: RiffChunk[] = [];
  let at = 12;
  // Each pass moves at least 8 bytes forward, so the loop always ends.
  while (at + 8 <= bytes.length) {
    if (!isFourCC(bytes, at)) break; // trailing junk after the last chunk (ID3 tags, zero padding)
    const id = fourCC(bytes, at);
    const declaredSize = view.getUint32(at + 4, true);
    const start = at + 8;
    let size = Math.min(declaredSize, bytes.length - start);
    if (id === 'data' && declaredSize === 0 && start < bytes.length && !isFourCC(bytes, start)) {
      // A writer that never filled in the size (streamed, or killed mid-recording): the audio runs to the end of the file.
      size = bytes.length - start;
      chunks.push({ id, start, declaredSize, size });
      break;
    }
    chunks.push({ id, start, declaredSize, size });
    let next = start + declaredSize;
    // Chunks are word-aligned: an odd-sized body is followed by a pad byte.
    if (declaredSize % 2 === 1 && !forgotPad(bytes, next)) next += 1;
    at = next;
  }
  return { ok: true, chunks };
}

const COMMON_IDS = new Set(['data', 'fmt ', 'fact', 'LIST', 'cue ', 'smpl', 'inst', 'bext', 'iXML', 'junk', 'JUNK', 'PAD ', 'FLLR', 'id3 ', 'ID3 ', 'PEAK', 'acid', 'cart', '_PMX', 'DISP', 'labl', 'note', 'ltxt', 'plst']);

/** A few writers leave out the pad byte: trust that only when a well-known chunk starts right there and not after the pad. */
function forgotPad(bytes: Uint8Array, unpadded: number): boolean {
  return isFourCC(bytes, unpadded) && COMMON_IDS.has(fourCC(bytes, unpadded))
    && !(isFourCC(bytes, unpadded + 1) && COMMON_IDS.has(fourCC(bytes, unpadded + 1)));
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
