#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm install` (prepare).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `dlaudio --version` answers before loading the CLI (commander and the rest: ~10–20 ms).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('dlaudio: not built yet (dist/ is missing): run `npm install` (or `npm run build`) in the dlaudio folder.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
