/**
 * The real bin against hostile paths and signals: outputs onto devices, pipes, links and inputs
 * are refused before any work; a signal during a write leaves the old file or the new one, never
 * a temp file; Ctrl-C lands in a long epoch; names cannot drive the terminal.
 * Every file is generated here (the large ones in a temp folder, removed after).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync, mkdirSync, symlinkSync, linkSync, statSync, chmodSync, existsSync, copyFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBin } from './helpers/run.js';
import { runCli } from './sim/run-cli.js';
import { ROOT, SAMPLE, BIN } from './helpers/sample.js';
import { encodeWav16 } from '../src/audio/wav.js';
import { Rng } from '../src/model/rng.js';

let dir: string;
let model: string;
const env = { ...process.env, NO_COLOR: '1' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dlaudio-hostile-cli-'));
  model = join(dir, 'model.json');
  const r = await runBin(['train', '--epochs', '3', '--seed', '1', '--save', model]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function oneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines.at(-1)).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

const temps = (folder: string): string[] => readdirSync(folder).filter((f) => f.endsWith('.tmp'));

function noisyWav(seconds: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const s = Int16Array.from({ length: seconds * 16000 }, () => Math.round((rng.next() - 0.5) * 8000));
  return encodeWav16(s, 16000);
}

describe('outputs that are not regular files are refused, and left as they are', () => {
  it('a FIFO given to -o, --out, --save, --out-wav, --report', async () => {
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const dla = join(dir, 'x.dla');
    const c = await runBin(['compress', SAMPLE, '--model', model, '-o', dla]);
    expect(c.code, c.stderr).toBe(0);
    const runs: string[][] = [
      ['convert', SAMPLE, '-o', fifo],
      ['decompress', dla, '-o', fifo],
      ['compress', SAMPLE, '--model', model, '-o', fifo],
      ['train', '--epochs', '1', '--save', fifo],
      ['train', '--epochs', '1', '--out-wav', fifo],
      ['reconstruct', '--model', model, '--out', fifo],
    ];
    for (const args of runs) {
      const r = await runBin(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      oneLine(r.stderr, /is a named pipe \(FIFO\), not a regular file/);
      expect(r.stderr).not.toMatch(/Training/); // refused before the work
      expect(statSync(fifo).isFIFO()).toBe(true);
    }
    expect(temps(dir)).toEqual([]);
  });

  it('a character device (made here, root only) is not replaced', async (ctx) => {
    if (process.getuid?.() !== 0) ctx.skip(); // mknod needs root; the FIFO case covers the rest
    const dev = join(dir, 'null-dev');
    execFileSync('mknod', [dev, 'c', '1', '3']);
    const r = await runBin(['convert', SAMPLE, '-o', dev]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /is a character device, not a regular file/);
    expect(statSync(dev).isCharacterDevice()).toBe(true);
  });
});

describe('inputs and outputs are compared by their real file', () => {
  it('through a symlinked folder, a hard link, and --report', async () => {
    const real = join(dir, 'real');
    mkdirSync(real);
    const link = join(dir, 'link');
    symlinkSync(real, link);
    copyFileSync(model, join(real, 'm.json'));
    copyFileSync(SAMPLE, join(real, 'in.wav'));
    const before = readFileSync(join(real, 'm.json'));
    const c = await runBin(['compress', join(real, 'in.wav'), '--model', join(link, 'm.json'), '-o', join(real, 'm.json')]);
    expect(c.code).toBe(2);
    oneLine(c.stderr, /-o|--out .*m\.json is also an input/);
    const t = await runBin(['train', '--wav', join(link, 'in.wav'), '--out-wav', join(real, 'in.wav'), '--epochs', '1']);
    expect(t.code).toBe(2);
    oneLine(t.stderr, /--out-wav .*in\.wav is also an input/);
    linkSync(join(real, 'm.json'), join(dir, 'hard.json'));
    const h = await runBin(['compress', SAMPLE, '--model', join(dir, 'hard.json'), '-o', join(real, 'm.json')]);
    expect(h.code).toBe(2);
    oneLine(h.stderr, /is also an input/);
    copyFileSync(SAMPLE, join(real, 'in.html'));
    const rep = await runBin(['train', '--wav', join(real, 'in.html'), '--report', join(link, 'in.html'), '--epochs', '1']);
    expect(rep.code).toBe(2);
    oneLine(rep.stderr, /--report .*in\.html is also an input/);
    expect(readFileSync(join(real, 'm.json'))).toEqual(before);
    expect(readFileSync(join(real, 'in.html'))).toEqual(readFileSync(SAMPLE));
  });

  it('a model whose scale breaks compress leaves an existing -o untouched', async () => {
    const bad = join(dir, 'tiny-scale.json');
    writeFileSync(bad, readFileSync(model, 'utf8').replace(/"scale": [\d.e+]+/, '"scale": 5e-324'));
    const out = join(dir, 'keep.dla');
    writeFileSync(out, 'old');
    const r = await runBin(['compress', SAMPLE, '--model', bad, '-o', out]);
    expect(r.code).toBe(1);
    oneLine(r.stderr, /"scale" is 5e-324, so small/);
    expect(readFileSync(out, 'utf8')).toBe('old');
  });
});

describe('a folder that cannot be written is found before the work', () => {
  it('--save, --out-wav and --report into a read-only folder', async () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    chmodSync(dir, 0o755);
    // root may write anywhere: run the bin as nobody when the tests run as root.
    const asRoot = process.getuid?.() === 0;
    for (const opt of ['--save', '--out-wav', '--report']) {
      const out = join(ro, opt === '--report' ? 'r.html' : opt === '--save' ? 'm.json' : 'o.wav');
      const args = [BIN, 'train', '--epochs', '1', opt, out];
      const cmd = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args] : [process.execPath, ...args];
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(cmd[0], cmd.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).not.toMatch(/Training/);
      oneLine(r.stderr, /cannot write .*: the folder .*ro is not writable \(permission denied\)|cannot write the report to .*: the folder .* does not exist or is not writable/);
    }
  });
});

describe('temp files', () => {
  it('a stale temp file of a dead process is swept on the next write into its folder', async () => {
    const folder = join(dir, 'stale');
    mkdirSync(folder);
    // A pid far above any pid_max default: no such process.
    const stale = join(folder, '.m.json.99999999.0123abcd.tmp');
    const foreign = join(folder, '.notes.tmp');
    writeFileSync(stale, 'half');
    writeFileSync(foreign, 'not ours');
    const r = await runBin(['train', '--epochs', '1', '--save', join(folder, 'm.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(foreign)).toBe(true);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} during convert's write of a 20-minute file: the old file or the new one, no temp file`, async () => {
      const folder = join(dir, `sig-${signal}`);
      mkdirSync(folder);
      const input = join(dir, 'twenty-minutes.wav');
      if (!existsSync(input)) writeFileSync(input, noisyWav(20 * 60, 3)); // shared by the three signals
      const out = join(folder, 'out.wav');
      let caught = 0;
      for (let round = 0; round < 2; round++) {
        writeFileSync(out, 'old');
        const run = runCli(['convert', input, '-o', out], env, ROOT);
        // Signal as soon as the temp file exists (the write is under way).
        const timer = setInterval(() => {
          if (temps(folder).length > 0) {
            clearInterval(timer);
            run.child.kill(signal);
          }
        }, 2);
        const r = await run.done;
        clearInterval(timer);
        expect(temps(folder)).toEqual([]);
        const now = readFileSync(out);
        if (now.length === 3) expect(now.toString()).toBe('old');
        else expect(now.length).toBe(statSync(input).size);
        if (r.code !== 0) {
          expect(r.code ?? r.signal).toBe(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[signal]);
          caught++;
        }
      }
      // At least one signal landed during the write, or the test proved nothing.
      expect(caught).toBeGreaterThan(0);
    }, 120_000);
  }

  it('Ctrl-C twice during train --save of a large model: no temp file, the model whole or absent', async () => {
    const folder = join(dir, 'save-sigint');
    mkdirSync(folder);
    const out = join(folder, 'big.json');
    const run = runCli(['train', '--frames', '1', '--epochs', '0', '--layers', '160,2048,2048,160', '--save', out], env, ROOT);
    const timer = setInterval(() => {
      if (temps(folder).length > 0) {
        clearInterval(timer);
        run.child.kill('SIGINT');
        setTimeout(() => run.child.kill('SIGINT'), 5);
      }
    }, 2);
    const r = await run.done;
    clearInterval(timer);
    expect(temps(folder)).toEqual([]);
    if (existsSync(out)) expect(JSON.parse(readFileSync(out, 'utf8')).sizes).toEqual([160, 2048, 2048, 160]);
    else expect(r.code).toBe(130);
  }, 120_000);
});

describe('work that must stop on Ctrl-C', () => {
  it('train on a minute of audio with 160,4096,4096,160: the first Ctrl-C stops it', async () => {
    const wav = join(dir, 'minute.wav');
    writeFileSync(wav, noisyWav(60, 4));
    const run = runCli(['train', '--wav', wav, '--layers', '160,4096,4096,160', '--epochs', '1'], env, ROOT);
    await run.waitForStderr('Training');
    await new Promise((resolve) => setTimeout(resolve, 500));
    run.child.kill('SIGINT');
    // Before: the initial-loss pass alone ran minutes. The test's timeout is the bound; the bench measures the latency.
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted after 0 of 1 epochs/);
    // The model-loss pass (6 000 frames × 18 M parameters) is skipped: the summary says not measured, not diverged.
    expect(r.stderr).toMatch(/model loss not measured: interrupted/);
    expect(r.stdout).toMatch(/^model loss: +not measured \(interrupted\)/m);
    expect(r.stdout).toMatch(/^PCA-\d+ reference: \S+[^—]*— yours: not measured \(interrupted\)/m);
    expect(r.stdout).not.toMatch(/not a number|diverged/);
  }, 60_000);

  it('--json after a skipped model-loss pass: modelLoss null with the reason, in the PCA entry too', async () => {
    const run = runCli(['train', '--layers', '160,4096,4096,160', '--frames', '100', '--epochs', '100000', '--seed', '1', '--json'], env, ROOT);
    await run.waitForStderr('Training');
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    const j = JSON.parse(r.stdout);
    expect(j.stopped).toBe('interrupted');
    expect(j).toMatchObject({ modelLoss: null, modelLossNotMeasured: 'interrupted' });
    expect(j.pca).toMatchObject({ modelLoss: null, modelLossNotMeasured: 'interrupted', ratio: null });
  }, 60_000);
});

describe('long runs and many threads stay bounded', () => {
  it('150 000 epochs on one frame: --json says the history is bucketed, with exact ends', async () => {
    const r = await runBin(['train', '--frames', '1', '--hidden', '2', '--epochs', '150000', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.epochsRun).toBe(150000);
    expect(j.lossesBucketed).toBe(true);
    expect(j.losses.length).toBeLessThanOrEqual(1000);
    expect(j.lossBuckets.buckets.at(-1).to).toBe(150000);
    expect(j.lossBuckets.last.at(-1)).toBe(j.finalLoss);
    expect(j.lossBuckets.first[0]).toBe(j.firstLoss);
  }, 60_000);

  it('sweep --workers 700 is capped at a few threads per core, and says so', async () => {
    const r = await runBin(['sweep', '--workers', '700', '--epochs', '2', '--lr', '0.01,0.02', '--frames', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--workers 700 is more than 4 per core: using \d+ \(this machine has \d+ cores?\)/);
  });

  it('without WebAssembly memory (ulimit -v 4 GB) training falls back to TypeScript and says so once', async () => {
    const script = `ulimit -v 4000000 && exec "${process.execPath}" "${BIN}" train --epochs 2 --layers 160,16,160 --bias --frames 50`;
    const r = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn('sh', ['-c', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.on('close', (code) => resolve({ code, stderr, stdout }));
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/WebAssembly memory cannot be had here .*: training with the TypeScript kernels instead/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/general back-propagation, TypeScript/);
  });
});

describe('names cannot drive the terminal', () => {
  it('ESC and CR in a file name are shown escaped, in errors and in summaries', async () => {
    const name = join(dir, 'a\u001b]0;owned\u0007\rb.dla');
    writeFileSync(name, 'not a dla');
    const r = await runBin(['decompress', name, '-o', join(dir, 'o.wav')]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/[\u001b\r\u0007]/);
    expect(r.stderr).toContain('a\\x1b]0;owned\\x07\\rb.dla');
    const wav = join(dir, 'in\u001b[2J\r.wav');
    copyFileSync(SAMPLE, wav);
    const c = await runBin(['compress', wav, '--model', model, '-o', join(dir, 'esc.dla')]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).not.toMatch(/[\u001b\r]/);
    expect(c.stdout).toContain('in\\x1b[2J\\r.wav');
  });
});

describe('-o - writes to stdout', () => {
  it('convert and decompress: the bytes of the file on stdout, the summary on stderr; --json is refused with it', async () => {
    const file = join(dir, 'conv.wav');
    const f = await runBin(['convert', SAMPLE, '-o', file]);
    expect(f.code, f.stderr).toBe(0);
    const bytes = await new Promise<Buffer>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'convert', SAMPLE, '-o', '-'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => chunks.push(d));
      child.on('close', () => resolve(Buffer.concat(chunks)));
    });
    expect(bytes.equals(readFileSync(file))).toBe(true);
    const j = await runBin(['decompress', join(dir, 'x.dla'), '-o', '-', '--json']);
    expect(j.code).toBe(2);
    oneLine(j.stderr, /-o - writes the output to stdout, where --json prints too/);
  });
});
