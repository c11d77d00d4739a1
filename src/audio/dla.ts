/**
 * The .dla file: an auto-encoder's quantised codes plus everything needed to decode them (the
 * decoder's layers, the code ranges, the sample scale, rate and frame count), so a .dla decodes on
 * its own. Bytes ↔ struct only; quantising and decoding live in model/codec.ts.
 * The byte layout is documented in docs/dla-format.md; keep the two in step.
 *
 * Reading is strict and checks in this order, so each kind of damage gets its own message:
 * magic → version → declared file size against the real one (truncated / extra bytes) → CRC-32
 * over everything before it (any changed byte) → every field's range and the layers' chaining.
 */
import { UserError } from '../errors.js';
import { crc32 } from '../util/crc32.js';
import { checkLimit, inferenceWork, parameterCount } from '../util/limits.js';
import type { Layer } from '../model/network.js';

export const DLA_MAGIC = 'DLAU';
export const DLA_VERSION = 1;
export const DLA_HEADER_BYTES = 36;
const LAYER_HEADER_BYTES = 8;
const CRC_BYTES = 4;

export type CodeBits = 4 | 8 | 16;
/** "unit": each code unit has its own range [0, max_j]; "file": one range for all units. */
export type CodeRange = 'unit' | 'file';

export interface DlaFile {
  sampleRate: number;
  frameSize: number;
  frameCount: number;
  /** Each 16-bit sample was divided by this before the network. */
  scale: number;
  bits: CodeBits;
  range: CodeRange;
  /** Code units per frame (the width of Z). */
  codeSize: number;
  /** Every layer after the code, float32 weights; the first takes codeSize inputs, the last gives frameSize. */
  decoder: Layer[];
  /** The top of each range: codeSize values ("unit") or one ("file"). Z = q · max / (2^bits − 1). */
  maxima: Float32Array;
  /** frameCount × codeSize quantised codes, frame after frame, each < 2^bits. */
  codes: Uint16Array;
}

export function codeBytes(frameCount: number, codeSize: number, bits: CodeBits): number {
  return Math.ceil((frameCount * codeSize * bits) / 8);
}

function layerBytes(l: { inSize: number; outSize: number; hasBias: boolean }): number {
  return LAYER_HEADER_BYTES + 4 * l.inSize * l.outSize + (l.hasBias ? 4 * l.outSize : 0);
}

/** Where the bytes of a .dla go: for the CLI's "file: … bytes (codes …, decoder …)" line. */
export interface DlaSizes {
  header: number;
  decoder: number;
  maxima: number;
  codes: number;
  crc: number;
  total: number;
}

export function dlaSizes(f: Pick<DlaFile, 'decoder' | 'range' | 'codeSize' | 'frameCount' | 'bits'>): DlaSizes {
  const decoder = f.decoder.reduce((n, l) => n + layerBytes({ inSize: l.inSize, outSize: l.outSize, hasBias: l.b !== null }), 0);
  const maxima = 4 * (f.range === 'unit' ? f.codeSize : 1);
  const codes = codeBytes(f.frameCount, f.codeSize, f.bits);
  return { header: DLA_HEADER_BYTES, decoder, maxima, codes, crc: CRC_BYTES, total: DLA_HEADER_BYTES + decoder + maxima + codes + CRC_BYTES };
}

export function writeDla(f: DlaFile): Uint8Array {
  checkStruct(f);
  const sizes = dlaSizes(f);
  const out = new Uint8Array(sizes.total);
  const v = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = DLA_MAGIC.charCodeAt(i);
  v.setUint16(4, DLA_VERSION, true);
  v.setUint16(6, 0, true);
  v.setUint32(8, sizes.total, true);
  v.setUint32(12, f.sampleRate, true);
  v.setUint16(16, f.frameSize, true);
  v.setUint16(18, f.codeSize, true);
  v.setUint32(20, f.frameCount, true);
  v.setFloat64(24, f.scale, true);
  v.setUint8(32, f.bits);
  v.setUint8(33, f.range === 'unit' ? 1 : 0);
  v.setUint16(34, f.decoder.length, true);
  let at = DLA_HEADER_BYTES;
  for (const l of f.decoder) {
    v.setUint16(at, l.inSize, true);
    v.setUint16(at + 2, l.outSize, true);
    v.setUint8(at + 4, l.relu ? 1 : 0);
    v.setUint8(at + 5, l.b ? 1 : 0);
    v.setUint16(at + 6, 0, true);
    at += LAYER_HEADER_BYTES;
    for (let i = 0; i < l.W.length; i++, at += 4) v.setFloat32(at, l.W[i], true);
    if (l.b) for (let i = 0; i < l.b.length; i++, at += 4) v.setFloat32(at, l.b[i], true);
  }
  for (let i = 0; i < f.maxima.length; i++, at += 4) v.setFloat32(at, f.maxima[i], true);
  packCodes(f.codes, f.bits, out.subarray(at, at + sizes.codes));
  at += sizes.codes;
  v.setUint32(at, crc32(out, 0, at), true);
  return out;
}

/** The file's bytes as a struct, or a UserError naming `name` and what is wrong with it. */
export function readDla(bytes: Uint8Array, name: string): DlaFile {
  const bad = (why: string): UserError => new UserError(`${name} ${why}`);
  const damaged = (why: string): UserError => bad(`is damaged: ${why} (compress the WAV again with \`dlaudio compress\`)`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length === 0) throw bad('is empty (0 bytes): compress the WAV again with `dlaudio compress`');
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < 4 || magic !== DLA_MAGIC) {
    if (bytes.length < 4 && DLA_MAGIC.startsWith(magic)) throw damaged(`it is truncated: ${bytes.length} bytes, too short for a header`);
    throw bad(`is not a .dla file (it does not start with "${DLA_MAGIC}"): give a file written by \`dlaudio compress\``);
  }
  if (bytes.length < 12) throw damaged(`it is truncated: ${bytes.length} bytes, too short for a header`);
  const version = v.getUint16(4, true);
  if (version !== DLA_VERSION) throw bad(`is a .dla file of version ${version}; this dlaudio reads version ${DLA_VERSION} (update dlaudio, or compress the WAV again)`);
  const declared = v.getUint32(8, true);
  if (bytes.length < declared) throw damaged(`it is truncated: ${bytes.length} of its ${declared} bytes`);
  if (bytes.length > declared) throw damaged(`${bytes.length - declared} unexpected bytes after its end (${declared} bytes)`);
  if (declared < DLA_HEADER_BYTES + CRC_BYTES) throw damaged(`its size field says ${declared} bytes, less than a header`);
  const stored = v.getUint32(declared - CRC_BYTES, true);
  const actual = crc32(bytes, 0, declared - CRC_BYTES);
  if (stored !== actual) throw damaged(`checksum mismatch (CRC-32 ${hex(actual)}, stored ${hex(stored)}): some bytes changed after it was written`);

  // The checksum matched, so what follows only fails for a file written by something else.
  const invalid = (why: string): UserError => bad(`is not a valid .dla file: ${why}`);
  const bits = v.getUint8(32);
  if (bits !== 4 && bits !== 8 && bits !== 16) throw invalid(`bits per code is ${bits}, expected 4, 8 or 16`);
  const rangeByte = v.getUint8(33);
  if (rangeByte > 1) throw invalid(`range mode is ${rangeByte}, expected 0 (file) or 1 (unit)`);
  const head = {
    sampleRate: v.getUint32(12, true),
    frameSize: v.getUint16(16, true),
    codeSize: v.getUint16(18, true),
    frameCount: v.getUint32(20, true),
    scale: v.getFloat64(24, true),
    bits: bits as CodeBits,
    range: (rangeByte === 1 ? 'unit' : 'file') as CodeRange,
  };
  const layerCount = v.getUint16(34, true);
  if (layerCount < 1) throw invalid('it has no decoder layer');
  const end = declared - CRC_BYTES;
  // From the headers alone, before any array is made: a small file must not ask for gigabytes or minutes.
  const fix = 'is it a file written by dlaudio compress?';
  checkLimit('layers', layerCount, `${name} has a decoder of`, { fix });
  const shapes = layerShapes(v, layerCount, end, invalid);
  const sizes = [shapes[0].inSize, ...shapes.map((l) => l.outSize)];
  checkLimit('parameters', parameterCount(sizes, shapes.some((l) => l.hasBias)), `${name} has a decoder of`, { fix });
  checkLimit('samples', head.frameCount * head.frameSize, `${name} would decode to`, { fix });
  checkLimit('work', inferenceWork(sizes, head.frameCount), `${name} would need`, { after: 'to decode', fix });
  let at = DLA_HEADER_BYTES;
  const decoder: Layer[] = shapes.map((shape) => {
    at += LAYER_HEADER_BYTES;
    const W = new Float32Array(shape.inSize * shape.outSize);
    const b = shape.hasBias ? new Float32Array(shape.outSize) : null;
    for (let i = 0; i < W.length; i++, at += 4) W[i] = v.getFloat32(at, true);
    if (b) for (let i = 0; i < b.length; i++, at += 4) b[i] = v.getFloat32(at, true);
    return { inSize: shape.inSize, outSize: shape.outSize, W, b, relu: shape.relu };
  });
  const need = (n: number, what: string): void => {
    if (at + n > end) throw invalid(`${what} run past the end of the file`);
  };
  const maxima = new Float32Array(head.range === 'unit' ? head.codeSize : 1);
  need(4 * maxima.length, 'the code ranges');
  for (let i = 0; i < maxima.length; i++, at += 4) maxima[i] = v.getFloat32(at, true);
  const nCodeBytes = codeBytes(head.frameCount, head.codeSize, head.bits);
  if (end - at !== nCodeBytes) throw invalid(`${head.frameCount} frames of ${head.codeSize} codes × ${head.bits} bits need ${nCodeBytes} bytes, the file has ${end - at}`);
  const codes = unpackCodes(bytes.subarray(at, end), head.bits, head.frameCount * head.codeSize);
  const f: DlaFile = { ...head, decoder, maxima, codes };
  const why = structProblem(f);
  if (why) throw invalid(why);
  return f;
}

interface LayerShape {
  inSize: number;
  outSize: number;
  hasBias: boolean;
  relu: boolean;
}

/** The decoder layers' headers, each checked to lie within the file, without reading any weight. */
function layerShapes(v: DataView, layerCount: number, end: number, invalid: (why: string) => UserError): LayerShape[] {
  const shapes: LayerShape[] = [];
  let at = DLA_HEADER_BYTES;
  for (let l = 0; l < layerCount; l++) {
    if (at + LAYER_HEADER_BYTES > end) throw invalid(`decoder layer ${l}'s header run past the end of the file`);
    const inSize = v.getUint16(at, true);
    const outSize = v.getUint16(at + 2, true);
    const act = v.getUint8(at + 4);
    const hasBias = v.getUint8(at + 5);
    if (act > 1 || hasBias > 1) throw invalid(`decoder layer ${l} has activation ${act} and bias flag ${hasBias}, expected 0 or 1`);
    const shape = { inSize, outSize, hasBias: hasBias === 1, relu: act === 1 };
    at += layerBytes(shape);
    if (at > end) throw invalid(`decoder layer ${l}'s weights run past the end of the file`);
    shapes.push(shape);
  }
  return shapes;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** What makes the struct undecodable, or null: shared by the writer (a bug) and the reader (a bad file). */
function structProblem(f: DlaFile): string | null {
  if (!(f.sampleRate >= 1 && f.sampleRate <= 0xffffffff && Number.isInteger(f.sampleRate))) return `sample rate ${f.sampleRate} Hz`;
  if (!(f.frameSize >= 1 && f.frameSize <= 0xffff)) return `frame size ${f.frameSize}`;
  if (!(f.codeSize >= 1 && f.codeSize <= 0xffff)) return `code size ${f.codeSize}`;
  if (!(Number.isInteger(f.frameCount) && f.frameCount >= 1 && f.frameCount <= 0xffffffff)) return `frame count ${f.frameCount}`;
  if (!(Number.isFinite(f.scale) && f.scale > 0)) return `sample scale ${f.scale} (must be a positive number)`;
  if (f.decoder.length < 1 || f.decoder.length > 0xffff) return `${f.decoder.length} decoder layers`;
  let width = f.codeSize;
  for (const [l, layer] of f.decoder.entries()) {
    if (layer.inSize !== width) return `decoder layer ${l} takes ${layer.inSize} inputs but receives ${width}`;
    if (layer.outSize < 1 || layer.outSize > 0xffff) return `decoder layer ${l} has ${layer.outSize} outputs`;
    const last = l === f.decoder.length - 1;
    if (layer.relu === last) return `decoder layer ${l} is ${layer.relu ? 'ReLU' : 'linear'}; every layer but the last is ReLU, the last is linear`;
    if (!allFinite(layer.W) || (layer.b && !allFinite(layer.b))) return `decoder layer ${l} has a weight that is not a finite number`;
    width = layer.outSize;
  }
  if (width !== f.frameSize) return `the decoder gives ${width} samples per frame, the header says ${f.frameSize}`;
  if (f.maxima.length !== (f.range === 'unit' ? f.codeSize : 1)) return `${f.maxima.length} code ranges for range mode "${f.range}"`;
  for (const m of f.maxima) if (!(Number.isFinite(m) && m >= 0)) return `a code range is ${m} (must be a finite number ≥ 0)`;
  if (f.codes.length !== f.frameCount * f.codeSize) return `${f.codes.length} codes for ${f.frameCount} frames × ${f.codeSize}`;
  const top = 2 ** f.bits - 1;
  for (const q of f.codes) if (q > top) return `a code is ${q}, more than ${f.bits} bits hold`;
  return null;
}

function checkStruct(f: DlaFile): void {
  const why = structProblem(f);
  if (why) throw new RangeError(`cannot write a .dla: ${why}`);
}

function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** 4 bits: two codes a byte, the first in the low nibble; 8 bits: one a byte; 16 bits: little-endian. */
function packCodes(codes: Uint16Array, bits: CodeBits, out: Uint8Array): void {
  if (bits === 4) for (let i = 0; i < codes.length; i++) out[i >> 1] |= (codes[i] & 0x0f) << ((i & 1) * 4);
  else if (bits === 8) for (let i = 0; i < codes.length; i++) out[i] = codes[i];
  else for (let i = 0; i < codes.length; i++) { out[2 * i] = codes[i] & 0xff; out[2 * i + 1] = codes[i] >> 8; }
}

function unpackCodes(bytes: Uint8Array, bits: CodeBits, n: number): Uint16Array {
  const codes = new Uint16Array(n);
  if (bits === 4) for (let i = 0; i < n; i++) codes[i] = (bytes[i >> 1] >> ((i & 1) * 4)) & 0x0f;
  else if (bits === 8) for (let i = 0; i < n; i++) codes[i] = bytes[i];
  else for (let i = 0; i < n; i++) codes[i] = bytes[2 * i] | (bytes[2 * i + 1] << 8);
  return codes;
}
