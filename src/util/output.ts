import { escapeControls, terminalSafe } from './terminal.js';

/** Where a command writes: results to `out` (stdout), everything else to `err` (stderr). */
export interface Io {
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
  /** stderr is an interactive terminal: spinners may animate. */
  interactive: boolean;
  /** colours allowed on stdout (TTY and no NO_COLOR). */
  color: boolean;
  verbose: boolean;
}

export function makeIo(verbose = false): Io {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    // File names and values reach the terminal in these lines: control characters are escaped.
    out: terminalSafe(process.stdout),
    err: terminalSafe(process.stderr),
    // A TTY that reports 0 columns (e.g. `script` without a size) makes ora flood clear-line codes.
    interactive: Boolean(process.stderr.isTTY) && process.stderr.columns > 0 && process.env.CI !== 'true' && process.env.TERM !== 'dumb',
    color: Boolean(process.stdout.isTTY) && !noColor,
    verbose: verbose || isDebugEnv(),
  };
}

export function isDebugEnv(): boolean {
  const d = process.env.DEBUG;
  return d !== undefined && d !== '' && d !== '0' && d !== 'false';
}

/** A progress line on stderr: an ora spinner on a TTY, plain lines (sparingly) otherwise. */
export interface Progress {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
  /** Print a line on stderr without breaking the spinner. */
  log(text: string): void;
}

export async function progress(io: Io, text: string): Promise<Progress> {
  if (io.interactive) {
    // Loaded only for a terminal: ora costs ~75 ms of start-up that pipes and scripts should not pay.
    const { default: ora } = await import('ora');
    const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
    // ora draws with cursor codes: it gets the raw stream, and only escaped text.
    const spinner = ora({ text: escapeControls(text), stream: process.stderr, color: noColor ? false : 'cyan', discardStdin: false }).start();
    return {
      update: (t) => { spinner.text = escapeControls(t); },
      succeed: (t) => { spinner.succeed(escapeControls(t)); },
      fail: (t) => { spinner.fail(escapeControls(t)); },
      stop: () => { spinner.stop(); },
      log: (t) => {
        const wasSpinning = spinner.isSpinning;
        spinner.clear();
        io.err.write(t + '\n');
        if (wasSpinning) spinner.render();
      },
    };
  }
  // Not a TTY: no animation, no per-epoch noise; only the start and end lines.
  io.err.write(text + '\n');
  return {
    update: () => {},
    succeed: (t) => { io.err.write(t + '\n'); },
    fail: (t) => { io.err.write(t + '\n'); },
    stop: () => {},
    log: (t) => { io.err.write(t + '\n'); },
  };
}

export function warn(io: Io, text: string): void {
  io.err.write(`warning: ${text}\n`);
}

export function info(io: Io, text: string): void {
  io.err.write(text + '\n');
}
