/**
 * Hostile and huge inputs to the model and .dla readers, in-process: every refusal is a UserError
 * with one short line naming the figure and the limit, found before anything large is allocated.
 * The files are generated here; nothing large is committed.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDla, writeDla, type DlaFile } from '../src/audio/dla.js';
import { decompressDla } from '../src/model/codec.js';
import { loadModel, modelToJson } from '../src/model/model-file.js';
import { createNetwork, initNetwork } from '../src/model/network.js';
import { Rng } from '../src/model/rng.js';
import { crc32 } from '../src/util/crc32.js';
import { UserError } from '../src/errors.js';
import { readInputFile } from '../src/util/input-file.js';
import { quoteValue } from '../src/util/limits.js';
import { escapeControls, escapeForTerminal } from '../src/util/terminal.js';
import type { Layer } from '../src/model/network.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'dlaudio-hostile-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
afterEach(() => {
  for (const v of ['DLAUDIO_MAX_WORK', 'DLAUDIO_MAX_SAMPLES', 'DLAUDIO_MAX_PARAMETERS', 'DLAUDIO_MAX_LAYERS']) delete process.env[v];
});

/** The call throws a UserError whose message is one line, short, and matches `pattern`. */
function refuses(f: () => unknown, pattern: RegExp): UserError {
  let caught: unknown = null;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a refusal').toBeInstanceOf(UserError);
  const e = caught as UserError;
  expect(e.message).toMatch(pattern);
  expect(e.message).not.toMatch(/\n/);
  expect(e.message.length).toBeLessThan(400);
  return e;
}

const layer = (i: number, o: number, relu: boolean): Layer => ({ inSize: i, outSize: o, W: new Float32Array(i * o), b: null, relu });
function dla(decoder: Layer[], frameSize: number, frameCount: number, codeSize = decoder[0].inSize): DlaFile {
  return { sampleRate: 16000, frameSize, frameCount, scale: 32000, bits: 4, range: 'file', codeSize, decoder, maxima: new Float32Array([1]), codes: new Uint16Array(frameCount * codeSize) };
}

/** Grows the ArrayBuffers of this process by at most `mb` while `f` runs (each reader's allocation). */
function bounded<T>(mb: number, f: () => T): T {
  const before = process.memoryUsage().arrayBuffers;
  const r = f();
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(mb * 2 ** 20);
  return r;
}

describe('.dla bombs are refused from the header, before any allocation', () => {
  it('a 312 KB file asking for 6.5 G samples', () => {
    const bytes = writeDla(dla([layer(1, 65535, false)], 65535, 100_000));
    expect(bytes.length).toBeLessThan(320_000);
    bounded(10, () => refuses(() => readDla(bytes, 'bomb.dla'), /^bomb\.dla would decode to 6 553 500 000 samples, more than dlaudio's limit of 20 000 000 .*DLAUDIO_MAX_SAMPLES/));
  });

  it('a 266 KB file that would decode to a 1 GB WAV', () => {
    const bytes = writeDla(dla([layer(1, 65535, false)], 65535, 8192));
    refuses(() => readDla(bytes, 'wav.dla'), /would decode to 536 862 720 samples/);
  });

  it('65 535 layers of 1 → 1', () => {
    const bytes = writeDla(dla(Array.from({ length: 65535 }, (_, l) => layer(1, 1, l < 65534)), 1, 10));
    refuses(() => readDla(bytes, 'deep.dla'), /deep\.dla has a decoder of 65 535 layers, more than dlaudio's limit of 64 .*DLAUDIO_MAX_LAYERS/);
  });

  it('a decoder 1 → 512 → 512 → 1 over half a million frames: too much work', () => {
    const bytes = writeDla(dla([layer(1, 512, true), layer(512, 512, true), layer(512, 1, false)], 1, 500_000));
    refuses(() => readDla(bytes, 'work.dla'), /work\.dla would need 132 096 500 000 multiply-adds to decode, more than dlaudio's limit .*DLAUDIO_MAX_WORK/);
  });

  it('a limit raised by its environment variable lets the file through', () => {
    const bytes = writeDla(dla([layer(1, 160, false)], 160, 1000));
    process.env.DLAUDIO_MAX_SAMPLES = '100000';
    refuses(() => readDla(bytes, 'x.dla'), /160 000 samples, more than dlaudio's limit of 100 000/);
    process.env.DLAUDIO_MAX_SAMPLES = '200000';
    expect(readDla(bytes, 'x.dla').frameCount).toBe(1000);
  });

  it('a layer whose weights would run past the end is refused before its array is made', () => {
    const f = dla([layer(10, 160, false)], 160, 4);
    const bytes = writeDla(f);
    const v = new DataView(bytes.buffer);
    v.setUint16(36, 65535, true); // in: 65 535 → 4 GB of weights claimed
    v.setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4), true);
    bounded(10, () => refuses(() => readDla(bytes, 'cut.dla'), /weights run past the end of the file/));
  });
});

describe('model files that lie about their size', () => {
  const head = { format: 'dlaudio-autoencoder', frameSize: 160, scale: 32000 };
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const W = (rows: number, cols: number, v = 0.01): number[][] => Array.from({ length: rows }, () => Array<number>(cols).fill(v));

  it('hidden: 1e8 (version 1)', () => {
    const p = file('h.json', JSON.stringify({ ...head, version: 1, hidden: 1e8, W: [], V: [] }));
    bounded(10, () => refuses(() => loadModel(p), /h\.json has 32 000 000 000 parameters, more than dlaudio's limit of 25 000 000; .*DLAUDIO_MAX_PARAMETERS/));
  });

  it('layers 160, 1e6, 1e6, 160 (version 2)', () => {
    const layers = [[160, 1e6], [1e6, 1e6], [1e6, 160]].map(([i, o], l) => ({ in: i, out: o, activation: l < 2 ? 'relu' : 'linear', W: [] }));
    const p = file('w.json', JSON.stringify({ ...head, version: 2, layers }));
    bounded(10, () => refuses(() => loadModel(p), /has 1 000 320 000 000 parameters/));
  });

  it('100 001 layers without weights: refused before any layer is allocated', () => {
    const layers = Array.from({ length: 100_001 }, (_, l) => ({ in: 160, out: 160, activation: l < 100_000 ? 'relu' : 'linear' }));
    const p = file('many.json', JSON.stringify({ ...head, version: 2, layers }));
    bounded(20, () => refuses(() => loadModel(p), /many\.json has 100 001 layers, more than dlaudio's limit of 64/));
  });

  it('a field nested 200 000 levels deep is quoted without walking it', () => {
    const p = file('deep.json', `{"format":${'['.repeat(200_000)}${']'.repeat(200_000)},"version":1}`);
    refuses(() => loadModel(p), /"format" is a list of 1, expected "dlaudio-autoencoder"/);
    const q = file('deep-sizes.json', JSON.stringify({ ...head, version: 2, layers: [{ in: 160, out: 160, activation: 'linear', W: W(160, 160) }] }).replace('"version"', `"sizes":${'['.repeat(200_000)}${']'.repeat(200_000)},"version"`));
    refuses(() => loadModel(q), /"sizes" is \[a list of 1\] but the layers give \[160,160\]/);
  });

  it('more values than any model within the limit: refused before JSON.parse makes arrays of them', () => {
    process.env.DLAUDIO_MAX_PARAMETERS = '1000';
    const p = file('values.json', JSON.stringify({ ...head, version: 1, hidden: 2, W: [Array<number>(200_000).fill(0)] }));
    bounded(20, () => refuses(() => loadModel(p), /values\.json holds 200 0\d\d values, more than a model within dlaudio's limit of 1 000 parameters has/));
  });

  it('a 50 MB format string comes back as a short prefix', () => {
    const p = file('long.json', JSON.stringify({ format: 'x'.repeat(50e6), version: 1 }));
    refuses(() => loadModel(p), /"format" is "x{40}"… \(50 000 000 characters\), expected/);
  });

  it('a weight beyond float32 (1e39) is refused, not turned into Infinity', () => {
    const p = file('big.json', JSON.stringify({ ...head, version: 1, hidden: 2, W: W(2, 160), V: W(160, 2) }).replace('0.01', '1e39'));
    refuses(() => loadModel(p), /"W"\[0\]\[0\] is 1e\+39, beyond the float32 range/);
  });

  it('scale: 5e-324 is refused as the file\'s, not blamed on a --scale never given', () => {
    const p = file('scale.json', JSON.stringify({ ...head, scale: 5e-324, version: 1, hidden: 2, W: W(2, 160), V: W(160, 2) }));
    refuses(() => loadModel(p), /scale\.json is not a valid dlaudio model: "scale" is 5e-324, so small that the frames would overflow/);
  });

  it('/dev/zero and a FIFO nobody writes are refused before a byte is read', () => {
    refuses(() => loadModel('/dev/zero'), /^\/dev\/zero is not a regular file \(a device or a pipe\?\)/);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    refuses(() => loadModel(fifo), /fifo is not a regular file/);
    refuses(() => readInputFile(fifo, { kind: '.dla file', hint: 'h', notFound: 'nf' }), /not a regular file/);
  });
});

describe('messages quote a short, escaped prefix', () => {
  it('quoteValue: bounded, never walks, escapes control characters', () => {
    expect(quoteValue('a'.repeat(100), 10)).toBe('"aaaaaaaaaa"… (100 characters)');
    expect(quoteValue([[[]]])).toBe('a list of 1');
    expect(quoteValue({ a: 1 })).toBe('an object');
    expect(quoteValue('\u001b[2J\r')).toBe('"\\u001b[2J\\r"');
  });

  it('escapeControls hides no text and drives no terminal; escapeForTerminal keeps colour codes only', () => {
    expect(escapeControls('a\u001b]0;title\u0007\rb\tc\nd')).toBe('a\\x1b]0;title\\x07\\rb\tc\nd');
    expect(escapeForTerminal('\u001b[31mred\u001b[39m \u001b[2J\u009b')).toBe('\u001b[31mred\u001b[39m \\x1b[2J\\x9b');
  });
});

/** A seeded generator for the fuzz tests (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzz: mutated files end in a refusal or a valid decode, nothing else', () => {
  it('.dla: 400 mutations with the CRC fixed up', () => {
    // Small limits keep every accepted decode quick; refusals are what is tested.
    process.env.DLAUDIO_MAX_WORK = '20000000';
    process.env.DLAUDIO_MAX_SAMPLES = '2000000';
    const net = createNetwork([160, 16, 8, 16, 160], { bias: true });
    initNetwork(net, new Rng(7));
    const valid = writeDla({ ...dla(net.layers.slice(2), 160, 50, 8), bits: 8, range: 'unit', maxima: new Float32Array(8).fill(1), codes: new Uint16Array(400).fill(3) });
    const rnd = prng(1);
    const outcomes = { refused: 0, decoded: 0 };
    for (let k = 0; k < 400; k++) {
      const bytes = valid.slice();
      const v = new DataView(bytes.buffer);
      const edits = 1 + Math.floor(rnd() * 4);
      for (let e = 0; e < edits; e++) {
        // Half the edits hit the header and layer headers, where the sizes are.
        const at = rnd() < 0.5 ? Math.floor(rnd() * 60) : Math.floor(rnd() * (bytes.length - 4));
        const kind = rnd();
        if (kind < 0.4) bytes[at] = Math.floor(rnd() * 256);
        else if (kind < 0.7 && at + 2 <= bytes.length - 4) v.setUint16(at, rnd() < 0.5 ? 0xffff : Math.floor(rnd() * 0x10000), true);
        else if (at + 4 <= bytes.length - 4) v.setUint32(at, rnd() < 0.5 ? 0xffffffff : Math.floor(rnd() * 2 ** 32), true);
      }
      if (rnd() < 0.9) v.setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4), true);
      const before = process.memoryUsage().arrayBuffers;
      try {
        const f = readDla(bytes, 'f.dla');
        const d = decompressDla(f);
        expect(d.samples.length).toBe(f.frameCount * f.frameSize);
        outcomes.decoded++;
      } catch (e) {
        if (!(e instanceof UserError)) throw new Error(`mutation ${k}: ${(e as Error).message}`, { cause: e });
        expect(e.message).not.toMatch(/\n/);
        outcomes.refused++;
      }
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(100 * 2 ** 20);
    }
    // Both outcomes happen: the mutations reach past the checksum and into valid files.
    expect(outcomes.refused).toBeGreaterThan(100);
    expect(outcomes.decoded).toBeGreaterThan(5);
  });

  it('model JSON: 300 structural and byte mutations', () => {
    const net = createNetwork([160, 12, 6, 12, 160], { bias: true });
    initNetwork(net, new Rng(3));
    const validText = modelToJson(net, 32000);
    const rnd = prng(2);
    const hostile: unknown[] = [1e39, -1, 0, 1e8, 2 ** 53, 5e-324, 'x'.repeat(1000), null, true, [], [[]], {}, 'relu', 160, 1.5, -0];
    const pick = <T,>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const outcomes = { refused: 0, loaded: 0 };
    const p = join(dir, 'fuzz.json');
    for (let k = 0; k < 300; k++) {
      let text: string;
      if (rnd() < 0.25) {
        const b = Buffer.from(validText);
        for (let e = 0; e < 3; e++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 128);
        text = b.toString();
      } else {
        const doc = JSON.parse(validText) as Record<string, unknown>;
        const edits = 1 + Math.floor(rnd() * 3);
        for (let e = 0; e < edits; e++) {
          const target = rnd();
          const layers = doc.layers as Array<Record<string, unknown>>;
          if (target < 0.3) doc[pick(['format', 'version', 'frameSize', 'scale', 'sizes', 'hidden', 'layers'])] = pick(hostile);
          else if (target < 0.6 && Array.isArray(layers) && layers.length > 0) pick(layers)[pick(['in', 'out', 'activation', 'W', 'b'])] = pick(hostile);
          else if (target < 0.8 && Array.isArray(layers) && layers.length > 0) {
            const l = pick(layers);
            if (Array.isArray(l.W) && l.W.length > 0) {
              const row = pick(l.W as unknown[][]);
              if (Array.isArray(row) && row.length > 0) row[Math.floor(rnd() * row.length)] = pick(hostile);
            }
          } else if (Array.isArray(layers)) layers.push({ ...pick(layers) });
        }
        text = JSON.stringify(doc);
      }
      writeFileSync(p, text);
      try {
        const m = loadModel(p);
        expect(m.net.layers.length).toBeGreaterThan(0);
        for (const l of m.net.layers) for (const w of l.W) expect(Number.isFinite(w)).toBe(true);
        outcomes.loaded++;
      } catch (e) {
        if (!(e instanceof UserError)) throw new Error(`mutation ${k}: ${(e as Error).message}`, { cause: e });
        expect(e.message).not.toMatch(/\n/);
        expect(e.message.length).toBeLessThan(500);
        outcomes.refused++;
      }
    }
    expect(outcomes.refused).toBeGreaterThan(100);
    expect(outcomes.loaded).toBeGreaterThan(5);
    expect(readFileSync(p, 'utf8').length).toBeGreaterThan(0);
  });
});
