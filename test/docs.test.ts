/**
 * Documented outputs stay true: every command the docs show with its output is run again here.
 *
 * The marker (for README.md and every docs/*.md, whoever writes them): the line
 *
 *     <!-- doc-test -->
 *
 * right before a ```console block. In that block each line starting with "$ " is a shell command and
 * the lines after it, up to the next "$ ", are what it prints. `dlaudio` is this checkout's bin/.
 * The commands of one block run one after another in one fresh temporary folder holding a link to
 * fixtures/ (so `--wav fixtures/sample.wav` works and a block's commands can use each other's files),
 * with NO_COLOR and no terminal: stdout and stderr merged in the order written, no spinner, charts 80
 * columns wide — what a pipe shows, and close to what a terminal shows.
 *
 * Compared line by line, trailing spaces ignored, except:
 *  - timings: a number of seconds ("0.04 s", "(0.02 s)") and a speed ("2 456 786 frame-steps/s")
 *    match any number; everything else (losses, SNR, sizes, charts) must be the same;
 *  - "…" inside a line matches anything; a line that is only "…" matches any number of lines;
 *  - the checkout's absolute path is shown without it ("fixtures/sample.wav").
 * Commands that train (train, sweep, gradcheck: they print their seed) must give --seed, so the numbers repeat.
 * A command that needs a phone cannot run here: leave its block unmarked (say where its output came
 * from). `DOCS_UPDATE=1 npx vitest run test/docs.test.ts` rewrites the marked blocks that have no
 * "…" with what the commands print now; read the diff before committing it.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from './helpers/sample.js';

const MARKER = '<!-- doc-test -->';
const UPDATE = process.env.DOCS_UPDATE === '1';

interface Step {
  command: string;
  expected: string[];
}

interface Block {
  file: string;
  /** 1-based line of the ```console fence. */
  line: number;
  /** Lines of the block's body, [start, end) in the file. */
  start: number;
  end: number;
  steps: Step[];
}

function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

export function parseBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== MARKER) continue;
    let j = i + 1;
    while (j < lines.length && lines[j].trim() === '') j++;
    if (!/^```console\s*$/.test(lines[j] ?? '')) throw new Error(`${file}:${i + 1}: ${MARKER} must be followed by a \`\`\`console block`);
    const start = j + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    const steps: Step[] = [];
    for (let k = start; k < end; k++) {
      if (lines[k].startsWith('$ ')) steps.push({ command: lines[k].slice(2), expected: [] });
      else if (steps.length === 0) throw new Error(`${file}:${k + 1}: a doc-test block starts with a "$ " command`);
      else steps[steps.length - 1].expected.push(lines[k]);
    }
    blocks.push({ file, line: j + 1, start, end, steps });
    i = end;
  }
  return blocks;
}

const ROOT_PREFIX = ROOT.endsWith('/') ? ROOT : `${ROOT}/`;

/** Timings become a placeholder; the checkout's path goes; trailing spaces go. */
export function normalise(line: string): string {
  return line
    .split(ROOT_PREFIX).join('')
    .replace(/\d[\d ]*\d* (frame-)?steps\/s/g, '⟨n⟩ $1steps/s')
    .replace(/\b\d+(\.\d+)? (s|ms)\b/g, '⟨t⟩ $2')
    .trimEnd();
}

function lineMatches(expected: string, actual: string): boolean {
  if (!expected.includes('…')) return expected === actual;
  const pattern = expected.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(actual);
}

/** Expected lines against actual ones; a line that is only "…" takes any number of lines. */
export function linesMatch(expected: readonly string[], actual: readonly string[]): boolean {
  const memo = new Map<string, boolean>();
  const go = (e: number, a: number): boolean => {
    const key = `${e},${a}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let ok: boolean;
    if (e === expected.length) ok = a === actual.length;
    else if (expected[e].trim() === '…') ok = go(e + 1, a) || (a < actual.length && go(e, a + 1));
    else ok = a < actual.length && lineMatches(expected[e], actual[a]) && go(e + 1, a + 1);
    memo.set(key, ok);
    return ok;
  };
  return go(0, 0);
}

const TRAINS = /\bdlaudio\s+(train|sweep|gradcheck)\b/;

function run(command: string, cwd: string): string {
  const script = `dlaudio() { "${process.execPath}" "${BIN}" "$@"; }\nexec 2>&1\n${command}`;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.COLUMNS;
  const r = spawnSync('sh', ['-c', script], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  const out = r.stdout.endsWith('\n') ? r.stdout.slice(0, -1) : r.stdout;
  return out;
}

const blocks = docFiles().flatMap((f) => parseBlocks(f, readFileSync(join(ROOT, f), 'utf8')));
const updates = new Map<string, { start: number; end: number; body: string[] }[]>();
const folders: string[] = [];
afterAll(() => {
  for (const d of folders) rmSync(d, { recursive: true, force: true });
  for (const [file, edits] of updates) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    for (const e of edits.sort((x, y) => y.start - x.start)) lines.splice(e.start, e.end - e.start, ...e.body);
    writeFileSync(join(ROOT, file), lines.join('\n'));
  }
});

describe('the doc-test marker', () => {
  it('finds the blocks, and matches timings, "…" and "…" lines as documented', () => {
    const md = ['text', MARKER, '```console', '$ dlaudio train --seed 1', 'a', '…', 'z', '$ dlaudio x', '```'].join('\n');
    const [b] = parseBlocks('x.md', md);
    expect(b.steps).toEqual([{ command: 'dlaudio train --seed 1', expected: ['a', '…', 'z'] }, { command: 'dlaudio x', expected: [] }]);
    expect(linesMatch(['a', '…', 'z'], ['a', 'b', 'c', 'z'])).toBe(true);
    expect(linesMatch(['a', '…', 'z'], ['a', 'z'])).toBe(true);
    expect(linesMatch(['a', '…', 'z'], ['a', 'b'])).toBe(false);
    expect(linesMatch(['loss: 0.5…'], ['loss: 0.5 (x)'])).toBe(true);
    expect(linesMatch(['loss: 0.5'], ['loss: 0.6'])).toBe(false);
    expect(normalise('time:        0.14 s, 702 268 frame-steps/s  ')).toBe(normalise('time:        2.00 s, 1 083 044 frame-steps/s'));
    expect(normalise('final loss:  0.522')).not.toBe(normalise('final loss:  0.523'));
    expect(() => parseBlocks('y.md', `${MARKER}\n\`\`\`json\n{}\n\`\`\``)).toThrow(/must be followed by a ```console block/);
  });

  it('is used: README.md and docs/ have marked blocks', () => {
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThan(0);
    expect(blocks.filter((b) => b.file.startsWith('docs/')).length).toBeGreaterThan(0);
  });
});

/** Programs other than dlaudio that a block calls and that may be missing locally (CI installs them). */
const TOOLS = ['sox'];
const missingTool = (b: Block): string | undefined =>
  TOOLS.find((t) => b.steps.some((s) => new RegExp(`(^|[;&|]\\s*)${t}\\s`).test(s.command)) && spawnSync(t, ['--version']).error !== undefined);

describe.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))('documented output %s', (_, block) => {
  const tool = missingTool(block);
  if (tool !== undefined && process.env.CI === 'true') throw new Error(`${block.file}:${block.line} needs ${tool}: .ci/run installs it`);
  it.skipIf(tool !== undefined)(`is what the commands print now${tool !== undefined ? ` (skipped: needs ${tool}, apt-get install ${tool})` : ''}`, () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dlaudio-doc-'));
    folders.push(cwd);
    symlinkSync(join(ROOT, 'fixtures'), join(cwd, 'fixtures'));
    const body: string[] = [];
    let elided = false;
    const failures: string[] = [];
    for (const step of block.steps) {
      const actual = run(step.command, cwd).split('\n');
      // It trained (it printed its seed): without --seed the numbers would not repeat.
      if (TRAINS.test(step.command) && !/--seed\b/.test(step.command) && actual.some((l) => /\bseed\b/.test(l))) failures.push(`${step.command}: add --seed N (the numbers must repeat)`);
      body.push(`$ ${step.command}`, ...actual.map((l) => l.split(ROOT_PREFIX).join('').trimEnd()));
      if (step.expected.some((l) => l.includes('…'))) elided = true;
      const exp = step.expected.map(normalise);
      const act = actual.map(normalise);
      // A trailing empty line in the docs is layout, not output.
      while (exp.length > 0 && exp[exp.length - 1] === '') exp.pop();
      while (act.length > 0 && act[act.length - 1] === '') act.pop();
      if (!linesMatch(exp, act)) failures.push(`$ ${step.command}\n--- documented\n${step.expected.join('\n')}\n--- printed now\n${actual.join('\n')}`);
    }
    if (UPDATE && !elided && failures.length > 0) {
      const edits = updates.get(block.file) ?? [];
      edits.push({ start: block.start, end: block.end, body });
      updates.set(block.file, edits);
      return;
    }
    expect(failures, `${block.file}:${block.line}\n${failures.join('\n\n')}`).toEqual([]);
  });
});
