/** `dlaudio convert` through the real bin (needs `npm run build`, which `npm test` runs first). */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { runBin } from './helpers/run.js';
import { loadAudio, encodeWav16 } from '../src/audio/wav.js';
import { riff, fmt, chunk, int16Bytes, ascii, sine16 } from './helpers/audio-wav-builder.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dlaudio-convert-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function stereo44k24(): Uint8Array {
  const wav = new wavefile.WaveFile();
  const l = Float64Array.from({ length: 44100 }, (_, i) => Math.round(4e6 * Math.sin((2 * Math.PI * 440 * i) / 44100)));
  const r = Float64Array.from({ length: 44100 }, (_, i) => Math.round(2e6 * Math.sin((2 * Math.PI * 1000 * i) / 44100)));
  wav.fromScratch(2, 44100, '24', [l, r]);
  return wav.toBuffer();
}

const pcm16 = (samples: ArrayLike<number>, rate = 16000): Uint8Array =>
  riff([fmt({ tag: 1, channels: 1, rate, bits: 16 }), chunk('data', int16Bytes(samples))]);

describe('dlaudio convert', () => {
  it('writes exactly the samples training sees, says what it converted on stderr and where it wrote on stdout', async () => {
    const input = file('stereo.wav', stereo44k24());
    const output = join(dir, 'out.wav');
    const r = await runBin(['convert', input, '-o', output]);
    expect(r.stderr).toBe(`converted ${input}: 44100 Hz stereo 24-bit → 16000 Hz mono 16-bit\n`);
    expect(r.stdout).toBe(`${output}: 1.00 s, 16000 samples, 16000 Hz mono 16-bit\n`);
    expect(r.code).toBe(0);
    expect(Buffer.from(readFileSync(output)).equals(Buffer.from(encodeWav16((await loadAudio(input)).samples, 16000)))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--json gives the source format, the conversion and the output', async () => {
    const input = file('stereo-json.wav', stereo44k24());
    const output = join(dir, 'out-json.wav');
    const r = await runBin(['convert', input, '-o', output, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(j).toMatchObject({
      input,
      output,
      source: { path: input, sampleRate: 44100, channels: 2, encoding: '24-bit', sampleFrames: 44100 },
      conversion: '44100 Hz stereo 24-bit → 16000 Hz mono 16-bit',
      warnings: [],
      sampleRate: 16000,
      channels: 1,
      bitsPerSample: 16,
      samples: 16000,
      seconds: 1,
    });
  });

  it('a 16 kHz mono 16-bit file comes out byte for byte the same', async () => {
    const bytes = pcm16(sine16(3200, 440, 16000, 12000));
    const input = file('already.wav', bytes);
    const output = join(dir, 'already-out.wav');
    const r = await runBin(['convert', input, '-o', output]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`${input} already is 16 kHz mono 16-bit: samples copied unchanged\n`);
    expect(Buffer.from(readFileSync(output)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('a truncated file is converted, with a warning', async () => {
    const input = file('truncated.wav', pcm16(sine16(16000, 440, 16000, 1000)).subarray(0, 44 + 8000));
    const output = join(dir, 'truncated-out.wav');
    const r = await runBin(['convert', input, '-o', output]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: its data chunk claims 32000 bytes but the file ends after 8000: using the 0\.25 s present \(the file is truncated\)$/m);
    expect(r.stdout).toContain('0.25 s, 4000 samples');
  });

  // Concurrent: each case is a node start-up, mostly waiting.
  describe.concurrent('refusals: one line on stderr naming the file, exit code 1, nothing written', () => {
    const cases: Array<[string, () => string, RegExp]> = [
      ['a missing file', () => join(dir, 'missing.wav'), /no such file: check the name/],
      ['a directory', () => { const d = join(dir, 'folder.wav'); mkdirSync(d, { recursive: true }); return d; }, /is a directory, not a WAV file: give the path/],
      ['not a RIFF/WAVE file', () => file('text.wav', ascii('just some text, not audio\n')), /not a WAV file/],
      ['MP3-in-WAV', () => file('mp3.wav', riff([fmt({ tag: 0x55, channels: 1, rate: 16000, bits: 0, blockAlign: 1 }), chunk('data', new Uint8Array(800))])),
        /MP3-in-WAV \(format 0x55\) is not supported: convert it with `sox in.wav -e signed -b 16 out.wav`$/],
      ['zero channels', () => file('zero-ch.wav', riff([fmt({ tag: 1, channels: 0, rate: 16000, bits: 16, blockAlign: 2 }), chunk('data', new Uint8Array(800))])), /0 channels/],
      ['a zero sample rate', () => file('zero-rate.wav', riff([fmt({ tag: 1, channels: 1, rate: 0, bits: 16 }), chunk('data', new Uint8Array(800))])), /0 Hz/],
      ['fewer samples than one frame', () => file('short.wav', pcm16(new Int16Array(159))), /159 samples .*at least 160 samples \(10 ms, one frame\) at 16 kHz/],
      ['no data chunk', () => file('no-data.wav', riff([fmt({ tag: 1, channels: 1, rate: 16000, bits: 16 })])), /no "data" chunk/],
    ];
    for (const [label, makeInput, pattern] of cases) {
      it(label, async ({ expect }) => {
        const input = makeInput();
        const output = join(dir, `refused-${label.replace(/\W+/g, '-')}.wav`);
        const r = await runBin(['convert', input, '-o', output]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        const lines = r.stderr.trimEnd().split('\n');
        expect(lines).toHaveLength(1); // no stack trace
        expect(lines[0]!.startsWith(`dlaudio: ${input}`)).toBe(true);
        expect(lines[0]).toMatch(pattern);
        expect(existsSync(output)).toBe(false);
      });
    }
  });

  it('an output folder that does not exist: exit 1, one line', async () => {
    const input = file('ok.wav', pcm16(new Int16Array(400)));
    const r = await runBin(['convert', input, '-o', join(dir, 'no-such-folder', 'x.wav')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dlaudio: cannot write .*x\.wav: its folder does not exist$/m);
  });

  it('usage mistakes exit with 2: no -o, or -o naming the input', async () => {
    const input = file('ok2.wav', pcm16(new Int16Array(400)));
    expect((await runBin(['convert', input])).code).toBe(2);
    const same = await runBin(['convert', input, '-o', input]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/is the input file/);
    expect(Buffer.from(readFileSync(input)).equals(Buffer.from(pcm16(new Int16Array(400))))).toBe(true);
  });
});
