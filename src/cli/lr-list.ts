import { InvalidArgumentError } from './commander.js';

const EXPECTED = 'expected learning rates greater than 0 separated by commas, e.g. 0.001,0.01,0.1';

/**
 * `--lr 0.001,0.003,0.01`: positive numbers, each once, returned smallest first (the table and
 * the legend read like the axis of a sweep). A bad list is a usage error naming the bad value.
 */
export function lrList(v: string): number[] {
  if (v.trim() === '') throw new InvalidArgumentError(`the list is empty: ${EXPECTED}.`);
  const seen = new Map<number, string>();
  for (const raw of v.split(',')) {
    const item = raw.trim();
    if (item === '') throw new InvalidArgumentError(`an empty value between commas: ${EXPECTED}.`);
    const n = Number(item);
    if (Number.isNaN(n)) throw new InvalidArgumentError(`"${item}" is not a number: ${EXPECTED}.`);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`"${item}" is not a finite number: ${EXPECTED}.`);
    if (n <= 0) throw new InvalidArgumentError(`"${item}" is not greater than 0: ${EXPECTED}.`);
    const twin = seen.get(n);
    if (twin !== undefined) throw new InvalidArgumentError(`"${item}" is already in the list${twin === item ? '' : ` (as "${twin}")`}: give each learning rate once.`);
    seen.set(n, item);
  }
  return [...seen.keys()].sort((a, b) => a - b);
}
