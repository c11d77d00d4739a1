/**
 * Compressed recordings, encoded in the test from the bundled sample (made 44.1 kHz stereo first,
 * as phones record) with Debian's encoders, then read by dlaudio and compared with the reference
 * decoders' output (ffmpeg, opusdec, sox) converted by `sox -D … -r 16000 -c 1 -b 16`.
 * Our resampler is not sox's: on this signal (speech up to 8 kHz, close to the filters'
 * transition) our conversion of the WAV itself is ~67 dB from sox's. Each decoder must come
 * within 3 dB of that (measured when set: MP3, Opus, Vorbis and AAC all 66.9–67.8 dB), so what the
 * decoders add is far below what the resamplers differ by. FLAC is lossless: bit-exact with the
 * WAV it was made from.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAudio } from '../src/audio/wav.js';
import { UserError } from '../src/errors.js';
import { SAMPLE } from './helpers/sample.js';
import { sox, soxReference, compare } from './helpers/audio-sox.js';

const TOOLS: Array<[string, string[], string]> = [
  ['sox', ['--version'], 'sox'],
  ['lame', ['--version'], 'lame'],
  ['flac', ['--version'], 'flac'],
  ['opusenc', ['--version'], 'opus-tools'],
  ['opusdec', ['--version'], 'opus-tools'],
  ['ffmpeg', ['-version'], 'ffmpeg'],
];
const missing = TOOLS.filter(([cmd, args]) => spawnSync(cmd, args).status !== 0).map(([, , pkg]) => pkg);
const skip = missing.length > 0 && process.env.CI !== 'true';
const why = skip ? ` (skipped: apt-get install ${[...new Set(missing)].join(' ')})` : '';

function run(cmd: string, ...args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
}

let dir = '';
let wav = '';
/** SNR of our conversion of the WAV itself against sox's: the resamplers' agreement on this signal. */
let floor = 0;
beforeAll(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'dlaudio-compressed-'));
  wav = join(dir, 'phone.wav');
  sox(SAMPLE, '-r', '44100', '-c', '2', '-b', '16', wav);
  floor = compare((await loadAudio(wav)).samples, soxReference(wav, `${wav}.16k.wav`)).snr - 3;
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** sox's 16 kHz conversion of a reference decoder's output. */
function reference(decoded: string): Int16Array {
  return soxReference(decoded, `${decoded}.16k.wav`);
}

describe.skipIf(skip)(`compressed formats, compared with the reference decoders${why}`, () => {
  it('a format that does not give its length up front is held to DLAUDIO_MAX_AUDIO_BYTES while it decodes', async () => {
    const flac = join(dir, 'budget.flac');
    run('flac', '--silent', '-f', '-o', flac, wav);
    process.env.DLAUDIO_MAX_AUDIO_BYTES = '1000000'; // 71 428 samples at 16 kHz: the 5 s sample is 80 000
    try {
      const err = await loadAudio(flac).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toMatch(/budget\.flac: more than [\d.]+ s of audio: .*take a part with --seconds \(up to 4\).*; if you really need more, set DLAUDIO_MAX_AUDIO_BYTES \(see docs\/limits\.md\)$/);
    } finally {
      delete process.env.DLAUDIO_MAX_AUDIO_BYTES;
    }
    expect((await loadAudio(flac)).samples.length).toBe(80_000);
  });
  it('MP3 (lame, 128 kbit/s) against ffmpeg\'s decoding: same length (gapless), SNR within 3 dB of the WAV\'s', async () => {
    const mp3 = join(dir, 'voice.mp3');
    run('lame', '--quiet', '-b', '128', wav, mp3);
    run('ffmpeg', '-v', 'error', '-y', '-i', mp3, '-c:a', 'pcm_f32le', `${mp3}.ref.wav`);
    const ours = await loadAudio(mp3);
    const ref = reference(`${mp3}.ref.wav`);
    expect(ours.source).toMatchObject({ encoding: 'MP3', sampleRate: 44100, channels: 2 });
    expect(ours.conversion).toBe('44100 Hz stereo MP3 → 16000 Hz mono 16-bit');
    expect(ours.samples.length).toBe(ref.length);
    expect(compare(ours.samples, ref).snr).toBeGreaterThanOrEqual(floor);
  });

  it('FLAC: lossless, so bit-exact with the WAV it was encoded from, and what sox makes of it', async () => {
    const flac = join(dir, 'voice.flac');
    run('flac', '--silent', '-f', '-o', flac, wav);
    const ours = await loadAudio(flac);
    expect(ours.source).toMatchObject({ encoding: 'FLAC', sampleRate: 44100, channels: 2 });
    expect(Array.from(ours.samples)).toEqual(Array.from((await loadAudio(wav)).samples));
    expect(compare(ours.samples, soxReference(flac, `${flac}.16k.wav`)).snr).toBeGreaterThanOrEqual(floor);
  });

  it('Ogg Opus (opusenc) against opusdec at 48 kHz: same length, SNR within 3 dB of the WAV\'s', async () => {
    const opus = join(dir, 'voice.opus');
    run('opusenc', '--quiet', wav, opus);
    run('opusdec', '--quiet', '--rate', '48000', '--float', opus, `${opus}.ref.wav`);
    const ours = await loadAudio(opus);
    const ref = reference(`${opus}.ref.wav`);
    expect(ours.source).toMatchObject({ encoding: 'Ogg Opus', sampleRate: 48000 });
    expect(ours.samples.length).toBe(ref.length);
    expect(compare(ours.samples, ref).snr).toBeGreaterThanOrEqual(floor);
  });

  it('Ogg Vorbis (ffmpeg\'s libvorbis) against ffmpeg\'s decoding: SNR within 3 dB of the WAV\'s', async () => {
    const ogg = join(dir, 'voice.ogg');
    run('ffmpeg', '-v', 'error', '-y', '-i', wav, '-c:a', 'libvorbis', ogg);
    run('ffmpeg', '-v', 'error', '-y', '-i', ogg, '-c:a', 'pcm_f32le', `${ogg}.ref.wav`);
    const ours = await loadAudio(ogg);
    const ref = reference(`${ogg}.ref.wav`);
    expect(ours.source).toMatchObject({ encoding: 'Ogg Vorbis', sampleRate: 44100, channels: 2 });
    expect(Math.abs(ours.samples.length - ref.length)).toBeLessThanOrEqual(1);
    expect(compare(ours.samples, ref).snr).toBeGreaterThanOrEqual(floor);
  });

  it('M4A (AAC) is decoded through ffmpeg: same length, SNR within 3 dB of the WAV\'s', async () => {
    const m4a = join(dir, 'voice.m4a');
    run('ffmpeg', '-v', 'error', '-y', '-i', wav, '-c:a', 'aac', m4a);
    run('ffmpeg', '-v', 'error', '-y', '-i', m4a, '-c:a', 'pcm_f32le', `${m4a}.ref.wav`);
    const ours = await loadAudio(m4a);
    const ref = reference(`${m4a}.ref.wav`);
    expect(ours.source).toMatchObject({ encoding: 'AAC (decoded by ffmpeg)', sampleRate: 44100, channels: 2 });
    expect(ours.samples.length).toBe(ref.length);
    expect(compare(ours.samples, ref).snr).toBeGreaterThanOrEqual(floor);
  });

  it('M4A without ffmpeg installed: one line that says to install it', async () => {
    const m4a = join(dir, 'voice.m4a');
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'no-tools-here');
    try {
      await expect(loadAudio(m4a)).rejects.toThrow(/voice\.m4a: it is an MP4\/M4A file \(.*usually AAC\): dlaudio reads it with ffmpeg, which is not installed: install ffmpeg/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('the format is told from the bytes: an Opus voice message named .wav, an MP3 named .m4a', async () => {
    const opusAsWav = join(dir, 'message.wav');
    copyFileSync(join(dir, 'voice.opus'), opusAsWav);
    expect((await loadAudio(opusAsWav)).source.encoding).toBe('Ogg Opus');
    const mp3AsM4a = join(dir, 'song.m4a');
    copyFileSync(join(dir, 'voice.mp3'), mp3AsM4a);
    expect((await loadAudio(mp3AsM4a)).source.encoding).toBe('MP3');
  });

  it('a truncated Ogg Opus file: what is there, and the rest refused cleanly', async () => {
    const opus = join(dir, 'voice.opus');
    const cut = join(dir, 'cut.opus');
    const whole = readFileSync(opus);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const ours = await loadAudio(cut);
    expect(ours.samples.length).toBeGreaterThan(16000);
    expect(ours.samples.length).toBeLessThan(72000);
    expect(ours.warnings.join()).toMatch(/truncated.*last whole page/);
    // What is there is the start of the whole file's decoding.
    const whole16k = (await loadAudio(opus)).samples;
    expect(compare(ours.samples.subarray(0, 16000), whole16k.subarray(0, 16000)).snr).toBeGreaterThan(60);
    writeFileSync(cut, whole.subarray(0, 40));
    const err = await loadAudio(cut).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/cut\.opus: it looks like Ogg Opus but holds no audio that decodes/);
  });
});
