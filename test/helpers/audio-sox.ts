import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** sox is a Debian package (`apt-get install sox`); CI installs it, so only a developer machine may skip. */
export const soxAvailable = spawnSync('sox', ['--version'], { encoding: 'utf8' }).status === 0;
export const skipWithoutSox = !soxAvailable && process.env.CI !== 'true';
export const SOX_SKIP_REASON = 'sox is not installed (apt-get install sox); the comparisons with sox are skipped';

export function sox(...args: string[]): void {
  const r = spawnSync('sox', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run sox: ${r.error.message} (apt-get install sox)`);
  if (r.status !== 0) throw new Error(`sox ${args.join(' ')} failed: ${r.stderr}`);
}

/** The reference conversion, without dither so that same-rate results can be compared bit for bit. */
export function soxReference(input: string, output: string): Int16Array {
  sox('-D', input, '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', output);
  return readPcm16(output);
}

/** The samples of a 16-bit PCM WAV (first data chunk; no other checks: sox wrote it). */
export function readPcm16(path: string): Int16Array {
  const b = readFileSync(path);
  let at = 12;
  while (at + 8 <= b.length) {
    const id = b.toString('latin1', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (id === 'data') {
      const bytes = b.subarray(at + 8, at + 8 + size);
      const out = new Int16Array(bytes.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(2 * i);
      return out;
    }
    at += 8 + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

export interface Comparison {
  /** 10·log10(reference energy / difference energy), in dB. */
  snr: number;
  maxDiff: number;
  differing: number;
}

export function compare(ours: Int16Array, reference: Int16Array): Comparison {
  const n = Math.min(ours.length, reference.length);
  let signal = 0;
  let noise = 0;
  let maxDiff = 0;
  let differing = 0;
  for (let i = 0; i < n; i++) {
    const d = ours[i]! - reference[i]!;
    if (d !== 0) differing++;
    maxDiff = Math.max(maxDiff, Math.abs(d));
    signal += reference[i]! * reference[i]!;
    noise += d * d;
  }
  return { snr: noise === 0 ? Infinity : 10 * Math.log10(signal / noise), maxDiff, differing };
}
