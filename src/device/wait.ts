/** Waiting on the phone: a deadline, and Ctrl-C. */
import { UserError, EXIT } from '../errors.js';

export function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(onTimeout()), ms); })])
    .finally(() => clearTimeout(timer));
}

/** Rejects as soon as Ctrl-C is pressed, whatever `p` is waiting for. */
export function abortable<T>(p: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort: () => void = () => {};
  return Promise.race([
    Promise.resolve(p),
    new Promise<never>((_, reject) => { onAbort = () => reject(signal.reason); signal.addEventListener('abort', onAbort, { once: true }); }),
  ]).finally(() => signal.removeEventListener('abort', onAbort));
}

/**
 * Ctrl-C turned into an abort of `signal` (rejecting with `reason`, exit 130) until dispose(), so
 * what runs on the phone can be stopped and cleaned up. A second Ctrl-C while it cleans up means
 * "just quit".
 */
export function ctrlCSignal(reason: string): { signal: AbortSignal; dispose(): void } {
  const interrupt = new AbortController();
  let presses = 0;
  const onSigint = (): void => {
    if (++presses > 1) process.exit(EXIT.interrupted);
    interrupt.abort(new UserError(reason, EXIT.interrupted));
  };
  process.on('SIGINT', onSigint);
  return { signal: interrupt.signal, dispose: () => { process.off('SIGINT', onSigint); } };
}

/** Runs a phone session under ctrlCSignal: its signal aborts on Ctrl-C. */
export async function stopOnCtrlC<T>(reason: string, session: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctrlC = ctrlCSignal(reason);
  try {
    return await session(ctrlC.signal);
  } finally {
    ctrlC.dispose();
  }
}
