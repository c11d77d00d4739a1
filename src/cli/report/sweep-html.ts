/**
 * `sweep --report`: every learning rate's loss curve on one chart with a legend, the table of final
 * losses with the best learning rate highlighted, and the configuration. Same page rules as the
 * train report (one file, no script, strict CSP).
 */
import type { PcaReference } from '../../model/pca.js';
import { fmt } from '../render.js';
import { configTable, page, type ConfigValue } from './html.js';
import { lossChart } from './loss-chart.js';
import { escapeHtml } from './svg.js';

export interface SweepRun {
  lr: number;
  losses: readonly number[];
  stopped: 'done' | 'diverged' | 'interrupted' | 'not run';
  seconds: number | null;
}

export interface SweepReportData {
  title: string;
  source: string;
  seconds: number;
  seed: number;
  epochs: number;
  log: boolean;
  /** In the order the learning rates were given. */
  runs: readonly SweepRun[];
  /** The best run's lr (lowest final loss among the runs that finished), or null. */
  bestLr: number | null;
  pca?: Pick<PcaReference, 'k' | 'loss' | 'isBound'>;
  config: Readonly<Record<string, ConfigValue>>;
}

/** Distinct in colour and in lightness (Okabe–Ito, readable by most colour-blind readers). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

export function colourOf(i: number): string {
  return COLOURS[i % COLOURS.length]!;
}

const last = (a: readonly number[]): number | null => (a.length ? a[a.length - 1]! : null);

function status(r: SweepRun, epochs: number): string {
  if (r.stopped === 'diverged') return `diverged at epoch ${r.losses.length}`;
  if (r.stopped === 'interrupted') return `interrupted at epoch ${r.losses.length} of ${epochs}`;
  if (r.stopped === 'not run') return 'not run (interrupted)';
  return 'ok';
}

export function renderSweepReport(d: SweepReportData): string {
  const ran = d.runs.map((r, i) => ({ r, i })).filter(({ r }) => r.stopped !== 'not run');
  const curves = ran.map(({ r, i }) => ({ losses: r.losses, label: `lr ${fmt(r.lr)}`, colour: colourOf(i) }));
  const legend = ran
    .map(({ r, i }) => `<li data-lr="${r.lr}"><span class="swatch" style="background:${colourOf(i)}"></span>lr ${escapeHtml(fmt(r.lr))}${r.stopped === 'diverged' ? ' (diverged)' : ''}${r.lr === d.bestLr ? ' · best' : ''}</li>`)
    .join('\n');
  const rows = d.runs
    .map((r, i) => {
      const best = r.lr === d.bestLr;
      const final = last(r.losses);
      return `<tr data-lr="${r.lr}"${best ? ' class="best"' : ''}><td><span class="swatch" style="background:${colourOf(i)}"></span> ${escapeHtml(fmt(r.lr))}${best ? ' ★ best' : ''}</td><td class="v">${r.losses.length ? escapeHtml(fmt(r.losses[0]!)) : '–'}</td><td class="v" data-value="${final ?? ''}">${final === null ? '–' : escapeHtml(fmt(final))}</td><td class="v">${r.losses.length}</td><td>${escapeHtml(status(r, d.epochs))}</td><td class="v">${r.seconds === null ? '–' : `${r.seconds.toFixed(2)} s`}</td></tr>`;
    })
    .join('\n');
  const bestText = d.bestLr === null
    ? 'No run finished all its epochs without diverging: no best learning rate.'
    : `Best: lr ${fmt(d.bestLr)}, the lowest final loss among the runs that trained all ${d.epochs} epochs. Every run started from the same initial weights, so the curves differ by the learning rate alone.`;
  const body = `<section><h2>Loss per epoch${d.log ? ' (log scale)' : ''}, one curve per learning rate</h2>
${lossChart(curves, { log: d.log, pca: d.pca, id: 'sweep-chart' })}
<ul class="legend" id="sweep-legend">
${legend}
</ul>
</section>
<section><h2>Final losses</h2>
<div class="scroll"><table id="sweep-table">
<tr><th>lr</th><th>first loss</th><th>final loss</th><th>epochs</th><th>status</th><th>time</th></tr>
${rows}
</table></div>
<p class="hint">${escapeHtml(bestText)}${d.pca ? ` The dashed line is the PCA-${d.pca.k} ${d.pca.isBound ? 'bound: no learning rate takes the course\'s network below it' : 'reference: the best linear code of the same size'}.` : ''}</p>
</section>
<section><h2>Configuration</h2>
${configTable(d.config)}
</section>`;
  return page(d.title, [d.source, `${fmt(d.seconds)} s`, `seed ${d.seed}`], body);
}
