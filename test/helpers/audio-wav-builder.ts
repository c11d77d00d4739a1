/** Hand-built WAV files, byte by byte, for the header cases no encoder writes on request. */

export interface Chunk {
  id: string;
  body: Uint8Array;
  /** Size to write in the chunk header (default: body length), to fake truncated or streamed files. */
  declaredSize?: number;
  /** Leave out the pad byte after an odd-sized body (as some broken writers do). */
  noPad?: boolean;
}

export function chunk(id: string, body: Uint8Array, extra: Partial<Chunk> = {}): Chunk {
  return { id, body, ...extra };
}

/** RIFF/WAVE around the chunks, pad bytes included, RIFF size computed. */
export function riff(chunks: Chunk[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    const head = new Uint8Array(8);
    head.set(ascii(c.id), 0);
    new DataView(head.buffer).setUint32(4, c.declaredSize ?? c.body.length, true);
    parts.push(head, c.body);
    if (c.body.length % 2 === 1 && !c.noPad) parts.push(new Uint8Array(1));
  }
  const bodyLen = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(12 + bodyLen);
  out.set(ascii('RIFF'), 0);
  new DataView(out.buffer).setUint32(4, 4 + bodyLen, true);
  out.set(ascii('WAVE'), 8);
  let at = 12;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface FmtOptions {
  tag: number;
  channels: number;
  rate: number;
  bits: number;
  blockAlign?: number;
  /** WAVE_FORMAT_EXTENSIBLE with this sub-format tag (or a full 16-byte GUID). */
  extensible?: number | Uint8Array;
  /** Bytes after cbSize in a non-extensible header (e.g. samplesPerBlock for IMA ADPCM). */
  extra?: Uint8Array;
}

export function fmt(o: FmtOptions): Chunk {
  const blockAlign = o.blockAlign ?? (o.channels * o.bits) / 8;
  const ext = o.extensible !== undefined;
  const size = ext ? 40 : o.extra ? 18 + o.extra.length : 16;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint16(0, ext ? 0xfffe : o.tag, true);
  v.setUint16(2, o.channels, true);
  v.setUint32(4, o.rate, true);
  v.setUint32(8, o.rate * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, o.bits, true);
  if (ext) {
    v.setUint16(16, 22, true);
    v.setUint16(18, o.bits, true);
    v.setUint32(20, o.channels === 1 ? 0x4 : 0x3, true);
    if (o.extensible instanceof Uint8Array) b.set(o.extensible, 24);
    else {
      v.setUint16(24, o.extensible!, true);
      b.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
    }
  } else if (o.extra) {
    v.setUint16(16, o.extra.length, true);
    b.set(o.extra, 18);
  }
  return chunk('fmt ', b);
}

export function int16Bytes(samples: ArrayLike<number>): Uint8Array {
  const b = new Uint8Array(samples.length * 2);
  const v = new DataView(b.buffer);
  for (let i = 0; i < samples.length; i++) v.setInt16(2 * i, samples[i]!, true);
  return b;
}

export function float32Bytes(samples: ArrayLike<number>): Uint8Array {
  const b = new Uint8Array(samples.length * 4);
  const v = new DataView(b.buffer);
  for (let i = 0; i < samples.length; i++) v.setFloat32(4 * i, samples[i]!, true);
  return b;
}

/** A LIST/INFO chunk with one INAM (title) entry, as many editors write. */
export function listInfo(title: string): Chunk {
  const text = ascii(title + '\0');
  const padded = text.length % 2 ? text.length + 1 : text.length;
  const b = new Uint8Array(4 + 8 + padded);
  b.set(ascii('INFO'), 0);
  b.set(ascii('INAM'), 4);
  new DataView(b.buffer).setUint32(8, text.length, true);
  b.set(text, 12);
  return chunk('LIST', b);
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** A deterministic sine, as 16-bit integers. */
export function sine16(n: number, freq: number, rate: number, amplitude: number): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}
