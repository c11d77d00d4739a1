/** Waiting on the phone: a deadline, and Ctrl-C. */

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
