import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runBin, unwrap } from './helpers/run.js';
import { ROOT } from './helpers/sample.js';
import { runCli } from './sim/run-cli.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'dlaudio-sweep-cli-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

interface Run {
  lr: number;
  losses: (number | null)[];
  firstLoss: number | null;
  finalLoss: number | null;
  epochs: number;
  stopped: string;
  divergedAt: number | null;
  threadId: number;
}

interface SweepJson {
  config: { lrs: number[]; epochs: number; sizes: number[]; frames: number };
  seed: number;
  workers: number;
  interrupted: boolean;
  runs: Run[];
  notRun: number[];
  best: { lr: number; finalLoss: number } | null;
}

async function sweepJson(args: string[], code = 0): Promise<SweepJson> {
  const r = await runBin(['sweep', '--json', ...args]);
  expect(r.code, r.stderr).toBe(code);
  return JSON.parse(r.stdout) as SweepJson;
}

async function trainFinal(args: string[]): Promise<number> {
  const r = await runBin(['train', '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { finalLoss: number }).finalLoss;
}

describe('dlaudio sweep (real bin)', () => {
  it('draws every curve on one chart with a legend, a table and the best lr; no colour codes under NO_COLOR', async () => {
    const r = await runBin(['sweep', '--lr', '0.001,0.003,0.01,0.03,0.1', '--epochs', '30', '--seed', '42']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('loss per epoch');
    expect(r.stdout).toMatch(/1 ── lr 0\.001 {3}2 ── lr 0\.003 {3}3 ── lr 0\.01 {3}4 ── lr 0\.03 {3}5 ── lr 0\.1/);
    expect(r.stdout).toMatch(/^lr +first loss +final loss +epochs +status +time$/m);
    for (const lr of ['0.001', '0.003', '0.01', '0.03', '0.1']) expect(r.stdout).toMatch(new RegExp(`^${lr.replace('.', '\\.')} +\\d\\S* +\\d\\S* +30 +ok +\\d+\\.\\d\\d s$`, 'm'));
    expect(r.stdout).toMatch(/^best: lr [\d.]+ \(final loss [\d.]+\)$/m);
    expect(r.stdout).toMatch(/seed: +42/);
    expect(r.stdout + r.stderr).not.toMatch(/\u001b\[/);
    expect(r.stderr).toMatch(/Sweeping 5 learning rates/);
  });

  it('every run starts from the same weights: each final loss is train --lr X --seed S\'s, bit for bit', async () => {
    const args = ['--epochs', '8', '--seed', '77', '--shuffle', '--frames', '200'];
    const j = await sweepJson(['--lr', '0.004,0.02,0.05', ...args]);
    expect(j.runs.map((r) => r.lr)).toEqual([0.004, 0.02, 0.05]);
    for (const run of j.runs) {
      expect(run.epochs).toBe(8);
      expect(run.finalLoss).toBe(await trainFinal(['--lr', String(run.lr), ...args]));
    }
    // …and the runs differ (each really used its own lr).
    expect(new Set(j.runs.map((r) => r.finalLoss)).size).toBe(3);
    const best = j.runs.reduce((a, b) => ((a.finalLoss ?? Infinity) <= (b.finalLoss ?? Infinity) ? a : b));
    expect(j.best).toEqual({ lr: best.lr, finalLoss: best.finalLoss });
  });

  it('shares the runs between the main thread and worker threads, one thread per core at most; --workers 1 runs them one after another here', async () => {
    // ~0.6 s per run on the sample: long enough (with a wide margin on a loaded CI machine) for a worker to be started (and ready) while the main thread is on its first run.
    const args = ['--lr', '0.01,0.02,0.03', '--epochs', '3000', '--seed', '1'];
    const j = await sweepJson(args);
    const threads = Math.min(3, availableParallelism());
    expect(j.workers).toBe(threads);
    expect(j.runs[0].threadId).toBe(0); // the main thread takes the first run at once
    expect(new Set(j.runs.map((r) => r.threadId)).size).toBe(threads);
    const serial = await sweepJson([...args, '--workers', '1']);
    expect(serial.workers).toBe(1);
    expect(serial.runs.map((r) => r.threadId)).toEqual([0, 0, 0]);
    // Whichever thread ran it, a run's numbers are the same.
    expect(j.runs.map((r) => r.losses)).toEqual(serial.runs.map((r) => r.losses));
    const onWorker = j.runs.find((r) => r.threadId !== 0);
    if (onWorker) expect(onWorker.finalLoss).toBe(await trainFinal(['--lr', String(onWorker.lr), '--epochs', '3000', '--seed', '1']));
    const single = await sweepJson(['--lr', '0.02', '--epochs', '3000', '--seed', '1']);
    expect(single.workers).toBe(1);
    expect(single.runs[0].threadId).toBe(0);
    expect(single.runs[0].losses).toEqual(j.runs[1].losses);
  }, 180_000); // five 3000-epoch sweeps and a train on the 500-frame sample: past 60 s when other jobs load the 2 cores

  it('a short sweep stays in the main thread (a worker would not pay for its start-up); the text says where runs went', async () => {
    const r = await runBin(['sweep', '--lr', '0.01,0.02', '--epochs', '2', '--seed', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(unwrap(r.stdout, 11)).toMatch(/^time: +\d+\.\d\d s wall, 2 runs, all in the main thread \(too short to pay for starting a worker thread\)$/m);
    expect(r.stderr).toMatch(/Sweeping 2 learning rates .* on up to 2 threads \(this one, and a worker if the runs are long enough\)/);
    const long = await runBin(['sweep', '--lr', '0.01,0.02,0.03', '--epochs', '3000', '--seed', '1', '--workers', '2']);
    expect(long.code, long.stderr).toBe(0);
    expect(unwrap(long.stdout, 11)).toMatch(/^time: +\d+\.\d\d s wall, 3 runs, [12] in the main thread and [12] on 1 worker thread$/m);
  });

  it('marks a diverged run, still names the best of the others (exit 0)', async () => {
    const r = await runBin(['sweep', '--lr', '0.01,0.3', '--epochs', '5', '--seed', '42']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^0\.3 .* 1 +diverged at epoch 1 /m);
    expect(r.stdout).toContain('2 ── lr 0.3 (diverged at epoch 1)');
    expect(r.stdout).toMatch(/^best: lr 0\.01 \(final loss/m);
    const j = await sweepJson(['--lr', '0.01,0.3', '--epochs', '5', '--seed', '42']);
    expect(j.runs[1]).toMatchObject({ stopped: 'diverged', divergedAt: 1, epochs: 1 });
    expect(j.best?.lr).toBe(0.01);
  });

  it('when every run diverges: says so, advises smaller lrs, exit 3', async () => {
    const r = await runBin(['sweep', '--lr', '0.5,2', '--epochs', '5', '--seed', '42']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('best: none, every run diverged');
    const last = r.stderr.trim().split('\n').at(-1);
    expect(last).toMatch(/^dlaudio: every learning rate diverged, even the smallest \(lr 0\.5, at epoch 1\): try smaller ones, e\.g\. --lr 0\.005,0\.02,0\.05$/);
  });

  it('takes train\'s network and optimiser options: a deep network with biases, Adam, batches, like train', async () => {
    const args = ['--layers', '160,24,8,24,160', '--bias', '--optimizer', 'adam', '--batch', '16', '--shuffle', '--epochs', '3', '--seed', '8', '--frames', '120'];
    const j = await sweepJson(['--lr', '0.001,0.01', ...args]);
    expect(j.config.sizes).toEqual([160, 24, 8, 24, 160]);
    for (const run of j.runs) expect(run.finalLoss).toBe(await trainFinal(['--lr', String(run.lr), ...args]));
    expect(j.runs[0].finalLoss).not.toBe(j.runs[1].finalLoss);
  });

  it('--init: every run starts from the saved model, like train --init', async () => {
    const model = join(dir, 'start.json');
    const save = await runBin(['train', '--epochs', '3', '--seed', '5', '--hidden', '6', '--save', model]);
    expect(save.code, save.stderr).toBe(0);
    const j = await sweepJson(['--init', model, '--lr', '0.01,0.05', '--epochs', '4', '--seed', '9']);
    expect(j.config.sizes).toEqual([160, 6, 160]);
    for (const run of j.runs) expect(run.finalLoss).toBe(await trainFinal(['--init', model, '--lr', String(run.lr), '--epochs', '4', '--seed', '9']));
    const clash = await runBin(['sweep', '--init', model, '--hidden', '10']);
    expect(clash.code).toBe(2);
    expect(clash.stderr.trim().split('\n').at(-1)).toMatch(/--hidden 10 does not match the model in .*start\.json \(layers 160,6,160\): drop --hidden/);
  });

  it.each([
    [['--lr', ''], /the list is empty/],
    [['--lr', 'abc'], /"abc" is not a number: expected learning rates greater than 0/],
    [['--lr', '0.01,0'], /"0" is not greater than 0/],
    [['--lr', '-1'], /"-1" is not greater than 0/],
    [['--lr', '0.01,0.01'], /"0\.01" is already in the list/],
    [['--epochs', '-3'], /--epochs/],
    [['--epochs', '0'], /^dlaudio: --epochs 0 is invalid: expected a whole number of at least 1\. \(dlaudio sweep --help lists the options\)$/],
    [['--workers', '0'], /--workers/],
    [['--momentum', '0.5'], /--momentum 0\.5 only acts with --optimizer momentum/],
    [['--layers', '160,10'], /--layers/],
  ])('refuses %j with one line and exit code 2', async (args, pattern) => {
    const r = await runBin(['sweep', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('Ctrl-C stops every run, prints what was done (runs not started say so), exit 130', async () => {
    const run = runCli(['sweep', '--lr', '0.001,0.002,0.003', '--workers', '2', '--epochs', '1000000', '--seed', '1'], { ...process.env, NO_COLOR: '1' }, ROOT);
    await run.waitForStderr('Sweeping');
    await new Promise((resolve) => setTimeout(resolve, 500));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stdout).toContain('loss per epoch');
    expect(r.stdout).toMatch(/^0\.001 .* interrupted at epoch \d+ of 1000000 /m);
    expect(r.stdout).toMatch(/^0\.002 .* interrupted at epoch \d+ of 1000000 /m);
    expect(r.stdout).toMatch(/^0\.003 .* not run \(interrupted\)/m);
    expect(r.stdout).toMatch(/best: none, no run finished its epochs; lowest loss so far: lr 0\.00[12]/);
    expect(r.stderr).toMatch(/interrupted: 0 of 3 runs finished/);
  });
});
