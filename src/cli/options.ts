import { InvalidArgumentError } from './commander.js';

/** commander argument parsers: a bad value ends as a usage error (exit 2) naming what is expected. */
export function positiveNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number greater than 0.');
  return n;
}

export function nonNegativeNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number, 0 or more.');
  return n;
}

export function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number (0, 1, 2, …).');
  return n;
}

export function positiveInt(v: string): number {
  const n = nonNegativeInt(v);
  if (n < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return n;
}

export function intInRange(lo: number, hi: number) {
  return (v: string): number => {
    const n = nonNegativeInt(v);
    if (n < lo || n > hi) throw new InvalidArgumentError(`expected a whole number from ${lo} to ${hi}.`);
    return n;
  };
}

export function seedValue(v: string): number {
  return intInRange(0, 0xffffffff)(v);
}
