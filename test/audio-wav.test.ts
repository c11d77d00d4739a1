/**
 * loadAudio on files made in the test: with wavefile (the issue's conversions)
 * and byte by byte (the header cases encoders do not write on request).
 * No external tool needed; the comparisons with sox are in audio-formats.test.ts.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { loadAudio, encodeWav16, MIN_SAMPLES } from '../src/audio/wav.js';
import { UserError } from '../src/errors.js';
import { riff, fmt, chunk, int16Bytes, float32Bytes, listInfo, ascii, sine16 } from './helpers/audio-wav-builder.js';

let dir = '';
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dlaudio-wav-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function write(bytes: Uint8Array, name = `f${n++}.wav`): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Amplitude of the `freq` component of x (Goertzel), in the units of x. */
function toneAmplitude(x: ArrayLike<number>, freq: number, rate: number, from: number, to: number): number {
  const w = (2 * Math.PI * freq) / rate;
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    re += x[i]! * Math.cos(w * i);
    im -= x[i]! * Math.sin(w * i);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

function rms(x: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (to - from));
}

async function expectUserError(path: string, pattern: RegExp): Promise<void> {
  let err: unknown;
  try {
    await loadAudio(path);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UserError);
  const e = err as UserError;
  expect(e.exitCode).toBe(1);
  expect(e.message).toContain(path);
  expect(e.message).not.toContain('\n');
  expect(e.message).toMatch(pattern);
}

const pcm16 = (samples: ArrayLike<number>, rate = 16000, channels = 1): Uint8Array =>
  riff([fmt({ tag: 1, channels, rate, bits: 16 }), chunk('data', int16Bytes(samples))]);

describe('conversions of files made with wavefile', () => {
  it('44.1 kHz stereo 24-bit: 1 s → 16000 samples, channels averaged, a 12 kHz tone removed rather than aliased to 4 kHz', async () => {
    const frames = 44100;
    const left = new Float64Array(frames);
    const right = new Float64Array(frames);
    for (let i = 0; i < frames; i++) {
      left[i] = Math.round(0.5 * 8388607 * Math.sin((2 * Math.PI * 1000 * i) / 44100));
      right[i] = Math.round(0.5 * 8388607 * Math.sin((2 * Math.PI * 12000 * i) / 44100));
    }
    const wav = new wavefile.WaveFile();
    wav.fromScratch(2, 44100, '24', [left, right]);
    const a = await loadAudio(write(wav.toBuffer()));

    expect(a.samples.length).toBe(16000);
    expect(a.sampleRate).toBe(16000);
    expect(a.source).toMatchObject({ sampleRate: 44100, channels: 2, encoding: '24-bit', sampleFrames: 44100 });
    expect(a.conversion).toBe('44100 Hz stereo 24-bit → 16000 Hz mono 16-bit');
    // Middle of the file (the ends hold the filters' transients).
    const [from, to] = [1600, 14400];
    // Average of a 0.5 full-scale 1 kHz tone and silence-after-filtering: 0.25 of full scale.
    expect(toneAmplitude(a.samples, 1000, 16000, from, to) / 32768).toBeCloseTo(0.25, 3);
    expect(rms(a.samples, from, to)).toBeCloseTo((0.25 * 32768) / Math.SQRT2, -1);
    // 12 kHz folds onto 4 kHz if it is not filtered out first; it must be > 60 dB down.
    expect(toneAmplitude(a.samples, 4000, 16000, from, to) / 32768).toBeLessThan(0.25e-3);
  });

  it('8 kHz µ-law: 0.5 s → 8000 samples, level kept, no image of the 1 kHz tone at 7 kHz', async () => {
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 8000, '16', sine16(4000, 1000, 8000, 16384));
    wav.toMuLaw();
    const a = await loadAudio(write(wav.toBuffer()));

    expect(a.source.encoding).toBe('8-bit µ-law');
    expect(a.conversion).toBe('8000 Hz mono 8-bit µ-law → 16000 Hz mono 16-bit');
    expect(a.samples.length).toBe(8000);
    const [from, to] = [800, 7200];
    // µ-law keeps about 1 % precision at this level.
    expect(toneAmplitude(a.samples, 1000, 16000, from, to) / 16384).toBeCloseTo(1, 1);
    expect(toneAmplitude(a.samples, 7000, 16000, from, to) / 16384).toBeLessThan(1e-3);
  });
});

describe('what the header says is checked, not trusted', () => {
  it('16 kHz mono 16-bit comes out bit-exact, with no conversion and no warning', async () => {
    const samples = Int16Array.from({ length: 4000 }, (_, i) => ((i * 7919) % 65536) - 32768);
    const a = await loadAudio(write(pcm16(samples)));
    expect(a.conversion).toBeNull();
    expect(a.warnings).toEqual([]);
    expect(Array.from(a.samples)).toEqual(Array.from(samples));
  });

  it('float data in a WAVE_FORMAT_EXTENSIBLE header is read as float, rounded to nearest and clipped', async () => {
    const values = [0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.5 / 32768, -2.5 / 32768, 0.4 / 32768, 100.49 / 32768];
    const body = float32Bytes([...values, ...new Array(MIN_SAMPLES).fill(0)]);
    const a = await loadAudio(write(riff([fmt({ tag: 3, channels: 1, rate: 16000, bits: 32, extensible: 3 }), chunk('data', body)])));
    expect(a.source.encoding).toBe('32-bit float');
    // Ties round up, as sox does (Math.round: 2.5 → 3, −2.5 → −2).
    expect(Array.from(a.samples.subarray(0, values.length))).toEqual([0, 16384, -16384, 32767, -32768, 32767, -32768, 3, -2, 0, 100]);
    expect(a.warnings.join(' ')).toMatch(/3 samples .* clipped/);
  });

  it('an extensible header with an unknown sub-format is refused by its GUID', async () => {
    const guid = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const path = write(riff([fmt({ tag: 1, channels: 1, rate: 16000, bits: 16, extensible: guid }), chunk('data', int16Bytes(new Int16Array(400)))]));
    await expectUserError(path, /sub-format \{04030201-0605-0807-090a-0b0c0d0e0f10\} is not supported/);
  });

  it('channels are averaged, rounding half up', async () => {
    const frames = 200;
    const inter = new Int16Array(frames * 4);
    for (let f = 0; f < frames; f++) inter.set(f % 2 ? [1, 2, 3, 4] : [-1, -2, -3, -4], 4 * f);
    const a = await loadAudio(write(pcm16(inter, 16000, 4)));
    expect(a.conversion).toBe('16000 Hz 4-channel 16-bit → 16000 Hz mono 16-bit');
    expect(Array.from(a.samples.subarray(0, 4))).toEqual([-2, 3, -2, 3]); // −2.5 → −2, 2.5 → 3
  });

  it('8-bit unsigned: 128 is silence and the pad byte after an odd-sized data chunk is not a sample', async () => {
    const body = Uint8Array.from({ length: 201 }, (_, i) => (i === 200 ? 255 : 128 + (i % 3) - 1));
    const path = write(riff([fmt({ tag: 1, channels: 1, rate: 16000, bits: 8 }), chunk('data', body), listInfo('after the data')]));
    const a = await loadAudio(path);
    expect(a.source.encoding).toBe('8-bit');
    expect(a.samples.length).toBe(201);
    expect(Array.from(a.samples.subarray(0, 3))).toEqual([-256, 0, 256]);
    expect(a.samples[200]).toBe(127 * 256);
    expect(a.warnings).toEqual([]);
  });

  it('an odd-sized chunk before the data is skipped with its pad byte, and without it when a writer forgot it', async () => {
    const samples = sine16(800, 440, 16000, 1000);
    const odd = chunk('note', ascii('odd'));
    const padded = await loadAudio(write(riff([fmt({ tag: 1, channels: 1, rate: 16000, bits: 16 }), odd, chunk('data', int16Bytes(samples))])));
    expect(Array.from(padded.samples)).toEqual(Array.from(samples));
    const unpadded = await loadAudio(write(riff([fmt({ tag: 1, channels: 1, rate: 16000, bits: 16 }), { ...odd, noPad: true }, chunk('data', int16Bytes(samples))])));
    expect(Array.from(unpadded.samples)).toEqual(Array.from(samples));
  });

  it('LIST, cue and other chunks before the data are ignored (a corrupt cue count does not hang)', async () => {
    const samples = sine16(800, 440, 16000, 1000);
    const cue = new Uint8Array(4);
    new DataView(cue.buffer).setUint32(0, 0xffffffff, true); // "4 billion cue points" in a 4-byte chunk
    const path = write(riff([listInfo('title'), chunk('cue ', cue), fmt({ tag: 1, channels: 1, rate: 16000, bits: 16 }), chunk('junk', new Uint8Array(31)), chunk('data', int16Bytes(samples))]));
    const a = await loadAudio(path);
    expect(Array.from(a.samples)).toEqual(Array.from(samples));
    expect(a.warnings).toEqual([]);
  });

  it('a truncated file: trains on what is there and warns', async () => {
    const full = pcm16(sine16(16000, 440, 16000, 1000));
    const cut = full.subarray(0, 44 + 2 * 5000 + 1); // ends in the middle of a sample
    const a = await loadAudio(write(cut));
    expect(a.samples.length).toBe(5000);
    expect(Array.from(a.samples)).toEqual(Array.from(sine16(5000, 440, 16000, 1000)));
    expect(a.warnings).toHaveLength(1);
    expect(a.warnings[0]).toMatch(/claims 32000 bytes but the file ends after 10001.*0\.31 s.*truncated/);
  });

  it('a data size of 0xFFFFFFFF (a recorder that never closed the file) reads to the end of the file, with a warning', async () => {
    const samples = sine16(1600, 440, 16000, 1000);
    const a = await loadAudio(write(riff([fmt({ tag: 1, channels: 1, rate: 16000, bits: 16 }), chunk('data', int16Bytes(samples), { declaredSize: 0xffffffff })])));
    expect(Array.from(a.samples)).toEqual(Array.from(samples));
    expect(a.warnings[0]).toMatch(/does not give the audio length/);
  });

  it('a data size of 0 followed by audio (a writer that never filled it in) reads to the end of the file, with a warning', async () => {
    const samples = sine16(1600, 440, 16000, 1000);
    const a = await loadAudio(write(riff([fmt({ tag: 1, channels: 1, rate: 16000, bits: 16 }), chunk('data', int16Bytes(samples), { declaredSize: 0 })])));
    expect(Array.from(a.samples)).toEqual(Array.from(samples));
    expect(a.warnings[0]).toMatch(/does not give the audio length.*3200 bytes to the end of the file \(0\.10 s\)/);
  });

  it('fmt after data is fine', async () => {
    const samples = sine16(800, 440, 16000, 1000);
    const a = await loadAudio(write(riff([chunk('data', int16Bytes(samples)), fmt({ tag: 1, channels: 1, rate: 16000, bits: 16 })])));
    expect(Array.from(a.samples)).toEqual(Array.from(samples));
  });
});

describe('refusals: one line naming the file, exit code 1', () => {
  const s = (): Uint8Array => int16Bytes(new Int16Array(400));

  it('a missing file', async () => expectUserError(join(dir, 'nope.wav'), /no such file/));
  it('a directory', async () => {
    const d = join(dir, 'a-folder.wav');
    mkdirSync(d, { recursive: true });
    await expectUserError(d, /is a directory/);
  });
  it('an empty file', async () => expectUserError(write(new Uint8Array(0)), /empty/));
  it('a text file', async () => expectUserError(write(ascii('hello, this is not audio\n')), /not a WAV file.*"RIFF….WAVE"/));
  it('an MP3 renamed .wav is read as MP3 (told from its bytes); one with no audio is refused as such', async () =>
    expectUserError(write(ascii('ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000')), /looks like MP3 but holds no audio that decodes/));
  it('an AIFF file names itself and ffmpeg', async () =>
    expectUserError(write(ascii('FORM\u0000\u0000\u0000\u0004AIFF')), /it (is|looks like) an AIFF file/));
  it('a big-endian RIFX file', async () => {
    const b = pcm16(new Int16Array(400));
    b.set(ascii('RIFX'), 0);
    await expectUserError(write(b), /big-endian WAV \(RIFX\) is not supported/);
  });
  it('MP3-in-WAV is named, with the command that converts it', async () =>
    expectUserError(write(riff([fmt({ tag: 0x55, channels: 1, rate: 16000, bits: 0, blockAlign: 1 }), chunk('data', s())])),
      /MP3-in-WAV \(format 0x55\) is not supported: convert it with `sox in\.wav -e signed -b 16 out\.wav`$/));
  it('Microsoft ADPCM is named', async () =>
    expectUserError(write(riff([fmt({ tag: 0x02, channels: 1, rate: 16000, bits: 4, blockAlign: 256 }), chunk('data', s())])), /Microsoft ADPCM \(format 0x2\)/));
  it('an unknown format tag', async () =>
    expectUserError(write(riff([fmt({ tag: 0x1234, channels: 1, rate: 16000, bits: 16 }), chunk('data', s())])), /audio format 0x1234 is not one dlaudio can decode/));
  it('zero channels', async () =>
    expectUserError(write(riff([fmt({ tag: 1, channels: 0, rate: 16000, bits: 16, blockAlign: 2 }), chunk('data', s())])), /0 channels/));
  it('a zero sample rate', async () => expectUserError(write(riff([fmt({ tag: 1, channels: 1, rate: 0, bits: 16 }), chunk('data', s())])), /sample rate is 0 Hz/));
  it('a block size that does not match the sample size', async () =>
    expectUserError(write(riff([fmt({ tag: 1, channels: 2, rate: 16000, bits: 16, blockAlign: 2 }), chunk('data', s())])), /header is inconsistent/));
  it('no fmt chunk', async () => expectUserError(write(riff([chunk('data', s())])), /no "fmt " chunk/));
  it('no data chunk', async () => expectUserError(write(riff([fmt({ tag: 1, channels: 1, rate: 16000, bits: 16 })])), /no "data" chunk/));
  it('longer than the memory budget: refused with the figure, and --seconds/--start as the way out', async () => {
    // 83 min at 1 kHz (5 MB): 80 M samples at 16 kHz, over the 1 GiB budget (76.7 M samples).
    const long = write(riff([fmt({ tag: 1, channels: 1, rate: 1000, bits: 8 }), chunk('data', new Uint8Array(5_000_000).fill(128))]));
    await expectUserError(long, /83\.3 min of audio: working on 83\.3 min at once would take ~1\.0 GB of memory \(dlaudio keeps under 1 GB, 79 min\): take a part with --seconds \(up to 4740\) and --start .*; if you really need more, set DLAUDIO_MAX_AUDIO_BYTES \(see docs\/limits\.md\)$/);
    // A window of it loads, from where it was asked, without decoding the rest.
    const part = await loadAudio(long, { start: 60, seconds: 10 });
    expect(part.samples.length).toBe(160_000);
    expect(part.source.sampleFrames).toBe(5_000_000);
  });
  it('the budget is DLAUDIO_MAX_AUDIO_BYTES: lowered, a 5 s file is refused with the variable named; raised, it loads', async () => {
    const five = write(pcm16(sine16(80_000, 440, 16000, 8000))); // 5 s: 80 000 samples × 14 bytes = 1.07 MiB
    const saved = process.env.DLAUDIO_MAX_AUDIO_BYTES;
    try {
      process.env.DLAUDIO_MAX_AUDIO_BYTES = '1000000';
      await expectUserError(five, /: 5\.0 s of audio: working on 5\.0 s at once would take ~1\.1 MB of memory \(dlaudio keeps under 1\.0 MB, 4 s\): take a part with --seconds \(up to 4\) and --start .*trim 0 4`; if you really need more, set DLAUDIO_MAX_AUDIO_BYTES/);
      // The way out the message gives works within the same budget.
      expect((await loadAudio(five, { seconds: 4 })).samples.length).toBe(64_000);
      process.env.DLAUDIO_MAX_AUDIO_BYTES = String(80_000 * 14);
      expect((await loadAudio(five)).samples.length).toBe(80_000);
      process.env.DLAUDIO_MAX_AUDIO_BYTES = 'lots'; // not a number: the default (1 GiB) applies
      expect((await loadAudio(five)).samples.length).toBe(80_000);
    } finally {
      if (saved === undefined) delete process.env.DLAUDIO_MAX_AUDIO_BYTES;
      else process.env.DLAUDIO_MAX_AUDIO_BYTES = saved;
    }
  });
  it('--start past the end is a usage error that gives the length', async () => {
    const short = write(pcm16(new Int16Array(16000)));
    await expect(loadAudio(short, { start: 5 })).rejects.toThrow(/--start 5 is past the end of .* \(1\.00 s\)/);
  });
  it('fewer than 160 samples at 16 kHz', async () => expectUserError(write(pcm16(new Int16Array(100))), /100 samples .*at least 160 samples \(10 ms, one frame\)/));
  it('fewer than 160 samples once converted to 16 kHz', async () =>
    expectUserError(write(pcm16(new Int16Array(400), 48000)), /133 samples after conversion to 16 kHz.*at least 160/));
});

describe('damaged files', () => {
  it('400 randomly damaged headers: each one loads or is refused with a one-line UserError, never anything else', async () => {
    const bases: Uint8Array[] = [
      pcm16(sine16(1000, 440, 16000, 8000)),
      riff([fmt({ tag: 3, channels: 2, rate: 44100, bits: 32, extensible: 3 }), listInfo('x'), chunk('data', float32Bytes(new Float32Array(1200)))]),
      (() => { const w = new wavefile.WaveFile(); w.fromScratch(1, 8000, '16', sine16(2000, 440, 8000, 8000)); w.toMuLaw(); return w.toBuffer(); })(),
      (() => { const w = new wavefile.WaveFile(); w.fromScratch(1, 8000, '16', sine16(2000, 440, 8000, 8000)); w.toIMAADPCM(); return w.toBuffer(); })(),
    ];
    let seed = 2024;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const outcomes = { loaded: 0, refused: 0 };
    for (let i = 0; i < 400; i++) {
      let b = Uint8Array.from(bases[i % bases.length]!);
      for (let k = 0, mutations = 1 + Math.floor(rnd() * 3); k < mutations; k++) {
        const pos = Math.floor(rnd() * Math.min(b.length, 90)); // the headers live in the first 90 bytes
        const r = rnd();
        if (r < 0.6) b[pos] = Math.floor(rnd() * 256);
        else if (r < 0.8) b = b.subarray(0, pos);
        else if (pos + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(pos, [0, 1, 3, 0x7fffffff, 0xffffffff][Math.floor(rnd() * 5)]!, true);
      }
      const path = write(b, 'damaged.wav');
      try {
        const a = await loadAudio(path);
        expect(a.samples.length).toBeGreaterThanOrEqual(MIN_SAMPLES);
        outcomes.loaded++;
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        expect((e as UserError).message.startsWith(`${path}`)).toBe(true);
        expect((e as UserError).message).not.toContain('\n');
        outcomes.refused++;
      }
    }
    // Both outcomes occur, so the mutations reach past the first check.
    expect(outcomes.loaded).toBeGreaterThan(20);
    expect(outcomes.refused).toBeGreaterThan(20);
  });
});

describe('encodeWav16', () => {
  it('writes the canonical 44-byte header, and loadAudio reads it back bit-exact', async () => {
    const samples = Int16Array.from({ length: 500 }, (_, i) => (i % 2 ? -32768 : 32767) - (i % 7));
    const bytes = encodeWav16(samples, 16000);
    expect(bytes.length).toBe(44 + 1000);
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    expect(String.fromCharCode(...bytes.subarray(0, 4), ...bytes.subarray(8, 16), ...bytes.subarray(36, 40))).toBe('RIFFWAVEfmt data');
    expect([v.getUint32(4, true), v.getUint32(16, true), v.getUint16(20, true), v.getUint16(22, true)]).toEqual([1036, 16, 1, 1]);
    expect([v.getUint32(24, true), v.getUint32(28, true), v.getUint16(32, true), v.getUint16(34, true), v.getUint32(40, true)]).toEqual([16000, 32000, 2, 16, 1000]);
    const back = await loadAudio(write(bytes));
    expect(back.conversion).toBeNull();
    expect(Array.from(back.samples)).toEqual(Array.from(samples));
  });
});
