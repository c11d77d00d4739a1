// The HTML report as a reader gets it: the real bin writes it, headless Chromium opens it from disk.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runBin } from './helpers/run.js';
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
    const [reconReport, reconAsJson] = await Promise.all([
      runBin(['reconstruct', '--model', model, '--report', reconHtml]),
      runBin(['reconstruct', '--model', model, '--json']),
    ]);
    expect(reconReport.code, reconReport.stderr).toBe(0);
    expect(reconAsJson.code, reconAsJson.stderr).toBe(0);
    reconJson = JSON.parse(reconAsJson.stdout) as ReconstructJson;

    context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    train = await open(html);
    recon = await open(reconHtml);
  });

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console error and asks the network for nothing but the file', () => {
    for (const o of [train, recon]) {
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
});
