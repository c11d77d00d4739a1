// `dlaudio inspect`: the real bin on a model it saved, checked against the model file and train --json.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBin } from './helpers/run.js';
import { SAMPLE_FRAMES } from './helpers/sample.js';
import { sparkline } from '../src/cli/commands/inspect.js';

interface Unit { unit: number; share: number; active: number; hz: number; waveform: number[] }
interface InspectJson {
  layers: number[];
  parameters: number;
  frames: number;
  loss: number;
  snrDb: number;
  pca: { loss: number; isBound: boolean };
  subspace: { share: number; k: number; anglesDeg: number[] } | null;
  units: { course: boolean; atoms: Unit[]; filters: Unit[]; atomUnits: number; filterUnits: number };
}

describe('dlaudio inspect', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlaudio-inspect-'));
  const model = join(dir, 'model.json');
  let trained: { modelLoss: number; subspace: { share: number }; pca: { loss: number } };
  let j: InspectJson;

  beforeAll(async () => {
    const t = await runBin(['train', '--epochs', '20', '--seed', '4', '--save', model, '--json']);
    expect(t.code, t.stderr).toBe(0);
    trained = JSON.parse(t.stdout) as typeof trained;
    const r = await runBin(['inspect', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    j = JSON.parse(r.stdout) as InspectJson;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--json: the loss and subspace figure train printed, on the same frames', () => {
    expect(j.layers).toEqual([160, 10, 160]);
    expect(j.parameters).toBe(3200);
    expect(j.frames).toBe(SAMPLE_FRAMES);
    expect(j.loss).toBeCloseTo(trained.modelLoss, 12);
    expect(j.pca.loss).toBeCloseTo(trained.pca.loss, 12);
    expect(j.subspace!.share).toBeCloseTo(trained.subspace.share, 12);
    expect(j.subspace!.share).toBeGreaterThan(0);
    expect(j.subspace!.share).toBeLessThan(1);
  });

  it('--json: the ten units are the model file\'s V columns and W rows, by falling share', () => {
    const doc = JSON.parse(readFileSync(model, 'utf8')) as { W: number[][]; V: number[][] };
    const { atoms, filters } = j.units;
    expect(j.units.course).toBe(true);
    expect(atoms.map((a) => a.unit).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const a of atoms) expect(a.waveform).toEqual(doc.V.map((row) => row[a.unit - 1]));
    filters.forEach((f, i) => {
      expect(f.unit).toBe(atoms[i]!.unit);
      expect(f.waveform).toEqual(doc.W[f.unit - 1]);
    });
    for (let i = 1; i < atoms.length; i++) expect(atoms[i]!.share).toBeLessThanOrEqual(atoms[i - 1]!.share);
    expect(atoms.reduce((s, a) => s + a.share, 0)).toBeCloseTo(1, 12);
  });

  it('prints one line per unit with its frequency, share and a 40-character sketch, and the subspace line', async () => {
    const r = await runBin(['inspect', model, '--wav', 'fixtures/sample.wav']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^subspace: +your code spans \d+\.\d % of the best 10-dimensional subspace$/m);
    const rows = r.stdout.split('\n').filter((l) => /^ +\d+ +\d+ +\d+ Hz +[\d.]+ % +\d+ % +[▁▂▃▄▅▆▇█]{40}$/.test(l));
    expect(rows).toHaveLength(10);
    for (const l of r.stdout.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
  });

  it('a deeper network: its last layer\'s atoms and first layer\'s filters, labelled, no subspace line', async () => {
    const deep = join(dir, 'deep.json');
    expect((await runBin(['train', '--layers', '160,24,8,24,160', '--epochs', '2', '--seed', '1', '--save', deep])).code).toBe(0);
    const r = await runBin(['inspect', deep]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('last layer\'s output atoms (the 10 largest of 24)');
    expect(r.stdout).toContain('first layer\'s filters (the 10 largest of 24)');
    expect(r.stdout).not.toContain('subspace:');
    expect(r.stdout).toContain('PCA-8 reference');
  });

  it('a missing model file: one line saying what to do', async () => {
    const r = await runBin(['inspect', join(dir, 'nope.json')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^dlaudio: .*nope\.json/);
  });

  it('sparkline: a sine period rises from the middle to the top, falls to the bottom', () => {
    const s = sparkline(Array.from({ length: 160 }, (_, i) => Math.sin((2 * Math.PI * i) / 160)), 40);
    expect([...s]).toHaveLength(40);
    expect(s[0]).toBe('▅');
    expect(s[10]).toBe('█');
    expect(s[30]).toBe('▁');
    expect(sparkline(new Float64Array(160), 8)).toBe('▅▅▅▅▅▅▅▅');
  });
});
