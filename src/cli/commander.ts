import { createRequire } from 'node:module';
import type * as Commander from 'commander';

// commander is CommonJS: loaded through its ESM wrapper, Node also translates the module and scans
// its source for exports, ~15 ms of every start-up (`dlaudio --help`). Required directly, it is the
// same module (one instance whoever imports it), types and all.
const commander = createRequire(import.meta.url)('commander') as typeof Commander;

export const { Command, Option, CommanderError, Help, InvalidArgumentError } = commander;
export type Command = Commander.Command;
export type Option = Commander.Option;
export type CommanderError = Commander.CommanderError;
export type Help = Commander.Help;
export type InvalidArgumentError = Commander.InvalidArgumentError;
