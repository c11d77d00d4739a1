// The HTML report as a reader gets it: the real bin writes it, headless Chromium opens it from disk.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runBin } from './helpers/run.js';
import { fmt } from '../src/cli/render.js';
import { configText, type ConfigValue } from '../src/cli/report-html.js';

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

// What the page functions touch (the project compiles without the DOM library).
interface AudioLike {
  id: string;
  readyState: number;
  duration: number;
  error: { message: string } | null;
  addEventListener(type: string, f: () => void, opts?: { once: boolean }): void;
}
interface PathLike { getBBox(): { width: number } }
const EPOCHS = 30;

interface TrainJson {
  seed: number;
  losses: number[];
  finalLoss: number;
  modelLoss: number;
  config: Record<string, ConfigValue> & { frames: number; sampleRate: number; frameSize: number };
  [key: string]: unknown;
}

describe.skipIf(missing !== undefined)(`HTML report in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlaudio-report-'));
  const html = join(dir, 'report.html');
  const url = pathToFileURL(html).href;
  let json: TrainJson;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = []; // errors and warnings
  const requests: string[] = [];

  beforeAll(async () => {
    const [withReport, asJson] = await Promise.all([
      runBin(['train', '--epochs', String(EPOCHS), '--seed', '1', '--report', html]),
      runBin(['train', '--epochs', String(EPOCHS), '--seed', '1', '--json']),
    ]);
    expect(withReport.code, withReport.stderr).toBe(0);
    expect(withReport.stderr).toContain(`report written to ${html}`);
    expect(asJson.code, asJson.stderr).toBe(0);
    json = JSON.parse(asJson.stdout) as TrainJson;

    context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context.on('request', (r) => requests.push(r.url()));
    page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    await page.goto(url, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console error and asks the network for nothing', async () => {
    expect(consoleErrors).toEqual([]);
    expect(requests.filter((u) => u !== url && !u.startsWith('data:'))).toEqual([]);
    expect(requests).toContain(url);
  });

  it('both players hold the trained audio: duration = frames × 160 / 16 000 s', async () => {
    const durations = await page.$$eval('audio', (els) =>
      Promise.all(
        (els as unknown as AudioLike[]).map((a) =>
          a.readyState >= 1 ? a.duration : new Promise<number>((res, rej) => {
            a.addEventListener('loadedmetadata', () => res(a.duration), { once: true });
            a.addEventListener('error', () => rej(new Error(`audio ${a.id}: ${a.error?.message ?? 'error'}`)), { once: true });
          }),
        ),
      ),
    );
    const expected = (json.config.frames * json.config.frameSize) / json.config.sampleRate;
    expect(expected).toBe(4.5);
    expect(durations).toEqual([expected, expected]);
    expect(await page.$$eval('audio', (els) => els.map((a) => a.id))).toEqual(['audio-original', 'audio-reconstruction']);
  });

  it('the loss curve has one point per epoch, ordered like the losses', async () => {
    const d = await page.$eval('#loss-chart path.loss', (p) => p.getAttribute('d') ?? '');
    const ys = [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => Number(m[2]));
    expect(ys).toHaveLength(EPOCHS);
    expect(json.losses).toHaveLength(EPOCHS);
    for (let i = 0; i < EPOCHS; i++) {
      for (let j = 0; j < EPOCHS; j++) if (json.losses[i]! > json.losses[j]! * 1.01) expect(ys[i]).toBeLessThan(ys[j]!);
    }
    // Drawn, not just present: the browser lays it out over most of the chart's width.
    const box = await page.$eval('#loss-chart path.loss', (p) => (p as unknown as PathLike).getBBox().width);
    expect(box).toBeGreaterThan(500);
  });

  it('shows the same numbers as train --json with the same seed', async () => {
    const rows = await page.$$eval('#numbers tr[data-key]', (trs) =>
      trs.map((tr) => ({ key: tr.getAttribute('data-key')!, value: tr.querySelector('td.v')!.getAttribute('data-value')!, text: tr.querySelector('td.v')!.textContent! })),
    );
    const byKey = new Map(rows.map((r) => [r.key, r]));
    for (const key of ['finalLoss', 'modelLoss', 'seed']) expect(byKey.has(key), key).toBe(true);
    // Every number the page shares with the JSON is the JSON's, to the last digit.
    for (const r of rows) {
      if (!(r.key in json)) continue;
      expect(Number(r.value), r.key).toBe(json[r.key]);
    }
    expect(byKey.get('finalLoss')!.text).toBe(fmt(json.finalLoss));
    expect(byKey.get('modelLoss')!.text).toBe(fmt(json.modelLoss));
    expect(byKey.get('seed')!.text).toBe('1');
    const config = await page.$$eval('#config tr[data-key]', (trs) => trs.map((tr) => [tr.getAttribute('data-key')!, tr.querySelector('td')!.textContent!] as const));
    expect(config.length).toBeGreaterThan(5);
    expect(config.map(([k]) => k)).toEqual(Object.keys(json.config));
    for (const [k, v] of config) expect(v, k).toBe(configText(json.config[k]!));
  });
});
