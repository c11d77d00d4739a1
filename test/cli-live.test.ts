/** `dlaudio live` through the real bin (run `npm run build` first). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectOneLine, runBin } from './helpers/run.js';
import { ROOT, SAMPLE, sampleInt16 } from './helpers/sample.js';
import { runCli } from './sim/run-cli.js';
import { encodeWav16 } from '../src/audio/wav.js';
import { loadModel } from '../src/model/model-file.js';
import { chunk, fmt, float32Bytes, riff } from './helpers/audio-wav-builder.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dlaudio-live-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ChunkLine {
  type: 'chunk';
  chunk: number;
  trained: boolean;
  start: number;
  seconds: number;
  frames: number;
  levelDbfs: number | null;
  before: number;
  after: number;
  losses: number[];
  stopped: string;
  lag: number;
  trainSeconds: number;
}

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}


describe('dlaudio live (real bin)', () => {
  it('the per-chunk losses equal those of `train` run chunk by chunk with --init chained between them', async () => {
    const live = await runBin(['live', '--wav', SAMPLE, '--chunk', '1', '--seed', '42', '--json', '--save', join(dir, 'live.json')]);
    expect(live.code, live.stderr).toBe(0);
    const chunks = jsonLines(live.stdout).filter((o) => o.type === 'chunk') as unknown as ChunkLine[];
    expect(chunks.map((c) => c.chunk)).toEqual([1, 2, 3, 4, 5]);
    const samples = sampleInt16();
    let model: string | null = null;
    for (const c of chunks) {
      const wav = join(dir, `chunk${c.chunk}.wav`);
      writeFileSync(wav, encodeWav16(samples.subarray((c.chunk - 1) * 16000, c.chunk * 16000), 16000));
      const from = model === null ? ['--seed', '42'] : ['--init', model];
      // --epochs 0 measures the weights so far on the new chunk: live's "before".
      const before = await runBin(['train', '--wav', wav, ...from, '--epochs', '0', '--json']);
      expect(before.code, before.stderr).toBe(0);
      expect(c.before).toBe((JSON.parse(before.stdout) as { modelLoss: number }).modelLoss);
      const next = join(dir, `chain${c.chunk}.json`);
      const trained = await runBin(['train', '--wav', wav, ...from, '--epochs', '1', '--json', '--save', next]);
      expect(trained.code, trained.stderr).toBe(0);
      const t = JSON.parse(trained.stdout) as { losses: number[]; modelLoss: number };
      expect(c.losses).toEqual(t.losses);
      expect(c.after).toBe(t.modelLoss);
      model = next;
    }
    // And the weights at the end are the chain's, byte for byte.
    expect(readFileSync(join(dir, 'live.json'), 'utf8')).toBe(readFileSync(model as string, 'utf8'));
  }, 120_000);

  it('--json: one object per chunk (JSON lines), then a summary', async () => {
    const r = await runBin(['live', '--wav', SAMPLE, '--chunk', '2', '--passes', '3', '--seed', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.type)).toEqual(['chunk', 'chunk', 'chunk', 'summary']);
    const chunks = lines.slice(0, 3) as unknown as ChunkLine[];
    // 5 s in chunks of 2 s: the last one is the 1 s left, trained as it is.
    expect(chunks.map((c) => [c.chunk, c.start, c.seconds, c.frames])).toEqual([[1, 0, 2, 200], [2, 2, 2, 200], [3, 4, 1, 100]]);
    for (const c of chunks) {
      expect(c.trained).toBe(true);
      expect(c.losses).toHaveLength(3);
      expect(c.after).toBeLessThan(c.before);
      expect(c.stopped).toBe('done');
      expect(typeof c.levelDbfs).toBe('number');
      expect(c.lag).toBeGreaterThanOrEqual(0);
    }
    const s = lines[3] as Record<string, unknown> & { config: Record<string, unknown>; pca: { loss: number; k: number } };
    expect(s).toMatchObject({ chunks: 3, skipped: 0, heardSeconds: 5, learntSeconds: 5, stopped: 'end', seed: 1, parameters: 3200 });
    expect(s.config).toMatchObject({ layers: [160, 10, 160], passes: 3, chunkSeconds: 2, lr: 0.01, batch: 1 });
    // The PCA-10 bound of all 5 s: the same number `train` prints for the whole sample.
    const train = await runBin(['train', '--wav', SAMPLE, '--epochs', '0', '--json', '--seed', '1']);
    expect(s.pca.loss).toBeCloseTo((JSON.parse(train.stdout) as { pca: { loss: number } }).pca.loss, 12);
    expect(r.stderr).toMatch(/^chunk 1 {2}0:00\.0–0:02\.0 /m);
  }, 60_000);

  it('the human view: the two curves over chunks and the summary with the PCA bound', async () => {
    const r = await runBin(['live', '--wav', SAMPLE, '--chunk', '1', '--seed', '42']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('loss per chunk');
    expect(r.stdout).toContain('1 ── before training on it (sound never heard)');
    expect(r.stdout).toContain('2 ── after its pass');
    expect(r.stdout).toMatch(/^learnt: +5 chunks, 5\.00 s of sound$/m);
    expect(r.stdout).toMatch(/^PCA-10 bound: 0\.432 /m);
    // Not a terminal: no cursor movement anywhere.
    expect(r.stderr).not.toContain('\x1b[');
  }, 30_000);

  it('--keep: all the sound heard, byte for byte what `convert` makes of the input (44.1 kHz stereo float here)', async () => {
    const n = 44100 * 2;
    const pcm = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      pcm[2 * i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / 44100);
      pcm[2 * i + 1] = 0.2 * Math.sin((2 * Math.PI * 1234 * i) / 44100);
    }
    const input = join(dir, 'in44.wav');
    writeFileSync(input, riff([fmt({ tag: 3, channels: 2, rate: 44100, bits: 32 }), chunk('data', float32Bytes(pcm))]));
    const conv = await runBin(['convert', input, '-o', join(dir, 'conv.wav')]);
    expect(conv.code, conv.stderr).toBe(0);
    const r = await runBin(['live', '--wav', input, '--chunk', '0.5', '--seed', '3', '--keep', join(dir, 'kept.wav')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'kept.wav')).equals(readFileSync(join(dir, 'conv.wav')))).toBe(true);
    expect(r.stderr).toContain('converted');
  }, 30_000);

  it('Ctrl-C (SIGINT to the real bin): exit 130, --save is a valid model, --keep a valid WAV of what was heard, no temp file left', async () => {
    const out = mkdtempSync(join(dir, 'sigint-'));
    const run = runCli(['live', '--wav', SAMPLE, '--realtime', '--chunk', '0.5', '--seed', '5', '--save', join(out, 'm.json'), '--keep', join(out, 'k.wav')], { ...process.env, NO_COLOR: '1' }, ROOT);
    await run.waitForStderr('chunk 2 ');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    expect(readdirSync(out).sort()).toEqual(['k.wav', 'm.json']);
    const model = loadModel(join(out, 'm.json'));
    expect(model.net.sizes).toEqual([160, 10, 160]);
    const kept = readFileSync(join(out, 'k.wav'));
    const dataBytes = kept.readUInt32LE(40);
    expect(kept.toString('ascii', 0, 4)).toBe('RIFF');
    expect(kept.readUInt32LE(4)).toBe(36 + dataBytes);
    expect(kept.length).toBe(44 + dataBytes);
    expect(dataBytes).toBeGreaterThanOrEqual(2 * 16000); // at least the two chunks seen
    const heard = new Int16Array(kept.buffer.slice(kept.byteOffset + 44, kept.byteOffset + 44 + dataBytes));
    expect(heard).toEqual(sampleInt16().subarray(0, heard.length));
    expect(r.stdout).toMatch(/^heard: .*stopped by Ctrl-C/m);
  }, 30_000);

  it('--report: the session\'s page with the chunk-loss chart (two curves)', async () => {
    const page = join(dir, 'live.html');
    const r = await runBin(['live', '--wav', SAMPLE, '--chunk', '1', '--seed', '2', '--report', page]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('id="chunk-chart"');
    expect(html.match(/<path class="loss" data-label="[^"]*"/g)?.length).toBe(2);
    expect(html).toContain('Content-Security-Policy');
  }, 30_000);

  it.each([
    [['--wav', SAMPLE, '--device'], 2, /give --wav FILE or --device, not both/],
    [['--realtime'], 2, /--realtime goes with --wav FILE/],
    [['--wav', 'no/such.wav'], 1, /no\/such\.wav: no such file/],
    [['--wav', SAMPLE, '--chunk', '0.001'], 2, /--chunk 0\.001 is less than one frame/],
    [['--wav', SAMPLE, '--chunk', '0'], 2, /--chunk/],
    [['--wav', SAMPLE, '--passes', '0'], 2, /--passes/],
    [['--wav', SAMPLE, '--report', join(tmpdir(), 'x.txt')], 2, /--report .*HTML page/],
    [['--wav', SAMPLE, '--keep', SAMPLE], 2, /--keep/],
  ])('live %j: one clear line, exit %i', async (args, code, pattern) => {
    const r = await runBin(['live', ...args]);
    expect(r.code).toBe(code);
    expectOneLine(r.stderr, pattern);
  });
});
