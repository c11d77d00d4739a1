import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SAMPLE = fileURLToPath(new URL('../../fixtures/sample.wav', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/dlaudio.js', import.meta.url));

/** The bundled sample's samples, read directly (it is 16 kHz mono 16-bit PCM with a 44-byte header). */
export function sampleInt16(): Int16Array {
  const buf = readFileSync(SAMPLE);
  if (buf.toString('ascii', 36, 40) !== 'data') throw new Error('fixtures/sample.wav: expected the data chunk at byte 36');
  const bytes = buf.readUInt32LE(40);
  return new Int16Array(buf.buffer.slice(buf.byteOffset + 44, buf.byteOffset + 44 + bytes));
}

export function sampleFrames(count?: number, scale = 32000): { data: Float64Array; count: number } {
  const s = sampleInt16();
  const n = count ?? Math.floor(s.length / 160);
  const data = new Float64Array(n * 160);
  for (let i = 0; i < data.length; i++) data[i] = s[i] / scale;
  return { data, count: n };
}

/** Whole 160-sample frames in the bundled sample (500: 5.0 s, the course's take). */
export const SAMPLE_FRAMES = Math.floor(sampleInt16().length / 160);
