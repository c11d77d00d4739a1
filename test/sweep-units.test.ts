import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { InvalidArgumentError } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { lrList } from '../src/cli/lr-list.js';
import { renderLossCurves, curveMark } from '../src/cli/render-multi.js';
import { renderLossChart } from '../src/cli/render.js';
import { runPool } from '../src/cli/sweep-pool.js';
import { CountingRng, rngAfter, runJob, type SweepJob } from '../src/cli/sweep-run.js';
import { createNetwork, initNetwork } from '../src/model/network.js';
import { UserError } from '../src/errors.js';
import { sampleFrames } from './helpers/sample.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'dlaudio-sweep-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('--lr list', () => {
  it('reads comma-separated positive numbers, smallest first', () => {
    expect(lrList('0.1,0.001, 0.01 ,3e-2')).toEqual([0.001, 0.01, 0.03, 0.1]);
    expect(lrList('0.5')).toEqual([0.5]);
  });

  it.each([
    ['', /the list is empty/],
    ['  ', /the list is empty/],
    ['abc', /"abc" is not a number/],
    ['0.01,abc', /"abc" is not a number/],
    ['0', /"0" is not greater than 0/],
    ['0.1,-1', /"-1" is not greater than 0/],
    ['Infinity', /"Infinity" is not a finite number/],
    ['0.1,,0.2', /empty value between commas/],
    ['0.1,0.1', /"0\.1" is already in the list: give each learning rate once/],
    ['1e-2,0.01', /"0\.01" is already in the list \(as "1e-2"\)/],
  ])('refuses %j naming the value and what is expected', (v, pattern) => {
    let err: unknown;
    try { lrList(v); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    const msg = (err as Error).message;
    expect(msg).toMatch(pattern);
    expect(msg).not.toContain('\n');
    if (!/already/.test(msg)) expect(msg).toContain('expected learning rates greater than 0 separated by commas');
  });
});

/** The chart's rows as [label value, row text]. */
function rows(chart: string): { value: number; text: string }[] {
  return chart.split('\n').filter((l) => /[┤┼]/.test(l)).map((text) => ({ value: Number(text.slice(0, 10).trim()), text }));
}

describe('several curves on one chart', () => {
  const falling = Array.from({ length: 40 }, (_, e) => 0.2 + Math.exp(-e / 5));
  const flat = Array.from({ length: 40 }, () => 1.2);

  it('numbers each curve where it ends, on the row of its last value', () => {
    const chart = renderLossCurves([{ label: 'lr 0.1', losses: falling, diverged: false }, { label: 'lr 0.001', losses: flat, diverged: false }], { width: 80 });
    const r = rows(chart);
    const withMark = (m: string): { value: number } => {
      const found = r.filter((row) => row.text.slice(12).includes(m));
      expect(found).toHaveLength(1);
      return found[0];
    };
    expect(withMark('1').value).toBeCloseTo(0.2, 1); // bottom row, falling curve
    expect(withMark('2').value).toBeCloseTo(1.2, 1); // top row, flat curve
    expect(chart).toMatch(/1 ── lr 0\.1 {3}2 ── lr 0\.001/);
  });

  it('colours each curve and its legend entry only when asked', () => {
    const curves = [{ label: 'a', losses: falling, diverged: false }, { label: 'b', losses: flat, diverged: false }];
    const plain = renderLossCurves(curves, { width: 80, color: false });
    expect(plain).not.toMatch(/\u001b\[/);
    const coloured = renderLossCurves(curves, { width: 80, color: true });
    expect(coloured).toContain('\u001b[36m'); // cyan: curve 1
    expect(coloured).toContain('\u001b[33m'); // yellow: curve 2
    // Without the codes it is the same picture.
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('a diverged curve leaves the chart without stretching the axis; non-finite values break nothing', () => {
    const blowUp = [1.1, 0.9, 5, 1e50, 1e300, Infinity];
    const chart = renderLossCurves([
      { label: 'lr 0.01', losses: falling, diverged: false },
      { label: 'lr 1', losses: blowUp, diverged: true },
      { label: 'lr 5', losses: [NaN], diverged: true },
    ], { width: 80 });
    const r = rows(chart);
    expect(Math.max(...r.map((x) => x.value))).toBeLessThan(1.3); // top: the steady curve's first loss
    expect(r[0].text.slice(12)).toContain('2'); // it exits at the top
    expect(r.filter((x) => x.text.slice(12).includes('3'))).toEqual([]); // the never-finite curve is not drawn …
    expect(chart).toContain('3 ── lr 5'); // … but is in the legend
    for (const log of [false, true]) expect(() => renderLossCurves([{ label: 'x', losses: blowUp, diverged: true }], { width: 60, log })).not.toThrow();
    expect(renderLossCurves([{ label: 'x', losses: [Infinity], diverged: true }], { width: 60 })).toContain('never a finite number');
  });

  it('more epochs than columns: one column per group of epochs, axis up to the last epoch', () => {
    const long = Array.from({ length: 1000 }, (_, e) => 1 / (1 + e));
    const chart = renderLossCurves([{ label: 'x', losses: long, diverged: false }, { label: 'y', losses: long.slice(0, 300), diverged: false }], { width: 80 });
    const axis = chart.split('\n').find((l) => l.includes('└')) ?? '';
    expect(axis.length).toBeLessThanOrEqual(80);
    expect(chart).toMatch(/ 1000\n/);
    expect(curveMark(9)).toBe('a');
  });

  it('the single-curve chart survives a run that ends on a non-finite loss (train --lr 0.15)', () => {
    expect(renderLossChart([1.14, Infinity], { width: 80 })).toContain('┼');
    expect(renderLossChart([1, 0.8, 0.7, NaN], { width: 80, log: true })).toContain('loss (log scale)');
  });
});

describe('runs and the thread pool', () => {
  const { data, count } = sampleFrames(60);
  const seed = 11;
  const start = createNetwork([160, 6, 160]);
  const rng = new CountingRng(seed);
  initNetwork(start, rng);
  const job = (index: number, lr: number, epochs = 4): SweepJob => ({ index, lr, net: start, seed, draws: rng.draws, options: { epochs, shuffle: true } });
  const noStop = (): Int32Array => new Int32Array(new SharedArrayBuffer(4));
  const inThread = async (j: SweepJob): Promise<number[]> => (await runJob(j, data, count, threadId, { shouldStop: () => false, onProgress: () => {} })).losses;

  it('a run resumes the generator right after the weights were drawn', () => {
    const after = new CountingRng(seed);
    initNetwork(createNetwork([160, 6, 160]), after);
    expect(rng.draws).toBe(2 * 160 * 6);
    expect(rngAfter(seed, rng.draws).next()).toBe(after.next());
  });

  it('a run trains its own copy: the shared start is untouched, the same job twice gives the same losses', async () => {
    const before = start.layers.map((l) => Array.from(l.W));
    const once = await inThread(job(0, 0.01));
    expect(start.layers.map((l) => Array.from(l.W))).toEqual(before);
    expect(await inThread(job(0, 0.01))).toEqual(once);
    expect(once[3]).toBeLessThan(once[0]);
  });

  it('a long sweep: the main thread starts, a worker joins and takes the next runs; each run is exactly the in-thread one', async () => {
    // The first run is long (~20000 short epochs): the main thread measures it, starts the worker
    // (left: far more than WORK_PER_WORKER) and is still on it when the worker takes runs 1 and 2.
    const jobs = [job(0, 0.003, 20000), job(1, 0.01), job(2, 0.03)];
    const seen: number[] = [];
    const out = await runPool(jobs, data, count, { workers: 1, stop: noStop(), onResult: (r) => seen.push(r.index) });
    expect(out.workers).toBe(1);
    expect(out.results.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(seen.sort()).toEqual([0, 1, 2]);
    expect(out.results[0].threadId).toBe(threadId);
    expect(out.results[1].threadId).not.toBe(threadId);
    expect(new Set(out.results.map((r) => r.threadId)).size).toBe(2);
    for (const r of out.results) expect(r.losses).toEqual(await inThread(jobs[r.index]));
    expect(out.results[1].losses).not.toEqual(out.results[2].losses);
  });

  it('a short sweep stays in the main thread: no worker is started when it could not pay for its start-up', async () => {
    // 5 s of work per worker instead of the default 0.05 s: on a loaded machine two epochs can be timed as
    // long enough to pay for a worker; what is under test is the rule, not this machine's speed.
    const out = await runPool([job(0, 0.01, 2), job(1, 0.02, 2)], data, count, { workers: 2, stop: noStop(), workPerWorker: 5 });
    expect(out.workers).toBe(0);
    expect(out.results.map((r) => r.threadId)).toEqual([threadId, threadId]);
    expect(out.results[1].losses).toEqual(await inThread(job(1, 0.02, 2)));
  });

  it('workers alone, started at once: two workers share the runs, results as in this thread', async () => {
    // Each run takes far longer than a worker needs to start, so the second worker finds run 1 still waiting.
    const jobs = [job(0, 0.003, 20000), job(1, 0.01, 20000)];
    const out = await runPool(jobs, data, count, { workers: 2, mainThread: false, stop: noStop() });
    expect(out.workers).toBe(2);
    const ids = out.results.map((r) => r.threadId);
    expect(new Set(ids).size).toBe(2);
    expect(ids).not.toContain(threadId);
    for (const r of out.results) expect(r.losses).toEqual(await inThread(jobs[r.index]));
  });

  it('the stop flag set before the start runs nothing, in any thread', async () => {
    for (const mainThread of [true, false]) {
      const stop = noStop();
      Atomics.store(stop, 0, 1);
      const out = await runPool([job(0, 0.01), job(1, 0.02)], data, count, { workers: 2, workPerWorker: 0, mainThread, stop });
      expect(out.results).toEqual([]);
    }
  });

  it('a crashing worker ends the sweep with one line naming its run', async () => {
    // Test workers follow the protocol of sweep-worker.ts: take a job from the shared queue, say which, then fail.
    const take = "import { workerData } from 'node:worker_threads';\nconst i = Atomics.add(new Int32Array(workerData.next), 0, 1);\nAtomics.store(new Int32Array(workerData.running), workerData.slot, i + 1);\n";
    const throwing = join(dir, 'throws.mjs');
    writeFileSync(throwing, `${take}throw new Error('out of cheese');\n`);
    const exiting = join(dir, 'exits.mjs');
    writeFileSync(exiting, `${take}process.exit(7);\n`);
    const early = join(dir, 'early.mjs');
    writeFileSync(early, "throw new Error('no trainer here');\n");
    const run = (file: string): Promise<unknown> => runPool([job(0, 0.01)], data, count, { workers: 1, mainThread: false, stop: noStop(), workerUrl: pathToFileURL(file) });
    await expect(run(throwing)).rejects.toThrow(/^the worker training lr 0\.01 stopped: out of cheese \(run again with --verbose/);
    await expect(run(throwing)).rejects.toBeInstanceOf(UserError);
    await expect(run(exiting)).rejects.toThrow(/lr 0\.01 stopped: its thread exited with code 7/);
    await expect(run(early)).rejects.toThrow(/^a sweep worker stopped: no trainer here/);
    await expect(run(join(dir, 'missing.mjs'))).rejects.toThrow(/missing\.mjs is missing: run `npm run build`/);
  });

  it('a worker crashing while the main thread trains ends the sweep too, and the main thread\'s run stops', async () => {
    const bad = join(dir, 'throws-late.mjs');
    writeFileSync(bad, "import { workerData } from 'node:worker_threads';\nconst i = Atomics.add(new Int32Array(workerData.next), 0, 1);\nAtomics.store(new Int32Array(workerData.running), workerData.slot, i + 1);\nthrow new Error('out of cheese');\n");
    const progress: number[] = [];
    const pending = runPool([job(0, 0.003, 1e7), job(1, 0.05)], data, count, { workers: 1, workPerWorker: 0, stop: noStop(), workerUrl: pathToFileURL(bad), onProgress: (i, e) => { if (i === 0) progress.push(e); } });
    await expect(pending).rejects.toThrow(/^the worker training lr 0\.05 stopped: out of cheese/);
    const seen = progress.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(progress.length).toBeLessThanOrEqual(seen + 1); // stopped at its next slice, not 1e7 epochs later
  });
});
