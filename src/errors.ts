/**
 * Errors a user can act on. The CLI prints `message` as one line on stderr
 * (no stack trace unless --verbose/DEBUG) and exits with `exitCode`.
 *
 * Exit codes: 1 bad input file / device problem, 2 usage error,
 * 3 training diverged, 130 interrupted (Ctrl-C).
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** A command-line value that cannot be used (exit code 2). */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

export const EXIT = { ok: 0, failure: 1, usage: 2, diverged: 3, interrupted: 130 } as const;
