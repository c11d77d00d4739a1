#!/usr/bin/env node
// docs/report.png: the bundled sample's HTML report (train --seed 1), as headless Chromium shows it.
// Needs `npm run build` first and Debian's chromium (or CHROMIUM=/path/to/chrome).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'docs', 'report.png');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'dlaudio-shot-'));
const html = join(dir, 'report.html');

try {
  const run = spawnSync(process.execPath, ['bin/dlaudio.js', 'train', '--seed', '1', '--report', html], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (run.status !== 0) throw new Error(`dlaudio train failed (exit ${run.status}): ${run.stderr.trim()}`);
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(pathToFileURL(html).href);
    // The players show their length only once the data: URIs are parsed.
    await page.waitForFunction(() => [...document.querySelectorAll('audio')].every((a) => a.readyState >= 1));
    await page.screenshot({ path: out, fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
