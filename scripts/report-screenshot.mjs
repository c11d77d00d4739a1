#!/usr/bin/env node
// docs/report.png, docs/report-sounds.png and docs/report-sweep.png: the bundled sample's HTML reports
// (train --seed 1, sweep --seed 1) as headless Chromium shows them. report.png is the whole page;
// report-sounds.png the sections on what the network learnt (its ten sounds, the loss frame by frame,
// the spectrograms). Needs `npm run build` first and Debian's chromium (or CHROMIUM=/path/to/chrome).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = join(root, 'docs');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'dlaudio-shot-'));
const html = join(dir, 'report.html');
const sweepHtml = join(dir, 'sweep.html');

function dlaudio(args) {
  const run = spawnSync(process.execPath, ['bin/dlaudio.js', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (run.status !== 0) throw new Error(`dlaudio ${args[0]} failed (exit ${run.status}): ${run.stderr.trim()}`);
}

try {
  dlaudio(['train', '--seed', '1', '--report', html]);
  dlaudio(['sweep', '--seed', '1', '--epochs', '60', '--report', sweepHtml]);
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(pathToFileURL(html).href);
    // The players show their length only once the data: URIs are parsed.
    await page.waitForFunction(() => [...document.querySelectorAll('.listen audio')].every((a) => a.readyState >= 1));
    await page.screenshot({ path: join(docs, 'report.png'), fullPage: true });
    // The new sections, from the ten sounds to the spectrograms' colour scale.
    const top = await page.$eval('#units-section', (el) => el.getBoundingClientRect().top + window.scrollY);
    const bottom = await page.$eval('#spectrograms-section', (el) => el.getBoundingClientRect().bottom + window.scrollY);
    await page.screenshot({ path: join(docs, 'report-sounds.png'), fullPage: true, clip: { x: 0, y: top - 12, width: 1000, height: bottom - top + 24 } });
    await page.goto(pathToFileURL(sweepHtml).href);
    await page.screenshot({ path: join(docs, 'report-sweep.png'), fullPage: true });
  } finally {
    await browser.close();
  }
  const shots = ['report.png', 'report-sounds.png', 'report-sweep.png'].map((f) => join('docs', f));
  // pngquant (Debian: apt install pngquant), when present, makes the pictures about 3× smaller for the repository.
  const q = spawnSync('pngquant', ['--force', '--skip-if-larger', '--ext', '.png', '--quality', '70-95', ...shots], { cwd: root, encoding: 'utf8' });
  if (q.error) console.log('pngquant not found: the screenshots are left unquantised');
  console.log(`wrote ${shots.join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
