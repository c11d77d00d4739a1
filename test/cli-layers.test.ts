import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBin } from './helpers/run.js';
import { createNetwork, initNetwork, fromAutoEncoder } from '../src/model/network.js';
import { createAutoEncoder, initUniform } from '../src/model/autoencoder.js';
import { saveModel, loadModel } from '../src/model/model-file.js';
import { Rng } from '../src/model/rng.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'dlaudio-layers-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

interface TrainJson {
  config: { hidden: number; layers: number[]; bias: boolean; batch: number; optimizer: { kind: string; momentum?: number; beta1?: number; beta2?: number }; frames: number };
  network: string;
  parameters: number;
  losses: number[];
  firstLoss: number;
  finalLoss: number;
  modelLoss: number;
  stopped: string;
  timing: { kernel: string; stepsPerSecond: number };
}

async function trainJson(args: string[]): Promise<{ j: TrainJson; stderr: string }> {
  const r = await runBin(['train', '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return { j: JSON.parse(r.stdout) as TrainJson, stderr: r.stderr };
}

/** A usage error: exit 2, stdout empty, one line on stderr ending with where the options are listed, no stack. */
async function expectRefused(args: string[], pattern: RegExp): Promise<void> {
  const r = await runBin(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(lines[0]).toMatch(/^dlaudio: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('train --layers, --bias, --batch, --optimizer (real bin)', () => {
  it('trains 160,16,4,16,160 with biases, batches of 16 and adam; the summary names it all', async () => {
    const r = await runBin(['train', '--layers', '160,16,4,16,160', '--bias', '--batch', '16', '--optimizer', 'adam', '--lr', '0.002', '--epochs', '15', '--seed', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('network:     160 → 16 (ReLU) → 4 (ReLU) → 16 (ReLU) → 160, with biases');
    expect(r.stdout).toContain('parameters:  5444 = 16×160 + 4×16 + 16×4 + 160×16 + biases 196, compression ×40');
    expect(r.stdout.replace(/\n {13}/g, ' ')).toMatch(/training: +15 epochs, lr 0\.002, batches of 16 \(mean gradient\), adam β1 0\.9 β2 0\.999/); // 80 columns: wrapped under the value
    expect(r.stdout).toMatch(/frame-steps\/s\s+\(general back-propagation, WebAssembly SIMD\)/);
  });

  it('--json reports sizes, bias, batch, optimizer, parameter count; the loss goes down', async () => {
    const { j } = await trainJson(['--layers', '160,32,8,160', '--batch', '8', '--optimizer', 'momentum', '--momentum', '0.8', '--lr', '0.02', '--epochs', '20', '--seed', '2']);
    expect(j.config).toMatchObject({ layers: [160, 32, 8, 160], hidden: 8, bias: false, batch: 8, optimizer: { kind: 'momentum', momentum: 0.8 } });
    expect(j.parameters).toBe(32 * 160 + 8 * 32 + 160 * 8);
    expect(j.network).toBe('160 → 32 (ReLU) → 8 (ReLU) → 160, no biases');
    expect(j.timing.kernel).toBe('wasm-backprop');
    expect(j.losses).toHaveLength(20);
    expect(j.finalLoss).toBeLessThan(0.9 * j.firstLoss);
  });

  it('--layers 160,10,160 is the course network: same kernel, same losses as the default', async () => {
    const a = (await trainJson(['--epochs', '8', '--seed', '6'])).j;
    const b = (await trainJson(['--epochs', '8', '--seed', '6', '--layers', '160,10,160', '--hidden', '10', '--batch', '1', '--optimizer', 'sgd'])).j;
    expect(b.losses).toEqual(a.losses);
    expect(b.timing.kernel).toBe(a.timing.kernel);
    expect(a.timing.kernel).toBe('wasm');
    expect(a.config).toMatchObject({ layers: [160, 10, 160], hidden: 10, bias: false, batch: 1, optimizer: { kind: 'sgd' } });
  });

  it('a batch larger than the frames uses all of them, with a note', async () => {
    const { j, stderr } = await trainJson(['--frames', '5', '--batch', '32', '--epochs', '3', '--seed', '1']);
    expect(j.config.batch).toBe(5);
    expect(stderr).toMatch(/--batch 32 is more than the 5 frames: each step uses all 5/);
  });

  it('--save writes version 2 for a deep network; --init continues from it', async () => {
    const model = join(dir, 'deep.json');
    const a = (await trainJson(['--layers', '160,12,3,12,160', '--bias', '--epochs', '5', '--seed', '4', '--lr', '0.005', '--save', model])).j;
    const doc = JSON.parse(readFileSync(model, 'utf8')) as { version: number; sizes: number[]; layers: { in: number; out: number; activation: string; W: number[][]; b?: number[] }[] };
    expect(doc.version).toBe(2);
    expect(doc.sizes).toEqual([160, 12, 3, 12, 160]);
    expect(doc.layers.map((l) => [l.in, l.out, l.activation, l.W.length, l.W[0].length, l.b?.length])).toEqual([
      [160, 12, 'relu', 12, 160, 12], [12, 3, 'relu', 3, 12, 3], [3, 12, 'relu', 12, 3, 12], [12, 160, 'linear', 160, 12, 160],
    ]);
    const b = (await trainJson(['--init', model, '--epochs', '0'])).j;
    expect(b.modelLoss).toBe(a.modelLoss);
    expect(b.config).toMatchObject({ layers: [160, 12, 3, 12, 160], bias: true });
    // Matching architecture flags are fine with --init.
    await trainJson(['--init', model, '--epochs', '1', '--layers', '160,12,3,12,160', '--bias']);
    await expectRefused(['train', '--wav', 'fixtures/sample.wav', '--init', model, '--layers', '160,10,160'], /--layers 160,10,160 does not match the model in .*deep\.json \(layers 160,12,3,12,160\)/);
    await expectRefused(['train', '--wav', 'fixtures/sample.wav', '--init', model, '--hidden', '10'], /--hidden 10 does not match the model in .*deep\.json \(layers 160,12,3,12,160\)/);
  });

  it('--bias with a course model that has none is refused', async () => {
    const model = join(dir, 'course.json');
    await trainJson(['--epochs', '1', '--seed', '1', '--save', model]);
    expect((JSON.parse(readFileSync(model, 'utf8')) as { version: number }).version).toBe(1);
    await expectRefused(['train', '--wav', 'fixtures/sample.wav', '--init', model, '--bias'], /--bias does not match the model in .*course\.json \(it has no biases\)/);
  });

  it('a model file whose layers do not chain: exit 2, one line naming the sizes', async () => {
    const file = join(dir, 'broken.json');
    await saveModel(file, createNetwork([160, 8, 4, 160]), 32000);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { sizes?: number[]; layers: { in: number; W: number[][] }[] };
    delete doc.sizes;
    doc.layers[1].in = 9;
    doc.layers[1].W = doc.layers[1].W.map((row) => [...row, 0]);
    writeFileSync(file, JSON.stringify(doc));
    await expectRefused(['train', '--wav', 'fixtures/sample.wav', '--init', file], /broken\.json: the layers do not chain: layers\[1\]\.in is 9 but layers\[0\]\.out is 8/);
  });

  it.each([
    [['--layers', '100,10,160'], /^dlaudio: --layers 100,10,160 is invalid: .*the first size is 100, expected 160/],
    [['--layers', '160,10,128'], /--layers.*the last size is 128, expected 160/],
    [['--layers', '160,0,160'], /^dlaudio: --layers 160,0,160 is invalid: .*size 2 is 0, expected a whole number from 1/],
    [['--layers', '160,2.5,160'], /--layers.*size 2 \("2\.5"\) is not a whole number/],
    [['--layers', '160,ten,160'], /--layers.*size 2 \("ten"\) is not a whole number/],
    [['--layers', '160,160'], /^dlaudio: --layers 160,160 is invalid: .*at least 3 sizes/],
    [['--layers', ''], /--layers.*is not a whole number/],
    [['--layers', '160,99999,160'], /--layers.*size 2 is 99999, expected a whole number from 1 to 4096/],
    [['--batch', '0'], /^dlaudio: --batch 0 is invalid: .*at least 1/],
    [['--batch', 'all'], /^dlaudio: --batch all is invalid: .*whole number/],
    [['--optimizer', 'rmsprop'], /^dlaudio: --optimizer rmsprop is invalid: .*sgd, momentum, adam/],
    [['--momentum', '1.5', '--optimizer', 'momentum'], /^dlaudio: --momentum 1\.5 is invalid: .*from 0 to less than 1/],
    [['--beta2', 'x', '--optimizer', 'adam'], /^dlaudio: --beta2 x is invalid: /],
    [['--hidden', '12', '--layers', '160,10,160'], /--hidden 12 means --layers 160,12,160, but --layers 160,10,160 was also given/],
    [['--momentum', '0.5'], /--momentum 0\.5 only acts with --optimizer momentum \(the optimizer is sgd\)/],
    [['--beta1', '0.8', '--optimizer', 'momentum'], /--beta1 0\.8 only acts with --optimizer adam \(the optimizer is momentum\)/],
  ])('train refuses %j: exit 2, one line naming the value', async (args, pattern) => {
    await expectRefused(['train', '--epochs', '1', ...args], pattern);
  });
});

describe('model file version 2', () => {
  it('save → load gives the same weights and biases bit for bit', async () => {
    const net = createNetwork([160, 20, 5, 20, 160], { bias: true });
    const rng = new Rng(12);
    initNetwork(net, rng);
    for (const l of net.layers) if (l.b) for (let i = 0; i < l.b.length; i++) l.b[i] = rng.uniform(-1, 1);
    const file = join(dir, 'v2.json');
    await saveModel(file, net, 12345);
    const back = loadModel(file);
    expect(back.scale).toBe(12345);
    expect(back.net.sizes).toEqual(net.sizes);
    back.net.layers.forEach((l, i) => {
      expect(l.relu).toBe(net.layers[i].relu);
      expect(Buffer.from(l.W.buffer).equals(Buffer.from(net.layers[i].W.buffer))).toBe(true);
      expect(l.b).not.toBeNull();
      expect(Buffer.from((l.b as Float32Array).buffer).equals(Buffer.from((net.layers[i].b as Float32Array).buffer))).toBe(true);
    });
  });

  it('the course shape is still written as version 1 and loads back as the same network', async () => {
    const ae = createAutoEncoder(160, 7);
    initUniform(ae, new Rng(1));
    const file = join(dir, 'v1.json');
    await saveModel(file, fromAutoEncoder(ae), 32000);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { version: number }).version).toBe(1);
    const back = loadModel(file);
    expect(back.net.sizes).toEqual([160, 7, 160]);
    expect(Array.from(back.net.layers[0].W)).toEqual(Array.from(ae.W));
    expect(Array.from(back.net.layers[1].W)).toEqual(Array.from(ae.V));
  });
});

describe('gradcheck --layers (real bin)', () => {
  it('checks a deep network with biases, layer by layer', async () => {
    const r = await runBin(['gradcheck', '--seed', '3', '--frames', '2', '--layers', '160,12,4,12,160', '--bias']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('back-propagation vs central finite differences');
    expect(r.stdout).toMatch(/^layer 1 \(160 → 12\): max relative error W [\d.e-]+, b [\d.e-]+/m);
    expect(r.stdout).toMatch(/^layer 4 \(12 → 160\): /m);
    expect(r.stdout).toMatch(/^OK: all below the tolerance/m);
  });

  it('--json; a tolerance too tight fails with exit 1', async () => {
    const r = await runBin(['gradcheck', '--seed', '3', '--frames', '2', '--layers', '160,8,160', '--json']);
    const j = JSON.parse(r.stdout) as { ok: boolean; sizes: number[]; bias: boolean; maxRelError: number; layers: unknown[] };
    expect(j).toMatchObject({ ok: true, sizes: [160, 8, 160], bias: false });
    expect(j.layers).toHaveLength(2);
    expect(j.maxRelError).toBeLessThan(1e-6);
    const tight = await runBin(['gradcheck', '--seed', '3', '--frames', '1', '--layers', '160,8,160', '--tolerance', '1e-30']);
    expect(tight.code).toBe(1);
    expect(tight.stderr).toMatch(/gradient check failed: .*\(back-propagation disagrees/);
  });

  it('refuses an impossible --layers with exit 2', async () => {
    await expectRefused(['gradcheck', '--layers', '160,10'], /--layers.*at least 3 sizes/);
  });
});
