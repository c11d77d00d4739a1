import { expect } from 'vitest';
import { ROOT } from './sample.js';
import { runCli } from '../sim/run-cli.js';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real bin from the repository root with pipes (no TTY, so no spinner) and NO_COLOR. */
export function runBin(args: string[]): Promise<RunResult> {
  return runCli(args, { ...process.env, NO_COLOR: '1' }, ROOT).done;
}

/** Summaries fit in 80 columns: a long line goes on under its value, `indent` spaces in. This joins them back. */
export function unwrap(text: string, indent: number): string {
  return text.replace(new RegExp(`\\n {${indent}}(?=\\S)`, 'g'), ' ');
}

/** An error ends as one line (the last on stderr) matching `pattern`, with no stack trace. */
export function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines.at(-1)).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}
