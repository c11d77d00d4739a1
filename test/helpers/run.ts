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
