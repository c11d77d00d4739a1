// The HTML report as a reader gets it: the real bin writes it, headless Chromium opens it from disk.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runBin } from './helpers/run.js';
import { SAMPLE as SAMPLE_PATH, sampleFrames } from './helpers/sample.js';
import { decode } from 'fast-png';
import { fmt } from '../src/cli/render.js';
import { configText, type ConfigValue } from '../src/cli/report/html.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Chromium's own background connections are refused on the test machines: switch them all off.
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function chromiumMissingReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} is not installed (Debian/Ubuntu: sudo apt install chromium, or set CHROMIUM=/path/to/chrome)`;
  if (process.env.CI === 'true') throw new Error(`${reason}; it is required in CI`);
  return reason;
}

const missing = chromiumMissingReason();
const EPOCHS = 30;

// What the page functions touch (the project compiles without the DOM library).
interface AudioLike {
  id: string;
  readyState: number;
  duration: number;
  error: { message: string } | null;
  addEventListener(type: string, f: () => void, opts?: { once: boolean }): void;
}
interface PathLike { getBBox(): { width: number } }

interface TrainJson {
  seed: number;
  losses: number[];
  finalLoss: number;
  modelLoss: number;
  config: Record<string, ConfigValue> & { frames: number; sampleRate: number; frameSize: number; hidden: number };
  pca: { loss: number };
  subspace: { share: number };
  reconstruction: { snrDb: number; segmentalSnrDb: number; clipped: number; frames: number };
}

interface ReconstructJson {
  frames: number;
  sampleRate: number;
  loss: number;
  snrDb: number;
  segmentalSnrDb: number;
  clipped: number;
  pca: { loss: number };
  subspace: { share: number };
}

interface Opened {
  page: Page;
  url: string;
  /** Console errors and warnings, uncaught page errors. */
  problems: string[];
  requests: string[];
}

/** The page's numbers table: key → the full value (data-value) and the text shown. */
async function numbers(page: Page): Promise<Map<string, { value: number; text: string }>> {
  const rows = await page.$$eval('#numbers tr[data-key]', (trs) =>
    trs.map((tr) => [tr.getAttribute('data-key')!, tr.querySelector('td.v')!.getAttribute('data-value')!, tr.querySelector('td.v')!.textContent!] as const),
  );
  return new Map(rows.map(([k, v, text]) => [k, { value: Number(v), text }]));
}

/** Both players' durations once their metadata is parsed (or the player's own error). */
async function durations(page: Page): Promise<number[]> {
  return page.$$eval('.listen audio', (els) =>
    Promise.all(
      (els as unknown as AudioLike[]).map((a) =>
        a.readyState >= 1 ? a.duration : new Promise<number>((res, rej) => {
          a.addEventListener('loadedmetadata', () => res(a.duration), { once: true });
          a.addEventListener('error', () => rej(new Error(`audio ${a.id}: ${a.error?.message ?? 'error'}`)), { once: true });
        }),
      ),
    ),
  );
}

describe.skipIf(missing !== undefined)(`HTML report in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlaudio-report-'));
  let context: BrowserContext;
  let train: Opened;
  let trainJson: TrainJson;
  let recon: Opened;
  let reconJson: ReconstructJson;
  let deep: Opened;
  let sweep: Opened;
  let live: Opened;
  let liveChunks: Array<{ before: number; after: number }>;
  let sweepJson: { runs: Array<{ lr: number; finalLoss: number | null; stopped: string }>; best: { lr: number } | null; pca?: unknown };
  let modelPath: string;

  async function open(path: string): Promise<Opened> {
    const url = pathToFileURL(path).href;
    const page = await context.newPage();
    const o: Opened = { page, url, problems: [], requests: [] };
    page.on('request', (r) => o.requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') o.problems.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => o.problems.push(`pageerror: ${e.message}`));
    await page.goto(url, { waitUntil: 'load' });
    return o;
  }

  beforeAll(async () => {
    const html = join(dir, 'train.html');
    const model = join(dir, 'model.json');
    modelPath = model;
    const seed = ['--epochs', String(EPOCHS), '--seed', '1'];
    const [withReport, asJson] = await Promise.all([
      runBin(['train', ...seed, '--report', html, '--save', model]),
      runBin(['train', ...seed, '--json', '--out-wav', join(dir, 'train-recon.wav')]),
    ]);
    expect(withReport.code, withReport.stderr).toBe(0);
    expect(withReport.stderr).toContain(`report written to ${html}`);
    expect(asJson.code, asJson.stderr).toBe(0);
    trainJson = JSON.parse(asJson.stdout) as TrainJson;

    const reconHtml = join(dir, 'reconstruct.html');
    const deepHtml = join(dir, 'deep.html');
    const sweepHtml = join(dir, 'sweep.html');
    const sweepArgs = ['sweep', '--epochs', '15', '--seed', '1', '--lr', '0.001,0.01,0.1,3', '--workers', '1'];
    const liveHtml = join(dir, 'live.html');
    const liveArgs = ['live', '--wav', SAMPLE_PATH, '--chunk', '0.5', '--seed', '1'];
    const [liveReport, liveJson] = await Promise.all([runBin([...liveArgs, '--report', liveHtml]), runBin([...liveArgs, '--json'])]);
    expect(liveReport.code, liveReport.stderr).toBe(0);
    liveChunks = liveJson.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; before: number; after: number }).filter((o) => o.type === 'chunk');
    const [reconReport, reconAsJson, deepReport, sweepReport, sweepAsJson] = await Promise.all([
      runBin(['reconstruct', '--model', model, '--report', reconHtml]),
      runBin(['reconstruct', '--model', model, '--json']),
      runBin(['train', '--layers', '160,32,8,32,160', '--epochs', '3', '--seed', '2', '--report', deepHtml]),
      runBin([...sweepArgs, '--report', sweepHtml]),
      runBin([...sweepArgs, '--json']),
    ]);
    expect(sweepReport.code, sweepReport.stderr).toBe(0);
    expect(sweepReport.stderr).toContain(`report written to ${sweepHtml}`);
    sweepJson = JSON.parse(sweepAsJson.stdout) as typeof sweepJson;
    expect(deepReport.code, deepReport.stderr).toBe(0);
    expect(reconReport.code, reconReport.stderr).toBe(0);
    expect(reconAsJson.code, reconAsJson.stderr).toBe(0);
    reconJson = JSON.parse(reconAsJson.stdout) as ReconstructJson;

    context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    train = await open(html);
    recon = await open(reconHtml);
    deep = await open(deepHtml);
    sweep = await open(sweepHtml);
    live = await open(liveHtml);
  });

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays a reasonable size for the 5 s sample: under 1 MB with every picture', () => {
    // 430 KB of it is the two players; docs/report.md gives the breakdown.
    expect(statSync(fileURLToPath(train.url)).size).toBeLessThan(1_000_000);
  });

  it('loads with no console error and asks the network for nothing but the file', () => {
    for (const o of [train, recon, deep, sweep, live]) {
      expect(o.problems).toEqual([]);
      expect(o.requests).toEqual([o.url]);
    }
  });

  it('both players hold the trained audio: duration = frames × 160 / 16 000 s', async () => {
    const c = trainJson.config;
    const expected = (c.frames * c.frameSize) / c.sampleRate;
    expect(expected).toBe(5);
    expect(await durations(train.page)).toEqual([expected, expected]);
    expect(await train.page.$$eval('.listen audio', (els) => els.map((a) => a.id))).toEqual(['audio-original', 'audio-reconstruction']);
    expect(await durations(recon.page)).toEqual([(reconJson.frames * 160) / reconJson.sampleRate, (reconJson.frames * 160) / reconJson.sampleRate]);
  });

  it('the loss curve has one point per epoch, ordered like the losses', async () => {
    const d = await train.page.$eval('#loss-chart path.loss', (p) => p.getAttribute('d') ?? '');
    const ys = [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => Number(m[2]));
    expect(ys).toHaveLength(EPOCHS);
    const losses = trainJson.losses;
    expect(losses).toHaveLength(EPOCHS);
    for (let i = 0; i < EPOCHS; i++) {
      for (let j = 0; j < EPOCHS; j++) if (losses[i]! > losses[j]! * 1.01) expect(ys[i]).toBeLessThan(ys[j]!);
    }
    // Drawn, not just present: the browser lays it out over most of the chart's width.
    const width = await train.page.$eval('#loss-chart path.loss', (p) => (p as unknown as PathLike).getBBox().width);
    expect(width).toBeGreaterThan(500);
    expect(await recon.page.$('#loss-chart')).toBeNull();
  });

  it('train: the same numbers as train --json --out-wav with the same seed', async () => {
    const j = trainJson;
    const kbps = (j.config.hidden * 8 * j.config.sampleRate) / j.config.frameSize / 1000;
    const expected: Record<string, number> = {
      finalLoss: j.finalLoss,
      modelLoss: j.modelLoss,
      pcaLoss: j.pca.loss,
      subspace: j.subspace.share,
      snrDb: j.reconstruction.snrDb,
      segmentalSnrDb: j.reconstruction.segmentalSnrDb,
      kbps,
      clipped: j.reconstruction.clipped,
      seed: j.seed,
    };
    const shown = await numbers(train.page);
    expect(Object.fromEntries([...shown].map(([k, v]) => [k, v.value]))).toEqual(expected);
    expect(shown.get('finalLoss')!.text).toBe(fmt(j.finalLoss));
    expect(shown.get('snrDb')!.text).toBe(`${j.reconstruction.snrDb.toFixed(2)} dB`);
    expect(shown.get('seed')!.text).toBe('1');

    const config = await train.page.$$eval('#config [data-key]', (els) => els.map((el) => [el.getAttribute('data-key')!, el.querySelector('dt')!.textContent!, el.querySelector('dd')!.textContent!] as const));
    expect(config.map(([k]) => k)).toEqual(Object.keys(j.config));
    const byKey = new Map(config.map(([k, label, value]) => [k, { label, value }]));
    expect(byKey.get('frames')).toEqual({ label: 'frames trained', value: String(j.config.frames) });
    expect(byKey.get('droppedSamples')!.label).toBe('samples dropped at the end');
    expect(byKey.get('optimizer')!.value).toBe('plain SGD');
    expect(byKey.get('lr')).toEqual({ label: 'learning rate', value: configText(j.config.lr!) });
  });

  it('reconstruct: the same numbers as reconstruct --json', async () => {
    const j = reconJson;
    const shown = await numbers(recon.page);
    expect(Object.fromEntries([...shown].map(([k, v]) => [k, v.value]))).toEqual({
      modelLoss: j.loss,
      pcaLoss: j.pca.loss,
      subspace: j.subspace.share,
      snrDb: j.snrDb,
      segmentalSnrDb: j.segmentalSnrDb,
      kbps: 8,
      clipped: j.clipped,
    });
  });

  it('the ten sounds: ten cards by falling share, each with its atom, its filter and its spectrum drawn', async () => {
    const cards = await train.page.$$eval('#units .unit', (els) => els.map((el) => ({
      share: Number(el.getAttribute('data-share')),
      hz: Number(el.getAttribute('data-hz')),
      atom: (el.querySelector('path.atom') as unknown as PathLike | null)?.getBBox().width ?? 0,
      filter: (el.querySelector('path.filter') as unknown as PathLike | null)?.getBBox().width ?? 0,
      spectrum: (el.querySelector('path.spectrum') as unknown as PathLike | null)?.getBBox().width ?? 0,
      peak: el.querySelectorAll('line.peak').length,
    })));
    expect(cards).toHaveLength(10);
    for (const c of cards) {
      expect(c.atom).toBeGreaterThan(100);
      expect(c.filter).toBeGreaterThan(100);
      expect(c.spectrum).toBeGreaterThan(100);
      expect(c.peak).toBe(1);
      expect(c.hz).toBeGreaterThanOrEqual(0);
      expect(c.hz).toBeLessThanOrEqual(8000);
    }
    for (let i = 1; i < 10; i++) expect(cards[i]!.share).toBeLessThanOrEqual(cards[i - 1]!.share);
    expect(cards.reduce((a, c) => a + c.share, 0)).toBeCloseTo(1, 9);
    expect(await train.page.$('#filters')).toBeNull();
  });

  it('a deeper network shows its last layer\'s atoms and first layer\'s filters, labelled, and no subspace figure', async () => {
    const text = await deep.page.$eval('#units-section', (el) => el.textContent ?? '');
    expect(text).toContain('Last layer\'s output atoms');
    expect(text).toContain('First layer\'s filters');
    expect(text).toContain('the 10 largest of 32');
    expect(await deep.page.$$eval('#units .unit', (els) => els.length)).toBe(10);
    expect(await deep.page.$$eval('#filters .unit', (els) => els.length)).toBe(10);
    expect((await numbers(deep.page)).has('subspace')).toBe(false);
    expect(await deep.page.$eval('#pca-line text', (el) => el.textContent)).toMatch(/^PCA-8 reference: /);
  });

  it('the PCA bound is a dashed line under the whole loss curve, at its value', async () => {
    const line = await train.page.$eval('#pca-line', (g) => ({
      loss: Number(g.getAttribute('data-loss')),
      y: Number(g.querySelector('line')!.getAttribute('y1')),
      dash: (globalThis as unknown as { getComputedStyle(e: unknown): { strokeDasharray: string } }).getComputedStyle(g.querySelector('line')).strokeDasharray,
      label: g.querySelector('text')!.textContent,
    }));
    expect(line.loss).toBe(trainJson.pca.loss);
    expect(line.dash).not.toBe('none');
    expect(line.label).toBe(`PCA-10 bound: ${fmt(trainJson.pca.loss)}`);
    const d = await train.page.$eval('#loss-chart path.loss', (p) => p.getAttribute('d') ?? '');
    for (const m of d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)) expect(Number(m[2])).toBeLessThan(line.y);
    const notes = await train.page.$eval('.notes', (el) => el.textContent ?? '');
    expect(notes).toContain('principal angles');
    expect(notes).toContain('(cos²θ₁ + … + cos²θ10) / 10');
  });

  it('spectrograms: three pictures of frames × 129 bins, decoded to what the page shows, one shared colour scale', async () => {
    const specs = await train.page.$$eval('svg.spectrogram', (els) => els.map((el) => ({
      id: el.id,
      href: el.querySelector('image')!.getAttribute('href')!,
      width: (el.querySelector('image') as unknown as PathLike).getBBox().width,
    })));
    expect(specs.map((s) => s.id)).toEqual(['spec-original', 'spec-reconstruction', 'spec-error']);
    for (const s of specs) {
      expect(s.width).toBeGreaterThan(500);
      const png = decode(Buffer.from(s.href.replace(/^data:image\/png;base64,/, ''), 'base64'));
      expect([png.width, png.height]).toEqual([trainJson.config.frames, 129]);
      expect(png.palette).toHaveLength(32);
    }
    expect(await train.page.$$eval('#spectrogram-legend text', (els) => els.map((e) => e.textContent))).toEqual(expect.arrayContaining(['−70', '0 dB']));
  });

  it('loss frame by frame: one value per frame on the waveforms\' time axis, the five worst listed and playable', async () => {
    const frames = trainJson.config.frames;
    expect(await train.page.$eval('#frame-loss', (el) => Number(el.getAttribute('data-frames')))).toBe(frames);
    // Same left and right edge as the waveforms: the same instant at the same x.
    const edges = await train.page.$$eval('#frame-loss path.axis, #wave-error line.axis', (els) => els.map((e) => (e as unknown as PathLike).getBBox().width));
    expect(edges.length).toBeGreaterThan(1);
    const worst = await train.page.$$eval('#worst-frames tr[data-frame]', (trs) => trs.map((tr) => ({ frame: Number(tr.getAttribute('data-frame')), loss: Number(tr.getAttribute('data-loss')), clips: tr.querySelectorAll('audio').length })));
    expect(worst).toHaveLength(5);
    expect(await train.page.$$eval('#frame-loss .worst-mark', (els) => els.map((e) => Number(e.getAttribute('data-frame'))))).toEqual(worst.map((w) => w.frame));
    // Independently: the model file's W and V, the sample's frames, Σ(Y−X)² by plain loops.
    const doc = JSON.parse(readFileSync(modelPath, 'utf8')) as { W: number[][]; V: number[][]; scale: number };
    const { data, count } = sampleFrames(frames, doc.scale);
    const loss = (t: number): number => {
      const x = data.subarray(t * 160, t * 160 + 160);
      const z = doc.W.map((row) => Math.max(0, row.reduce((a, w, k) => a + w * x[k]!, 0)));
      return doc.V.reduce((a, row, i) => a + (row.reduce((b, v, j) => b + v * z[j]!, 0) - x[i]!) ** 2, 0);
    };
    const all = Array.from({ length: count }, (_, t) => loss(t));
    expect(worst[0]!.loss).toBeCloseTo(Math.max(...all), 9);
    for (const w of worst) expect(w.loss).toBeCloseTo(all[w.frame]!, 9);
    for (let i = 1; i < 5; i++) expect(worst[i]!.loss).toBeLessThanOrEqual(worst[i - 1]!.loss);
    expect(worst.every((w) => w.clips === 2)).toBe(true);
    const clip = await train.page.$eval('#worst-frames .clip-original', (el) => {
      const a = el as unknown as AudioLike & { load(): void };
      return new Promise<number>((res, rej) => {
        a.addEventListener('loadedmetadata', () => res(a.duration), { once: true });
        a.addEventListener('error', () => rej(new Error(a.error?.message ?? 'error')), { once: true });
        a.load();
      });
    });
    expect(clip).toBeCloseTo(0.2, 3);
  });

  it('renders without errors or sideways scrolling at 400 px and 1200 px wide', async () => {
    for (const width of [400, 1200]) {
      for (const o of [train, deep, sweep, live]) {
        await o.page.setViewportSize({ width, height: 900 });
        const { scroll, inner } = await o.page.evaluate<{ scroll: number; inner: number }>('({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })');
        expect(scroll, `${o.url} at ${width}px`).toBeLessThanOrEqual(inner);
        const shot = await o.page.screenshot({ fullPage: true });
        expect(shot.length).toBeGreaterThan(10000);
      }
    }
    for (const o of [train, deep, sweep, live]) expect(o.problems).toEqual([]);
  });

  it('sweep --report: every curve on one chart with a legend, the final losses, the best lr highlighted', async () => {
    const runs = sweepJson.runs;
    expect(runs.map((r) => r.stopped)).toEqual(['done', 'done', 'done', 'diverged']);
    const curves = await sweep.page.$$eval('#sweep-chart path.loss', (ps) => ps.map((p) => ({ label: p.getAttribute('data-label'), points: (p.getAttribute('d') ?? '').split(/[ML]/).length - 1 })));
    expect(curves.map((c) => c.label)).toEqual(runs.map((r) => `lr ${fmt(r.lr)}`));
    expect(curves.slice(0, 3).map((c) => c.points)).toEqual([15, 15, 15]);
    expect(await sweep.page.$$eval('#sweep-chart .diverged', (els) => els.length)).toBeGreaterThanOrEqual(1);
    expect(await sweep.page.$$eval('#sweep-legend li', (els) => els.map((e) => e.textContent))).toEqual(['lr 0.001', 'lr 0.01 · best', 'lr 0.1', 'lr 3 (diverged)']);
    const rows = await sweep.page.$$eval('#sweep-table tr[data-lr]', (trs) => trs.map((tr) => ({ lr: Number(tr.getAttribute('data-lr')), best: tr.classList.contains('best'), final: tr.querySelectorAll('td')[2]!.getAttribute('data-value') })));
    expect(rows.map((r) => r.lr)).toEqual(runs.map((r) => r.lr));
    expect(rows.filter((r) => r.best).map((r) => r.lr)).toEqual([sweepJson.best!.lr]);
    rows.forEach((r, i) => { if (runs[i]!.stopped === 'done') expect(Number(r.final)).toBe(runs[i]!.finalLoss); });
    expect(await sweep.page.$('#pca-line')).not.toBeNull();
  });

  it('live --report: the loss per chunk, before and after, one point per chunk, with the PCA line; nothing fetched', async () => {
    const curves = await live.page.$$eval('#chunk-chart path.loss', (ps) => ps.map((p) => ({ label: p.getAttribute('data-label'), points: (p.getAttribute('d') ?? '').split(/[ML]/).length - 1 })));
    expect(curves.map((c) => c.label)).toEqual(['before training on it (never heard)', 'after its pass']);
    expect(curves.map((c) => c.points)).toEqual([liveChunks.length, liveChunks.length]);
    expect(liveChunks.length).toBe(10);
    expect(await live.page.$('#chunk-chart #pca-line')).not.toBeNull();
    expect(live.requests).toEqual([live.url]);
  });
});
