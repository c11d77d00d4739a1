import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { expectOneLine, runBin } from './helpers/run.js';
import { SAMPLE_FRAMES, sampleFrames, ROOT } from './helpers/sample.js';
import { runCli } from './sim/run-cli.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'dlaudio-train-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

interface TrainJson {
  config: { lr: number; epochs: number; frames: number; hidden: number };
  seed: number;
  losses: (number | null)[];
  firstLoss: number;
  finalLoss: number;
  modelLoss: number;
  parameters: number;
  stopped: string;
  timing: { seconds: number; stepsPerSecond: number; kernel: string };
}

async function trainJson(args: string[]): Promise<TrainJson> {
  const r = await runBin(['train', '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as TrainJson; // throws if anything else is on stdout
}

/** A user error: one line on stderr, no stack trace. */

describe('dlaudio train (real bin)', () => {
  it('the course\'s first exercise (one frame) reads as one frame, also with a larger --batch', async () => {
    const r = await runBin(['train', '--frames', '1', '--batch', '32', '--epochs', '2', '--seed', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('--batch 32 is more than the 1 frame: each step uses it (full-batch gradient descent)');
    expect(r.stderr).toMatch(/on 1 frame, 2 epochs/);
    expect(r.stdout).toMatch(/^model loss: .*\(the trained weights on the one frame\)$/m);
    expect(r.stdout + r.stderr).not.toMatch(/\b1 frames\b/);
  });

  it('prints the loss curve and the summary, results on stdout only', async () => {
    const r = await runBin(['train', '--wav', 'fixtures/sample.wav', '--epochs', '30', '--seed', '4']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('loss per epoch');
    expect(r.stdout).toMatch(/┤/);
    expect(r.stdout).toMatch(/^final loss: +\d/m);
    expect(r.stdout).toContain('3200 = W 10×160 + V 160×10, compression ×16');
    expect(r.stdout).toMatch(/frames: +500 of 160 samples/);
    expect(r.stdout).toContain('seed:        4');
    expect(r.stdout).toMatch(/frame-steps\/s/);
    // stderr is not a TTY here: no spinner frames or cursor codes.
    expect(r.stderr).not.toMatch(/\u001b\[/);
  });

  it('--json is one JSON object with config, seed, per-epoch losses and timing', async () => {
    const j = await trainJson(['--epochs', '12', '--seed', '9', '--lr', '0.02']);
    expect(j.config).toMatchObject({ lr: 0.02, epochs: 12, frames: SAMPLE_FRAMES, hidden: 10 });
    expect(j.seed).toBe(9);
    expect(j.losses).toHaveLength(12);
    expect(j.finalLoss).toBe(j.losses[11]);
    expect(j.finalLoss).toBeLessThan(j.firstLoss);
    expect(j.parameters).toBe(3200);
    expect(j.timing.stepsPerSecond).toBeGreaterThan(0);
  });

  it('the same --seed gives identical losses, bit for bit (also with --shuffle)', async () => {
    const a = await trainJson(['--epochs', '10', '--seed', '123', '--shuffle']);
    const b = await trainJson(['--epochs', '10', '--seed', '123', '--shuffle']);
    expect(b.losses).toEqual(a.losses);
    const c = await trainJson(['--epochs', '10', '--seed', '124', '--shuffle']);
    expect(c.losses).not.toEqual(a.losses);
  });

  it('a random seed is chosen and printed when none is given', async () => {
    const j = await trainJson(['--epochs', '1']);
    expect(Number.isInteger(j.seed)).toBe(true);
    const again = await trainJson(['--epochs', '1', '--seed', String(j.seed)]);
    expect(again.losses).toEqual(j.losses);
  });

  it('--save then --init with 0 epochs reproduces the same loss', async () => {
    const model = join(dir, 'model.json');
    const a = await trainJson(['--epochs', '20', '--seed', '3', '--save', model]);
    const b = await trainJson(['--init', model, '--epochs', '0']);
    expect(b.losses).toEqual([]);
    expect(b.modelLoss).toBe(a.modelLoss);
    // Written atomically: no temp file left beside it.
    expect(readdirSync(dir).filter((f) => f.includes('model.json'))).toEqual(['model.json']);
    const doc = JSON.parse(readFileSync(model, 'utf8')) as { format: string; version: number; W: number[][]; V: number[][] };
    expect(doc.format).toBe('dlaudio-autoencoder');
    expect(doc.version).toBe(1);
    expect(doc.W).toHaveLength(10);
    expect(doc.W[0]).toHaveLength(160);
    expect(doc.V).toHaveLength(160);
    expect(doc.V[0]).toHaveLength(10);
    for (const row of doc.W) for (const v of row) expect(Math.fround(v)).toBe(v);
  });

  it('reads a model written by another program (Python) and its loss is right', async () => {
    // V = 0 makes Y = 0, so the loss is the mean of Σx² over the frames: known without dlaudio.
    const model = join(dir, 'from-python.json');
    const py = spawnSync('python3', ['-c', `
import json, sys
W = [[0.01 * ((j + k) % 7 - 3) for k in range(160)] for j in range(4)]
V = [[0.0] * 4 for i in range(160)]
json.dump({"format": "dlaudio-autoencoder", "version": 1, "frameSize": 160, "hidden": 4, "scale": 32000, "W": W, "V": V}, open(sys.argv[1], "w"))
`, model]);
    expect(py.status, String(py.stderr)).toBe(0);
    const j = await trainJson(['--init', model, '--epochs', '0']);
    expect(j.config.hidden).toBe(4);
    const { data, count } = sampleFrames();
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += data[i] * data[i];
    expect(j.modelLoss).toBeCloseTo(sum / count, 12);
  });

  it('--frames 1 is the course\'s first exercise; --seconds keeps the first seconds', async () => {
    expect((await trainJson(['--frames', '1', '--epochs', '5', '--seed', '1'])).config.frames).toBe(1);
    expect((await trainJson(['--seconds', '2', '--epochs', '1', '--seed', '1'])).config.frames).toBe(200);
  });

  it('divergence: stops, prints the curve so far, advises a smaller --lr, exit code 3', async () => {
    const r = await runBin(['train', '--lr', '5', '--epochs', '50', '--seed', '1']);
    expect(r.code).toBe(3);
    // lr 5 blows up within epoch 1: the epoch's loss is not even finite, and the chart says so.
    expect(r.stdout).toContain('the loss was never a finite number');
    expect(r.stdout).toMatch(/^first loss: +(Infinity|NaN)/m);
    expectOneLine(r.stderr, /diverged .* --lr 5: try --lr 0\.05 \(tried: it did not diverge in 20 epochs from the same weights\)$/);
  });

  it('Ctrl-C stops training cleanly and still prints the curve so far (exit 130)', async () => {
    const run = runCli(['train', '--epochs', '1000000', '--seed', '1'], { ...process.env, NO_COLOR: '1' }, ROOT);
    await run.waitForStderr('Training');
    await new Promise((resolve) => setTimeout(resolve, 400));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stdout).toContain('loss per epoch');
    expect(r.stdout).toMatch(/^final loss: +\d/m);
    expect(r.stderr).toMatch(/interrupted after \d+ of 1000000 epochs/);
  });

  it.each([
    [['--wav', 'no/such.wav'], 1, /no\/such\.wav/],
    [['--wav', 'fixtures'], 1, /fixtures/],
    [['--wav', '/dev/null'], 1, /^dlaudio: \/dev\/null is not a regular file \(a device or a pipe\?\): give the path of a \.wav file$/],
    [['--lr', 'abc'], 2, /--lr/],
    [['--lr', '-1'], 2, /--lr/],
    [['--epochs', '2.5'], 2, /--epochs/],
    [['--frames', '0'], 2, /--frames/],
    [['--hidden', '0'], 2, /--hidden/],
    [['--frames', '3', '--seconds', '1'], 2, /--frames or --seconds/],
    [['--init', 'no-model.json'], 1, /model file not found: no-model\.json/],
    [['--init', 'package.json'], 1, /not a valid dlaudio model: "format"/],
    [['--bogus'], 2, /^dlaudio: unknown option '--bogus' \(dlaudio train --help lists the options\)$/],
    [['--lr', 'abc'], 2, /^dlaudio: --lr abc is invalid: .*\(dlaudio train --help lists the options\)$/],
  ])('refuses %j with one line and exit code %i', async (args, code, pattern) => {
    const r = await runBin(['train', ...args]);
    expect(r.code).toBe(code);
    expectOneLine(r.stderr, pattern);
    expect(r.stdout).toBe('');
  });

  it('an unknown command is one line too, with commander\'s suggestion', async () => {
    const r = await runBin(['trian']);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /^dlaudio: unknown command 'trian' \(Did you mean train\?\) \(dlaudio --help lists the commands\)$/);
  });

  it('refuses --hidden that contradicts --init, and non-finite weights', async () => {
    const model = join(dir, 'm4.json');
    await trainJson(['--epochs', '1', '--hidden', '4', '--seed', '2', '--save', model]);
    const r = await runBin(['train', '--init', model, '--hidden', '10']);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /--hidden 10 does not match the model .* \(4 hidden units\)/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, readFileSync(model, 'utf8').replace(/\[\s*-?[\d.e-]+,/, '[1e999,'));
    const r2 = await runBin(['train', '--init', bad]);
    expect(r2.code).toBe(1);
    expectOneLine(r2.stderr, /not a valid dlaudio model: "W"\[0\]\[0\] is Infinity, not a finite number/);
  });
});

describe('dlaudio gradcheck (real bin)', () => {
  it('passes on the sample and prints both errors', async () => {
    const r = await runBin(['gradcheck', '--seed', '5']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/W: max relative error/);
    expect(r.stdout).toMatch(/V: max relative error/);
    expect(r.stdout).toMatch(/^OK/m);
    expect(r.stdout).not.toMatch(/skipped/);
  });

  it('--json, and a tolerance too tight fails with exit code 1', async () => {
    const r = await runBin(['gradcheck', '--seed', '5', '--json', '--frames', '2', '--hidden', '3']);
    const j = JSON.parse(r.stdout) as { ok: boolean; maxRelErrorW: number; maxRelErrorV: number; checked: number };
    expect(j.ok).toBe(true);
    expect(j.checked).toBe(2 * 3 * 160); // every weight checked: speech frames, no unit at the kink
    expect(j.maxRelErrorW).toBeLessThan(1e-6);
    const tight = await runBin(['gradcheck', '--seed', '5', '--tolerance', '1e-30', '--frames', '2']);
    expect(tight.code).toBe(1);
    expectOneLine(tight.stderr, /gradient check failed/);
  });
});
