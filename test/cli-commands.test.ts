/**
 * main.ts loads only the command being run; `dlaudio --help` lists the others from COMMANDS.
 * That list must say what each command's own file registers.
 */
import { describe, it, expect } from 'vitest';
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { COMMANDS, registerAllCommands, registerCommands } from '../src/cli/commands/index.js';
import { runBin } from './helpers/run.js';

describe('the command list', () => {
  it('names, usage and descriptions match what each command registers', async () => {
    const program = new Command();
    await registerAllCommands(program);
    const help = program.createHelp();
    const real = program.commands.map((c) => ({ name: c.name(), term: help.subcommandTerm(c), description: c.description() }));
    expect(COMMANDS.map((c) => ({ name: c.name, term: c.term, description: c.description }))).toEqual(real);
  });

  it('registers only the command named on the command line', async () => {
    const program = new Command();
    await registerCommands(program, ['node', 'dlaudio', '-v', 'convert', 'in.wav']);
    expect(program.commands.map((c) => c.name())).toEqual(['convert']);
    const viaHelp = new Command();
    await registerCommands(viaHelp, ['node', 'dlaudio', 'help', 'train']);
    expect(viaHelp.commands.map((c) => c.name())).toEqual(['train']);
  });

  it('lists every command when none is named', async () => {
    const program = new Command();
    await registerCommands(program, ['node', 'dlaudio', '--help']);
    expect(program.commands.map((c) => c.name())).toEqual(COMMANDS.map((c) => c.name));
    expect(program.helpInformation()).toContain('convert [options] <in.wav>');
  });
});

describe('dlaudio --version', () => {
  it('prints package.json\'s version, from the fast path and from commander alike', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const args of [['--version'], ['-V'], ['--verbose', '--version']]) {
      const r = await runBin(args);
      expect(r.stdout, args.join(' ')).toBe(`${version}\n`);
      expect(r.code).toBe(0);
    }
  });
});
