/**
 * MP4/M4A (AAC), AIFF, AMR, WebM… through the ffmpeg command, when it is installed. No AAC decoder
 * on the registry fits our licence (the FAAD2-based ones are GPL), and ffmpeg is on most machines
 * that handle audio. ffprobe (part of ffmpeg) gives the rate and channels; ffmpeg writes raw
 * 64-bit float samples on a pipe, read as they come, and we mix them down as for every other format.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { AudioStream } from './source.js';
import { mixDown } from './mix.js';

const INSTALL = 'install ffmpeg (`sudo apt install ffmpeg`, `brew install ffmpeg`, or ffmpeg.org on Windows)';

export function openWithFfmpeg(path: string, what: string): AudioStream {
  const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name,sample_rate,channels', '-of', 'json', path], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(`it is ${what}: dlaudio reads it with ffmpeg, which is not installed: ${INSTALL}, or convert it to WAV elsewhere`);
  }
  if (probe.status !== 0) throw new Error(`it looks like ${what} but ffmpeg cannot read it (${lastLine(probe.stderr)}): is it damaged?`);
  const stream = (JSON.parse(probe.stdout) as { streams?: Array<{ codec_name?: string; sample_rate?: string; channels?: number }> }).streams?.[0];
  const sampleRate = Number(stream?.sample_rate);
  const channels = stream?.channels ?? 0;
  if (!stream || !(sampleRate > 0) || !(channels > 0)) throw new Error(`it is ${what} but has no audio track ffmpeg can find`);
  const encoding = `${(stream.codec_name ?? 'unknown').toUpperCase()} (decoded by ffmpeg)`;

  async function* blocks(): AsyncGenerator<Float64Array> {
    const child = spawn('ffmpeg', ['-v', 'error', '-nostdin', '-i', path, '-map', '0:a:0', '-f', 'f64le', '-acodec', 'pcm_f64le', 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => { stderr = (stderr + s).slice(-4000); });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const frameBytes = 8 * channels;
    let rest = new Uint8Array(0);
    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        const bytes = rest.length ? concat(rest, chunk) : chunk;
        const whole = bytes.length - (bytes.length % frameBytes);
        // Copy: the pipe's buffer is not 8-byte aligned for a Float64Array view.
        const samples = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + whole));
        rest = bytes.slice(whole);
        yield mixDown(samples, channels);
      }
      const code = await exited;
      if (code !== 0) throw new Error(`ffmpeg could not decode it (${lastLine(stderr)})`);
    } finally {
      if (child.exitCode === null) child.kill();
    }
  }
  return { format: { sampleRate, channels, encoding }, plain16kMono: false, warnings: [], blocks };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function lastLine(s: string): string {
  return s.trim().split('\n').pop()?.trim() || 'no message';
}
