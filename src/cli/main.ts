import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { UserError, EXIT } from '../errors.js';
import { isDebugEnv } from './output.js';
import { registerCommands } from './commands/index.js';

/** Runs the CLI and returns the process exit code (never throws). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command();
  program
    .name('dlaudio')
    .description('Deep learning par la pratique: train the course\'s audio auto-encoder on your voice')
    .version(packageVersion(), '-V, --version', 'print the dlaudio version')
    .addOption(new Option('-v, --verbose', 'show details (stack traces, adb traffic) on errors'))
    .showHelpAfterError('(run `dlaudio --help` for usage)')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      writeOut: (s) => process.stdout.write(s),
    });
  registerCommands(program);

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
    process.stderr.write(`dlaudio: ${e.message}\n`);
    if (showStack) {
      if (e.stack) process.stderr.write(e.stack + '\n');
      if (e.cause instanceof Error && e.cause.stack) process.stderr.write('caused by: ' + e.cause.stack + '\n');
    }
    return e.exitCode;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`dlaudio: unexpected error: ${msg} (run again with --verbose for details, and please report it)\n`);
  if (showStack && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  return EXIT.failure;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}
