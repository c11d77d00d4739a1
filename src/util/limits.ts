/**
 * The one place that bounds what a file or an option can make dlaudio do. Every reader (model
 * JSON, .dla, audio) and every option that sizes a network checks here, from the header or the
 * option, before anything is allocated: a small hostile file must not cost gigabytes or minutes.
 * (The audio reader checks `audioBytes` from the header and again as it decodes, since not every
 * format says its length; its refusal words it as memory, with --start/--seconds as the way out.)
 *
 * Each limit can be raised by an environment variable (docs/limits.md); the refusal names the
 * figure, the limit and that variable. A refusal is a UserError (exit 1) for a file, a UsageError
 * (exit 2) for an option.
 */
import { UserError, UsageError } from '../errors.js';
import { escapeControls } from './terminal.js';

export interface Limit {
  /** What is counted, for the message: "parameters", "layers", … */
  what: string;
  env: string;
  fallback: number;
}

export const LIMITS = {
  /** Weights and biases of one network: 160,4096,4096,160 (18.1 M) fits, with room to spare. */
  parameters: { what: 'parameters', env: 'DLAUDIO_MAX_PARAMETERS', fallback: 25_000_000 },
  /** Layers of one network (a .dla's decoder counts its own). */
  layers: { what: 'layers', env: 'DLAUDIO_MAX_LAYERS', fallback: 64 },
  /** Samples one .dla may decode to: 20 M (21 min at 16 kHz, a 40 MB WAV). */
  samples: { what: 'samples', env: 'DLAUDIO_MAX_SAMPLES', fallback: 20_000_000 },
  /** Multiply-adds to decode a .dla or run a model over a file: ~10 s of work on one core. */
  work: { what: 'multiply-adds', env: 'DLAUDIO_MAX_WORK', fallback: 20_000_000_000 },
  /** Bytes of a model or .dla file read into memory (a model of the largest size is ~300 MB of JSON). */
  fileBytes: { what: 'bytes', env: 'DLAUDIO_MAX_FILE_BYTES', fallback: 512 * 1024 ** 2 },
  /**
   * Memory a command may spend on a recording it holds, counted at 14 bytes a sample: 1 GiB is
   * 80 min at 16 kHz. `train` holds 6 (the 16-bit samples, read as frames, and the WebAssembly
   * kernel's float32 copy), a sweep 2 + 4 per thread; the count is kept at its old, safe figure
   * so the limit users see does not move. `convert` streams.
   */
  audioBytes: { what: 'bytes of memory', env: 'DLAUDIO_MAX_AUDIO_BYTES', fallback: 1024 ** 3 },
  /** Worker threads per core for `sweep --workers`. */
  workersPerCore: { what: 'threads per core', env: 'DLAUDIO_MAX_WORKERS_PER_CORE', fallback: 4 },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** The limit in force: the environment variable when it holds a positive number, else the default. */
export function limitOf(name: LimitName): number {
  const l = LIMITS[name];
  const raw = process.env[l.env];
  if (raw === undefined || raw.trim() === '') return l.fallback;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : l.fallback;
}

/** "25 000 000": the figures of a refusal, readable. */
export function groupDigits(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** How to raise `name`, for the end of a refusal. */
export function raiseHint(name: LimitName): string {
  return `if you really need more, set ${LIMITS[name].env} (see docs/limits.md)`;
}

/**
 * Refuses `value` above the limit `name`: "<subject> <value> <what>[ <after>], more than dlaudio's
 * limit of <max> (<fix>); if you really need more, set <ENV>". `usage` makes it a usage error
 * (exit 2): an option asked for it, not a file.
 */
export function checkLimit(name: LimitName, value: number, subject: string, opts: { usage?: boolean; after?: string; fix?: string } = {}): void {
  const max = limitOf(name);
  if (value <= max) return;
  const what = LIMITS[name].what + (opts.after ? ` ${opts.after}` : '');
  const message = `${subject} ${groupDigits(value)} ${what}, more than dlaudio's limit of ${groupDigits(max)}${opts.fix ? ` (${opts.fix})` : ''}; ${raiseHint(name)}`;
  throw opts.usage ? new UsageError(message) : new UserError(message);
}

/** Weights and biases of layers of these widths (input first). */
export function parameterCount(sizes: readonly number[], bias: boolean): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l - 1] * sizes[l] + (bias ? sizes[l] : 0);
  return n;
}

/** Layer count and parameters of a network of these widths, before it is allocated. */
export function checkNetworkSize(sizes: readonly number[], bias: boolean, subject: string, opts: { usage?: boolean; fix?: string } = {}): void {
  checkLimit('layers', sizes.length - 1, subject, opts);
  checkLimit('parameters', parameterCount(sizes, bias), subject, opts);
}

/** Multiply-adds of running layers of these widths over `frames` frames. */
export function inferenceWork(sizes: readonly number[], frames: number): number {
  // +1 per layer output: a layer of 1 → 1 still costs a call and an allocation per frame.
  return frames * parameterCount(sizes, true);
}

/**
 * A user-given value as a message may quote it: at most `max` characters of its JSON form, control
 * characters escaped, never a walk down a deep structure (a value nested 200 000 levels deep would
 * overflow the stack of JSON.stringify).
 */
export function quoteValue(v: unknown, max = 40): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v.length > max ? v.slice(0, max) : v) + (v.length > max ? `… (${groupDigits(v.length)} characters)` : '');
  else if (v === undefined) s = 'missing';
  else if (Array.isArray(v)) s = `a list of ${groupDigits(v.length)}`;
  else if (v === null || typeof v === 'number' || typeof v === 'boolean') s = String(v);
  else if (typeof v === 'object') s = 'an object';
  else s = typeof v;
  return escapeControls(s);
}
