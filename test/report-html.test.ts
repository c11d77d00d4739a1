import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHtmlReport, escapeHtml, niceTicks, configText, MAX_EMBEDDED_SECONDS, type ReportData } from '../src/cli/report/html.js';
import { checkReportPath } from '../src/cli/report/data.js';
import { runBin } from './helpers/run.js';

function data(over: Partial<ReportData> = {}): ReportData {
  const original = new Int16Array(1600);
  const reconstruction = new Int16Array(1600);
  for (let i = 0; i < original.length; i++) {
    original[i] = Math.round(8000 * Math.sin(i / 5));
    reconstruction[i] = Math.round(original[i]! * 0.8);
  }
  return {
    title: 'test report',
    source: 'a.wav',
    config: { hidden: 10, lr: 0.01 },
    seed: 7,
    losses: [1, 0.5, 0.25, 0.2],
    numbers: { finalLoss: 0.2, modelLoss: 0.19, clipped: 0 },
    original,
    reconstruction,
    sampleRate: 16000,
    ...over,
  };
}

/** The loss path's points, parsed back from its `d`. */
function lossPoints(html: string): { x: number; y: number }[] {
  const d = /<path class="loss" d="([^"]*)"/.exec(html)?.[1];
  if (d === undefined) throw new Error('no loss path');
  expect(d).toMatch(/^(?:[ML]-?[\d.]+ -?[\d.]+)+$/);
  return [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
}

function attributeUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href|xlink:href|action|data)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!);
}

describe('HTML report renderer', () => {
  it('escapes a hostile file name, title and config everywhere', () => {
    const evil = `"><script>alert('x')</script><img src=x onerror=alert(1)>&.wav`;
    const html = renderHtmlReport(data({ title: evil, source: evil, config: { [evil]: evil, init: null } }));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(evil));
    expect(escapeHtml(evil)).toBe('&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;.wav');
  });

  it('points at nothing outside the page and forbids fetching in its CSP', () => {
    const html = renderHtmlReport(data());
    const urls = attributeUrls(html);
    expect(urls.length).toBeGreaterThanOrEqual(3); // icon + two players
    for (const u of urls) expect(u.startsWith('data:')).toBe(true);
    expect(html).not.toMatch(/\burl\(|@import|https?:/i);
    expect(html).toContain(`content="default-src 'none'`);
  });

  it('embeds both recordings as WAV data: URIs holding exactly the samples', () => {
    const d = data();
    const html = renderHtmlReport(d);
    const srcs = [...html.matchAll(/<audio id="audio-(\w+)"[^>]*src="data:audio\/wav;base64,([^"]+)"/g)];
    expect(srcs.map((m) => m[1])).toEqual(['original', 'reconstruction']);
    for (const [i, expected] of [d.original, d.reconstruction].entries()) {
      const wav = Buffer.from(srcs[i]![2]!, 'base64');
      expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
      expect(wav.readUInt32LE(24)).toBe(16000);
      const samples = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.byteLength));
      expect(samples).toEqual(expected);
    }
  });

  it('a long recording: the players hold its first 2 minutes and say so; the waveforms cover all of it', () => {
    const long = new Int16Array(5 * 60 * 16000); // 5 min
    for (let i = 0; i < long.length; i++) long[i] = i < 4 * 60 * 16000 ? 0 : 10000; // loud only in minute 5
    const html = renderHtmlReport(data({ original: long, reconstruction: long }));
    const srcs = [...html.matchAll(/src="data:audio\/wav;base64,([^"]+)"/g)];
    expect(srcs).toHaveLength(2);
    for (const m of srcs) expect(Buffer.from(m[1]!, 'base64').length).toBe(44 + 2 * MAX_EMBEDDED_SECONDS * 16000);
    expect(html).toContain(`The players hold the first ${MAX_EMBEDDED_SECONDS / 60} minutes of the 5.0`);
    expect(html.length).toBeLessThan(15_000_000);
    // The waveform reaches the loud last minute: its path is not flat at the end.
    const path = /<path class="wave-original"[^>]* d="([^"]*)"/.exec(html)?.[1] ?? '';
    const tops = [...path.matchAll(/M[\d.]+ ([\d.]+)V/g)].map((m) => Number(m[1]));
    expect(tops[tops.length - 1]).toBeLessThan(tops[0]! - 30);
    expect(renderHtmlReport(data())).not.toContain('The players hold the first');
  });

  it('draws one loss point per epoch, later epochs to the right, lower loss lower down', () => {
    const losses = [2, 1.5, 1.6, 0.9, 0.4, 0.41, 0.3];
    const pts = lossPoints(renderHtmlReport(data({ losses })));
    expect(pts).toHaveLength(losses.length);
    for (let i = 1; i < pts.length; i++) expect(pts[i]!.x).toBeGreaterThan(pts[i - 1]!.x);
    for (let i = 0; i < losses.length; i++) {
      for (let j = 0; j < losses.length; j++) if (losses[i]! > losses[j]!) expect(pts[i]!.y).toBeLessThan(pts[j]!.y);
    }
  });

  it('log scale: each factor of 10 is the same height', () => {
    const pts = lossPoints(renderHtmlReport(data({ losses: [1, 0.1, 0.01], log: true })));
    expect(pts[1]!.y - pts[0]!.y).toBeCloseTo(pts[2]!.y - pts[1]!.y, 0);
    expect(pts[1]!.y).toBeGreaterThan(pts[0]!.y);
  });

  it('a diverged run: finite epochs on the path, the non-finite one marked, no NaN in the SVG', () => {
    const html = renderHtmlReport(data({ losses: [1, 3, 1e12, Infinity], stopped: 'diverged', numbers: { finalLoss: Infinity, modelLoss: NaN, clipped: 0 } }));
    expect(lossPoints(html)).toHaveLength(3);
    expect(html.match(/class="diverged"/g)).toHaveLength(1);
    expect(html).toContain('<title>epoch 4: Infinity</title>');
    expect(html).toMatch(/class="notice">Training diverged at epoch 4/);
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    // The loss chart, three waveforms, three spectrograms and their colour scale.
    expect(svgs.length).toBe(8);
    for (const s of svgs) expect(s).not.toMatch(/NaN|Infinity"/);
    expect(html).toMatch(/data-key="finalLoss".*data-value="Infinity"/);
  });

  it('no finite loss at all, and no epoch at all: a sentence instead of a curve', () => {
    const never = renderHtmlReport(data({ losses: [NaN] }));
    expect(never).toContain('never a finite number');
    expect(never).not.toContain('id="loss-chart"');
    const empty = renderHtmlReport(data({ losses: [], numbers: { finalLoss: null, modelLoss: 0.3, clipped: 0 } }));
    expect(empty).toContain('No epoch finished');
    expect(empty).not.toContain('id="loss-chart"');
    expect(empty).not.toContain('data-key="finalLoss"');
    expect(empty.match(/<audio /g)).toHaveLength(2);
    const untrained = renderHtmlReport(data({ losses: undefined }));
    expect(untrained).not.toContain('Loss per epoch');
    expect(untrained.match(/<audio /g)).toHaveLength(2);
  });

  it('shows the optional numbers only when given, with their full value for scripts', () => {
    const without = renderHtmlReport(data());
    for (const k of ['pcaLoss', 'snrDb', 'segmentalSnrDb', 'kbps']) expect(without).not.toContain(`data-key="${k}"`);
    const withAll = renderHtmlReport(data({ numbers: { finalLoss: 0.2, modelLoss: 0.123456789, pca: { k: 10, loss: 0.1, isBound: true }, snrDb: 7.25, segmentalSnrDb: 5.5, bitrate: { kbps: 8, bits: 8 }, clipped: 3 } }));
    expect(withAll).toMatch(/data-key="modelLoss".*data-value="0.123456789">0.123</);
    expect(withAll).toMatch(/data-key="snrDb".*>7.25 dB</);
    expect(withAll).toMatch(/data-key="segmentalSnrDb".*>5.50 dB</);
    expect(withAll).toMatch(/data-key="kbps".*>8 kbit\/s<.*the code at 8 bits a number \(as dlaudio compress stores it\); the 16-bit WAV: 256 kbit\/s/);
    expect(withAll).toMatch(/data-key="pcaLoss"><th>PCA-10 bound<.*data-value="0.1"/);
    expect(renderHtmlReport(data({ numbers: { finalLoss: 0.2, modelLoss: 0.1, pca: { k: 10, loss: 0.1, isBound: false }, snrDb: Infinity, segmentalSnrDb: NaN, clipped: 0 } })))
      .toMatch(/PCA-10 reference[\s\S]*data-key="snrDb".*>∞ dB<[\s\S]*data-key="segmentalSnrDb".*>n\/a</);
  });

  it('waveform envelope keeps a one-sample click that decimation would drop', () => {
    const original = new Int16Array(160 * 450);
    original[12345] = 30000;
    const html = renderHtmlReport(data({ original, reconstruction: new Int16Array(original.length) }));
    const svg = /<svg class="wave" id="wave-original"[\s\S]*?<\/svg>/.exec(html)![0];
    const d = /class="wave-original"[^>]*d="([^"]*)"/.exec(svg)![1]!;
    const cols = [...d.matchAll(/M([\d.]+) ([\d.]+)V([\d.]+)/g)].map((m) => ({ top: Number(m[2]), bottom: Number(m[3]) }));
    expect(cols.length).toBeLessThanOrEqual(760);
    const heights = cols.map((c) => c.bottom - c.top);
    expect(heights.filter((h) => h > 10)).toHaveLength(1);
  });

  it('config values: human labels and words, the JSON key in data-key and the tooltip', () => {
    expect(configText([160, 64, 10, 64, 160])).toBe('160, 64, 10, 64, 160');
    expect(configText({ kind: 'adam', beta1: 0.9, extra: null })).toBe('kind: adam, beta1: 0.9, extra: —');
    const html = renderHtmlReport(data({ config: { layers: [160, 10, 160], optimizer: { kind: 'sgd' }, frames: 450, droppedSamples: 12, shuffle: false, init: null, custom: 'x' }, layers: [160, 64, 10, 64, 160] }));
    expect(html).toContain('<div data-key="layers" title="JSON key: layers"><dt>layer sizes</dt><dd>160 → 10 → 160</dd></div>');
    expect(html).toContain('<dt>optimiser</dt><dd>plain SGD</dd>');
    expect(html).toContain('<dt>frames trained</dt><dd>450</dd>');
    expect(html).toContain('<dt>samples dropped at the end</dt><dd>12</dd>');
    expect(html).toContain('<dt>frames shuffled each epoch</dt><dd>no</dd>');
    expect(html).toContain('<dt>started from</dt><dd>random weights</dd>');
    expect(html).toContain('<div data-key="custom" title="JSON key: custom"><dt>custom</dt><dd>x</dd></div>');
    expect(renderHtmlReport(data({ config: { optimizer: { kind: 'adam', beta1: 0.9 } } }))).toContain('<dd>adam (beta1 0.9)</dd>');
    expect(html).toContain('(160 samples → 10 numbers → 160 samples)');
    expect(renderHtmlReport(data())).not.toContain('numbers →');
  });

  it('nice ticks are round and cover the range', () => {
    expect(niceTicks(0, 1.23)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 1.2]);
    expect(niceTicks(1, 30, 6)).toEqual([5, 10, 15, 20, 25, 30]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });
});

describe('--report path checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlaudio-report-'));

  it('refuses a folder, a missing folder and a name that is not .html', async () => {
    mkdirSync(join(dir, 'sub.html'));
    await expect(checkReportPath(join(dir, 'sub.html'))).rejects.toThrow(/is a folder: give a file name/);
    await expect(checkReportPath(join(dir, 'missing', 'r.html'))).rejects.toThrow(/does not exist or is not writable/);
    await expect(checkReportPath(join(dir, 'r.txt'))).rejects.toThrow(/ending in \.html/);
    await expect(checkReportPath(join(dir, 'r.html'))).resolves.toBeUndefined();
  });

  it('train refuses an unwritable --report before training, in one line', async () => {
    const r = await runBin(['train', '--epochs', '1', '--report', join(dir, 'missing', 'r.html')]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('Training');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^dlaudio: cannot write the report to .*r\.html: the folder .* does not exist or is not writable$/)]);
  });

  it('sweep refuses a --report that is not .html before sweeping, in one line', async () => {
    const r = await runBin(['sweep', '--epochs', '1', '--report', join(dir, 'r.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('Sweeping');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^dlaudio: --report .*r\.txt: the report is an HTML page; give a file name ending in \.html/)]);
  });
});
