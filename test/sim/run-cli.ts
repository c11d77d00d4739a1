/** Runs the real CLI (bin/dlaudio.js, built dist/) as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/dlaudio.js', import.meta.url));

export interface CliRun {
  child: ChildProcess;
  /** Resolves once stderr contains `text`. */
  waitForStderr(text: string): Promise<void>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): CliRun {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiters.splice(0)) { if (stderr.includes(w.text)) w.resolve(); else waiters.push(w); }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started }));
  });
  return {
    child,
    done,
    waitForStderr: (text) => new Promise<void>((resolve, reject) => {
      if (stderr.includes(text)) { resolve(); return; }
      waiters.push({ text, resolve });
      void done.then((r) => reject(new Error(`CLI exited (${r.code}) before printing "${text}"; stderr: ${r.stderr}`)));
    }),
  };
}
