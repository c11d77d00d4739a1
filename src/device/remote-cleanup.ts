import type { DeviceClient } from '@devicefarmer/adbkit';
import { shQuote } from './quote.js';
import { shellOutput } from './shell.js';
import { remoteLogPath } from './start-recorder.js';

/**
 * How to stop what may still run: its pid, or `'command-line'` when the PID line never
 * arrived (a Ctrl-C in the first milliseconds): then it is found by its command line.
 */
export type StopTarget = number | 'command-line' | undefined;

/**
 * A `pkill -f` pattern matching app_process started on `remoteFile` and nothing else. The
 * `[.]` keeps the pattern from matching itself: the shell running pkill has it in its own
 * command line, where the bracket is literal.
 */
export function commandLinePattern(remoteFile: string): string {
  const name = remoteFile.slice(remoteFile.lastIndexOf('/') + 1).replace(/[.]/g, '[.]');
  return `dlaudio[.]Recorder .*${name}`;
}

/**
 * One shell line: stop the recorder (if it may still run), then delete its output, the
 * `.part` it writes meanwhile and its log. Killing first means no file can reappear after the rm.
 */
export function cleanupCommand(stop: StopTarget, remoteFile: string): string {
  const rm = `rm -f ${shQuote(remoteFile)} ${shQuote(`${remoteFile}.part`)} ${shQuote(remoteLogPath(remoteFile))}`;
  if (stop === undefined) return rm;
  if (stop === 'command-line') return `pkill -f ${shQuote(commandLinePattern(remoteFile))}; ${rm}`;
  return `kill ${stop} 2>/dev/null; ${rm}`;
}

/** Best effort within `timeoutMs`: returns false when the phone could not be reached. */
export async function remoteCleanup(device: DeviceClient, stop: StopTarget, remoteFile: string, timeoutMs = 3000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  try {
    return await Promise.race([shellOutput(device, cleanupCommand(stop, remoteFile)).then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
