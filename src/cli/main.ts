import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from './commander.js';
import { UserError, EXIT } from '../errors.js';
import { isDebugEnv } from '../util/output.js';
import { escapeControls } from '../util/terminal.js';
import { registerCommands } from './commands/index.js';

let readerGone = false;

/**
 * `dlaudio --help | head`, `dlaudio live --json | head -3`: the reader left. Stop as Ctrl-C would, so
 * a command's own cleanup runs (the phone, temp files), and without a stack trace; a command with
 * nothing to clean just ends.
 */
function onStdoutError(e: NodeJS.ErrnoException): void {
  if (e.code !== 'EPIPE') throw e;
  // A command that listens itself (live) ends its session its own way.
  if (readerGone || process.stdout.listenerCount('error') > 1) return;
  readerGone = true;
  if (process.listenerCount('SIGINT') > 0) process.kill(process.pid, 'SIGINT');
  else process.exit(EXIT.ok);
}

/** Runs the CLI and returns the process exit code (never throws). */
export async function main(argv: readonly string[]): Promise<number> {
  process.stdout.on('error', onStdoutError);
  const program = new Command();
  program
    .name('dlaudio')
    .description('Deep learning par la pratique: train the course\'s audio auto-encoder on your voice\n(le cours pas à pas, en français : docs/cours.md)')
    .version(packageVersion(), '-V, --version', 'print the dlaudio version')
    .addOption(new Option('-v, --verbose', 'show details (stack traces, adb traffic) on errors'))
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      writeOut: (s) => process.stdout.write(s),
      outputError: (s, write) => write(oneLineUsageError(s, argv, program.commands.map((c) => c.name()))),
    });
  await registerCommands(program, argv);
  program.addHelpText('after', `
Examples:
  dlaudio train --start 0.4 --frames 1   the course's first exercise: one frame of voice
  dlaudio record                         record 5 s on the phone into recording.wav
  dlaudio train --out-wav recon.wav      train on it, then listen to recon.wav`);

  // `dlaudio` alone: where to start, on stdout (it is what was asked for, not an error).
  if (argv.length <= 2) {
    program.outputHelp();
    return EXIT.ok;
  }

  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    return reportError(e, program.opts<{ verbose?: boolean }>().verbose === true || argv.includes('--verbose') || argv.includes('-v'));
  }
}

function reportError(e: unknown, verbose: boolean): number {
  if (e instanceof CommanderError) {
    // commander already printed its message; help/version are not errors.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return EXIT.ok;
    return EXIT.usage;
  }
  const showStack = verbose || isDebugEnv();
  if (e instanceof UserError) {
    // One line whatever a message quotes (a file's text, a device's reply).
    // One line, and no control character from a quoted name reaches the terminal.
    process.stderr.write(`dlaudio: ${escapeControls(e.message.replace(/\s*\n\s*/g, ' '))}\n`);
    if (showStack) {
      if (e.stack) process.stderr.write(e.stack + '\n');
      if (e.cause instanceof Error && e.cause.stack) process.stderr.write('caused by: ' + e.cause.stack + '\n');
    }
    return e.exitCode;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`dlaudio: unexpected error: ${escapeControls(msg.replace(/\s*\n\s*/g, ' '))} (run again with --verbose for details, and please report it)\n`);
  if (showStack && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  return EXIT.failure;
}

/**
 * commander's "error: option '--batch <B>' argument '0' is invalid. expected …" becomes one line in
 * the same form as every other error, ending with where the options are listed.
 */
function oneLineUsageError(text: string, argv: readonly string[], commands: readonly string[]): string {
  const message = text
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/^option '(-[^ ']+)[^']*' argument '(.*)' is invalid\. /, (_, flag: string, value: string) => `${flag} ${value} is invalid: `);
  const command = argv.slice(2).find((a) => !a.startsWith('-'));
  const help = command !== undefined && commands.includes(command) ? `dlaudio ${command} --help lists the options` : 'dlaudio --help lists the commands';
  return `dlaudio: ${escapeControls(message)} (${help})\n`;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}
