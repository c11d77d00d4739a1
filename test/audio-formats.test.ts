/**
 * Every supported WAV encoding, written by sox, must come out as
 * `sox -D in.wav -r 16000 -c 1 -b 16 out.wav` makes it.
 *
 * -D (no dither) makes sox's bit-depth reduction deterministic, so same-rate
 * conversions must agree bit for bit. Resamplers differ (sox uses a long
 * linear-phase FIR, we use the Speex resampler at quality 8), so resampled
 * results are compared by SNR against sox, on test signals faded in and out
 * (an abrupt start is a click whose top octave each filter shapes
 * differently). Measured when these thresholds were set (with wavefile's
 * Butterworth + sinc resampler before it, in brackets):
 *   tones (440 + 1000 + 3000 Hz), downsampled from 22.05–96 kHz: 95–112 dB (88–108)
 *   tones upsampled from 11.025 kHz: 94 dB (86); from 8 kHz (µ-law): 79 dB (60)
 *   pink noise low-passed at 7 kHz, downsampled from 44.1/48 kHz: 91–94 dB (82–91)
 *   pink noise (full band) upsampled from 8/11.025 kHz: 52 dB (38–41)
 * Near the input's Nyquist frequency the two differ most (sox stays flat to
 * 95 % of it, Speex's filter rolls off a little earlier), hence the full-band
 * noise figures. sox's noise is random, so the thresholds sit ~5 dB under the
 * measured values.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAudio } from '../src/audio/wav.js';
import { sox, soxReference, compare, skipWithoutSox, SOX_SKIP_REASON } from './helpers/audio-sox.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dlaudio-formats-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Different generators per channel (sox gives channel k the k-th one), so mixing is really tested. */
const TONES = ['sine', '440', 'sine', '1000', 'sine', '3000'];

function make(name: string, rate: number, channels: number, encoding: string[], synth: string[], seconds = 1): string {
  const path = join(dir, name);
  sox('-n', '-r', String(rate), '-c', String(channels), ...encoding, path, 'synth', String(seconds), ...synth, 'fade', '0.05', String(seconds), '0.05', 'vol', '0.5');
  return path;
}

describe.skipIf(skipWithoutSox)(`same rate: bit-exact with sox -D${skipWithoutSox ? ` (${SOX_SKIP_REASON})` : ''}`, () => {
  const cases: Array<[string, number, string[], string]> = [
    ['16-bit mono', 1, ['-b', '16'], '16-bit'],
    ['16-bit stereo', 2, ['-b', '16'], '16-bit'],
    ['16-bit 3 channels (extensible header)', 3, ['-b', '16'], '16-bit'],
    ['8-bit unsigned', 1, ['-b', '8', '-e', 'unsigned-integer'], '8-bit'],
    ['24-bit', 1, ['-b', '24'], '24-bit'],
    ['32-bit integer', 1, ['-b', '32', '-e', 'signed-integer'], '32-bit'],
    ['32-bit float', 1, ['-b', '32', '-e', 'floating-point'], '32-bit float'],
    ['32-bit float, 3 channels (float in an extensible header)', 3, ['-b', '32', '-e', 'floating-point'], '32-bit float'],
    ['64-bit float', 1, ['-b', '64', '-e', 'floating-point'], '64-bit float'],
    ['µ-law', 1, ['-e', 'mu-law'], '8-bit µ-law'],
    ['A-law', 2, ['-e', 'a-law'], '8-bit A-law'],
  ];
  for (const [label, channels, encoding, expected] of cases) {
    it(label, async () => {
      const file = make(`${label.replace(/\W+/g, '_')}.wav`, 16000, channels, encoding, TONES.slice(0, 2 * channels));
      const ours = await loadAudio(file);
      const ref = soxReference(file, `${file}.ref.wav`);
      expect(ours.source.encoding).toBe(expected);
      expect(ours.source.channels).toBe(channels);
      expect(ours.samples.length).toBe(ref.length);
      expect(compare(ours.samples, ref).maxDiff).toBe(0);
      expect(ours.conversion === null).toBe(label === '16-bit mono');
    });
  }

  for (const channels of [1, 2]) {
    it(`IMA ADPCM, ${channels} channel(s): bit-exact, and cut to the length the fact chunk gives`, async () => {
      const file = make(`ima${channels}.wav`, 16000, channels, ['-e', 'ima-adpcm'], TONES.slice(0, 2 * channels));
      const ours = await loadAudio(file);
      const ref = soxReference(file, `${file}.ref.wav`);
      expect(ours.source.encoding).toBe('IMA ADPCM');
      // sox decodes the padding of the last block too; the fact chunk says 1 s.
      expect(ours.samples.length).toBe(16000);
      expect(ref.length).toBeGreaterThanOrEqual(16000);
      expect(compare(ours.samples, ref.subarray(0, 16000)).maxDiff).toBe(0);
    });
  }

  it('16-bit mono input comes out bit-exact', async () => {
    const file = make('white.wav', 16000, 1, ['-b', '16'], ['whitenoise']);
    const ref = soxReference(file, `${file}.ref.wav`); // sox -D at the same format is a plain copy
    const ours = await loadAudio(file);
    expect(ours.conversion).toBeNull();
    expect(Array.from(ours.samples)).toEqual(Array.from(ref));
  });
});

describe.skipIf(skipWithoutSox)(`resampled: close to sox${skipWithoutSox ? ` (${SOX_SKIP_REASON})` : ''}`, () => {
  const cases: Array<[string, number, number, string[], string[], number]> = [
    ['44.1 kHz stereo 24-bit tones', 44100, 2, ['-b', '24'], TONES.slice(0, 4), 90],
    ['48 kHz mono 16-bit tones', 48000, 1, ['-b', '16'], TONES, 90],
    ['22.05 kHz mono 16-bit tones', 22050, 1, ['-b', '16'], TONES, 90],
    ['96 kHz mono 64-bit float tones', 96000, 1, ['-b', '64', '-e', 'floating-point'], TONES, 90],
    ['11.025 kHz mono 16-bit tones (upsampled)', 11025, 1, ['-b', '16'], TONES, 89],
    ['8 kHz µ-law tones (upsampled)', 8000, 1, ['-e', 'mu-law'], TONES, 73],
    ['44.1 kHz stereo pink noise below 7 kHz', 44100, 2, ['-b', '16'], ['pinknoise', 'pinknoise', 'sinc', '-7000'], 85],
    ['48 kHz 32-bit float pink noise below 7 kHz', 48000, 1, ['-b', '32', '-e', 'floating-point'], ['pinknoise', 'sinc', '-7000'], 85],
    ['8 kHz A-law pink noise (upsampled)', 8000, 1, ['-e', 'a-law'], ['pinknoise'], 46],
    ['11.025 kHz IMA ADPCM pink noise (upsampled)', 11025, 1, ['-e', 'ima-adpcm'], ['pinknoise'], 46],
  ];
  for (const [label, rate, channels, encoding, synth, minSnr] of cases) {
    it(`${label}: SNR ≥ ${minSnr} dB, same length`, async () => {
      const file = make(`${label.replace(/\W+/g, '_')}.wav`, rate, channels, encoding, synth, 2);
      const ours = await loadAudio(file);
      const ref = soxReference(file, `${file}.ref.wav`);
      const expectedLength = Math.round((ours.source.sampleFrames * 16000) / rate);
      expect(ours.samples.length).toBe(expectedLength);
      // sox decodes IMA ADPCM block padding too (see above); every other length must match exactly.
      if (encoding[1] !== 'ima-adpcm') expect(ref.length).toBe(expectedLength);
      expect(compare(ours.samples, ref).snr).toBeGreaterThanOrEqual(minSnr);
      expect(ours.conversion).toMatch(new RegExp(`^${rate} Hz .* → 16000 Hz mono 16-bit$`));
    });
  }
});
