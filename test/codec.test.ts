import { describe, it, expect, beforeAll } from 'vitest';
import * as zlib from 'node:zlib';
import { crc32 } from '../src/util/crc32.js';
import { readDla, writeDla, dlaSizes, DLA_HEADER_BYTES, type CodeBits, type DlaFile } from '../src/audio/dla.js';
import { compressSamples, decompressDla, dequantise, encodeFrames, halfSteps, quantise, codeKbps, decodeCodes } from '../src/model/codec.js';
import { createNetwork, initNetwork, decoderLayers, type Network } from '../src/model/network.js';
import { reconstructSamples } from '../src/model/reconstruct.js';
import { train } from '../src/model/train.js';
import { Rng } from '../src/model/rng.js';
import { UserError } from '../src/errors.js';
import { SAMPLE_FRAMES, sampleInt16, sampleFrames } from './helpers/sample.js';
import { worstSampleError, diffAgainstBound } from './helpers/codec-bound.js';

const SCALE = 32000;

/** The course's network trained as `train --epochs 200 --seed 42` does. */
async function courseModel(): Promise<Network> {
  const net = createNetwork([160, 10, 160]);
  const rng = new Rng(42);
  initNetwork(net, rng);
  const { data, count } = sampleFrames();
  await train(net, data, count, rng, { lr: 0.01, epochs: 200, shuffle: false });
  return net;
}

function oneLine(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    const msg = (e as UserError).message;
    expect(msg).not.toContain('\n');
    expect((e as UserError).exitCode).toBe(1);
    return msg;
  }
  throw new Error('expected the .dla to be refused');
}

describe('CRC-32', () => {
  it('is the IEEE CRC (check value of "123456789") and agrees with zlib', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const bytes = Uint8Array.from(sampleInt16().subarray(0, 5000), (v) => v & 0xff);
    // node:zlib has crc32 from Node 20.15 (CI runs a newer 20): compare when it is there.
    const zcrc = (zlib as { crc32?: (b: Uint8Array) => number }).crc32;
    if (zcrc) expect(crc32(bytes)).toBe(zcrc(bytes));
    expect(crc32(bytes, 10, 20)).toBe(crc32(bytes.subarray(10, 20)));
  });
});

describe('quantising the codes', () => {
  const z = Float64Array.from([0, 0.5, 2, 0, 0.25, 1, 0.125, 0, 3]); // 3 frames × 3 units, ReLU outputs
  const codes = { z, frames: 3, codeSize: 3 };

  it('per unit: each unit spans its own [0, max]; 0 stays exactly 0; the max is the top level', () => {
    const { q, maxima } = quantise(codes, 8, 'unit');
    expect(Array.from(maxima)).toEqual([0.125, 0.5, 3]);
    expect(Array.from(q)).toEqual([0, 255, 170, 0, 128, 85, 255, 0, 255]);
    const back = dequantise(q, maxima, 3, 8);
    for (let i = 0; i < z.length; i++) expect(Math.abs(back[i] - z[i])).toBeLessThanOrEqual(halfSteps(maxima, 3, 8)[i % 3] + 1e-15);
    expect(back[0]).toBe(0);
    expect(back[8]).toBe(3);
  });

  it('per file: one max for all units (coarser for the quiet ones)', () => {
    const { q, maxima } = quantise(codes, 4, 'file');
    expect(Array.from(maxima)).toEqual([3]);
    expect(Array.from(q)).toEqual([0, 3, 10, 0, 1, 5, 1, 0, 15]);
  });

  it('a dead unit (always 0) gets range 0 and decodes to 0; nothing is clipped at 16 bits', () => {
    const dead = { z: Float64Array.from([0, 1.7, 0, 0.3]), frames: 2, codeSize: 2 };
    const { q, maxima } = quantise(dead, 16, 'unit');
    expect(maxima[0]).toBe(0);
    expect(dequantise(q, maxima, 2, 16)[2]).toBe(0);
    expect(q[1]).toBe(65535);
  });

  it('a max that float32 rounds down is rounded up, so the largest code is not clipped', () => {
    const v = 1 + 2 ** -30; // float32 rounds this to 1
    const { q, maxima } = quantise({ z: Float64Array.from([v]), frames: 1, codeSize: 1 }, 16, 'unit');
    expect(maxima[0]).toBeGreaterThanOrEqual(v);
    expect(q[0]).toBe(65535);
  });

  it('bit rate: 10 codes × 8 bits × 100 frames/s = 8 kbit/s', () => {
    expect(codeKbps(10, 8, 16000, 160)).toBe(8);
    expect(codeKbps(10, 4, 16000, 160)).toBe(4);
  });
});

describe('compress → decompress', () => {
  let net: Network;
  const input = sampleInt16();
  beforeAll(async () => { net = await courseModel(); });

  for (const bits of [4, 8, 16] as CodeBits[]) {
    for (const range of ['unit', 'file'] as const) {
      it(`${bits} bits, ${range} range: the same samples as reconstruct, up to the quantisation step`, () => {
        const dla = compressSamples(net, SCALE, input, { bits, range, sampleRate: 16000 });
        const back = readDla(writeDla(dla), 'x.dla');
        const decoded = decompressDla(back);
        const rec = reconstructSamples(net, SCALE, input);
        expect(decoded.samples.length).toBe(rec.samples.length);
        const bound = worstSampleError(back.decoder, halfSteps(back.maxima, back.codeSize, bits), SCALE);
        const { maxDiff, worstRatio } = diffAgainstBound(decoded.samples, rec.samples, bound);
        expect(worstRatio).toBeLessThanOrEqual(1);
        if (bits === 4) expect(maxDiff).toBeGreaterThan(1); // the quantisation did change something
        if (bits === 16) expect(maxDiff).toBeLessThanOrEqual(2);
      });
    }
  }

  it('without quantisation the decoder half gives exactly reconstruct\'s samples', () => {
    const codes = encodeFrames(net, SCALE, input);
    const out = decodeCodes(decoderLayers(net), codes.z, codes.frames, SCALE);
    expect(out.samples).toEqual(reconstructSamples(net, SCALE, input).samples);
  });

  it('stores the whole decoder of a deeper network with biases, and decodes on its own', () => {
    const deep = createNetwork([160, 32, 6, 24, 160], { bias: true });
    initNetwork(deep, new Rng(5), 0.2);
    deep.layers.forEach((l, i) => l.b?.fill(0.01 * (i + 1)));
    const dla = compressSamples(deep, SCALE, input.subarray(0, 160 * 41), { bits: 8, range: 'unit', sampleRate: 16000 });
    expect(dla.codeSize).toBe(6);
    expect(dla.decoder.map((l) => [l.inSize, l.outSize, l.relu, l.b !== null])).toEqual([[6, 24, true, true], [24, 160, false, true]]);
    const back = readDla(writeDla(dla), 'deep.dla');
    expect(back.decoder[0].b).toEqual(Float32Array.from(deep.layers[2].b!));
    const decoded = decompressDla(back).samples;
    const rec = reconstructSamples(deep, SCALE, input.subarray(0, 160 * 41)).samples;
    const bound = worstSampleError(back.decoder, halfSteps(back.maxima, 6, 8), SCALE);
    expect(diffAgainstBound(decoded, rec, bound).worstRatio).toBeLessThanOrEqual(1);
  });
});

describe('the .dla bytes', () => {
  let dla: DlaFile;
  let bytes: Uint8Array;
  beforeAll(async () => {
    dla = compressSamples(await courseModel(), SCALE, sampleInt16(), { bits: 8, range: 'unit', sampleRate: 16000 });
    bytes = writeDla(dla);
  });

  it('follow docs/dla-format.md: fields at their offsets, little-endian, CRC last', () => {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('DLAU');
    expect(v.getUint16(4, true)).toBe(1);
    expect(v.getUint32(8, true)).toBe(bytes.length);
    expect(v.getUint32(12, true)).toBe(16000);
    expect(v.getUint16(16, true)).toBe(160);
    expect(v.getUint16(18, true)).toBe(10);
    expect(v.getUint32(20, true)).toBe(SAMPLE_FRAMES);
    expect(v.getFloat64(24, true)).toBe(32000);
    expect([v.getUint8(32), v.getUint8(33), v.getUint16(34, true)]).toEqual([8, 1, 1]);
    // layer header: in 10, out 160, linear, no bias; then V row-major as float32
    expect([v.getUint16(36, true), v.getUint16(38, true), v.getUint8(40), v.getUint8(41)]).toEqual([10, 160, 0, 0]);
    expect(v.getFloat32(DLA_HEADER_BYTES + 8, true)).toBe(dla.decoder[0].W[0]);
    const sizes = dlaSizes(dla);
    expect(sizes).toEqual({ header: 36, decoder: 8 + 4 * 1600, maxima: 40, codes: SAMPLE_FRAMES * 10, crc: 4, total: bytes.length });
    expect(v.getUint32(bytes.length - 4, true)).toBe(crc32(bytes, 0, bytes.length - 4));
    expect(bytes[bytes.length - 4 - SAMPLE_FRAMES * 10]).toBe(dla.codes[0]);
  });

  it('4-bit codes: two per byte, first in the low nibble; an odd count round-trips', () => {
    const small: DlaFile = { ...dla, bits: 4, frameCount: 3, codeSize: 3, maxima: new Float32Array([1, 2, 3]), codes: Uint16Array.from([1, 2, 3, 4, 5, 6, 7, 8, 15]), decoder: [{ inSize: 3, outSize: 160, W: new Float32Array(480).fill(0.5), b: null, relu: false }] };
    const b = writeDla(small);
    expect(b[b.length - 4 - 5]).toBe(0x21);
    expect(b[b.length - 4 - 1]).toBe(0x0f);
    expect(readDla(b, 's.dla').codes).toEqual(small.codes);
  });

  it('refuses bad magic, another version, an empty file', () => {
    expect(oneLine(() => readDla(new TextEncoder().encode('RIFF....WAVEfmt '), 'a.wav'))).toMatch(/^a\.wav is not a \.dla file/);
    expect(oneLine(() => readDla(new Uint8Array(0), 'e.dla'))).toMatch(/is empty/);
    const v2 = bytes.slice();
    v2[4] = 2;
    expect(oneLine(() => readDla(v2, 'v2.dla'))).toMatch(/version 2; this dlaudio reads version 1/);
  });

  it('refuses the file truncated at every length, and with bytes appended', () => {
    for (let n = 1; n < bytes.length; n++) {
      const msg = oneLine(() => readDla(bytes.subarray(0, n), 't.dla'));
      expect(msg).toMatch(/^t\.dla is damaged: it is truncated/);
    }
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(oneLine(() => readDla(longer, 'l.dla'))).toMatch(/3 unexpected bytes after its end/);
  });

  it('refuses the file with any one byte changed (the checksum, or the field it hit)', () => {
    const counts = new Map<string, number>();
    for (let at = 0; at < bytes.length; at++) {
      const flipped = bytes.slice();
      flipped[at] ^= 0x10;
      const msg = oneLine(() => readDla(flipped, 'f.dla'));
      const kind = at < 4 ? 'magic' : at < 6 ? 'version' : at >= 8 && at < 12 ? 'size' : 'checksum';
      const expected = { magic: /not a \.dla file/, version: /version \d+; this dlaudio reads/, size: /truncated|unexpected bytes/, checksum: /checksum mismatch/ }[kind];
      expect(msg, `byte ${at}`).toMatch(expected);
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    expect(counts.get('checksum')).toBe(bytes.length - 10);
  });

  it('with a valid checksum, still refuses fields out of range (a file from another writer)', () => {
    const reseal = (b: Uint8Array): Uint8Array => {
      new DataView(b.buffer).setUint32(b.length - 4, crc32(b, 0, b.length - 4), true);
      return b;
    };
    const bits5 = bytes.slice();
    bits5[32] = 5;
    expect(oneLine(() => readDla(reseal(bits5), 'b.dla'))).toMatch(/not a valid \.dla file: bits per code is 5/);
    const chain = bytes.slice();
    new DataView(chain.buffer).setUint16(18, 11, true); // code size 11, decoder takes 10
    expect(oneLine(() => readDla(reseal(chain), 'c.dla'))).toMatch(/not a valid \.dla file/);
    const relu = bytes.slice();
    relu[40] = 1; // the output layer marked ReLU
    expect(oneLine(() => readDla(reseal(relu), 'r.dla'))).toMatch(/every layer but the last is ReLU/);
  });
});
