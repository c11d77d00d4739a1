/**
 * Loss against epoch, for one run (train) or several (sweep): one path per run, a red mark on the
 * top edge where a run's loss stops being a finite number (divergence has no place on the axis),
 * and the PCA-k line dashed across, where no training of the course's network can go below.
 */
import type { PcaReference } from '../../model/pca.js';
import { fmt } from '../render.js';
import { escapeHtml, niceTicks, r1, W } from './svg.js';

export interface Curve {
  losses: readonly number[];
  /** Shown in tooltips and data-label (sweep: "lr 0.01"). */
  label?: string;
  /** A colour from the page's palette (sweep), else the accent. */
  colour?: string;
}

export interface LossChartOptions {
  log: boolean;
  pca?: Pick<PcaReference, 'k' | 'loss' | 'isBound'>;
  id?: string;
  /** What one x step is: 'epoch' (default), 'chunk' (live). */
  xLabel?: string;
}

export function lossChart(curves: readonly Curve[], opts: LossChartOptions): string {
  const { log, pca } = opts;
  const id = opts.id ?? 'loss-chart';
  const xName = opts.xLabel ?? 'epoch';
  const n = Math.max(0, ...curves.map((c) => c.losses.length));
  if (n === 0) return '<p class="empty">No epoch finished: no curve to draw.</p>';
  const ok = (v: number): boolean => Number.isFinite(v) && (!log || v > 0);
  const finite = curves.flatMap((c) => c.losses.filter(ok));
  if (finite.length === 0) return '<p class="empty">The loss was never a finite number: no curve to draw.</p>';
  const H = 300;
  const m = { l: 64, r: 16, t: 14, b: 44 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const t = (v: number): number => (log ? Math.log10(v) : v);
  // The PCA line belongs on the chart: the curves' range is stretched to show it.
  const bound = pca && ok(pca.loss) ? pca.loss : undefined;
  const shown = bound === undefined ? finite : [...finite, bound];
  let lo = Math.min(...shown.map(t));
  let hi = Math.max(...shown.map(t));
  if (!log) lo = Math.min(0, lo); // a linear loss axis starts at 0: the drop reads at its true size
  if (hi === lo) { hi += log ? 0.5 : Math.abs(hi) || 1; lo -= log ? 0.5 : 0; }
  const x = (epoch: number): number => m.l + (n === 1 ? pw / 2 : ((epoch - 1) / (n - 1)) * pw);
  const y = (v: number): number => m.t + ph - ((t(v) - lo) / (hi - lo)) * ph;

  const yTicks = log ? logTicks(lo, hi) : niceTicks(lo, hi);
  const xTicks = n === 1 ? [1] : niceTicks(1, n, 6).filter((e) => Number.isInteger(e) && e >= 1);
  if (n > 1 && !xTicks.includes(1)) xTicks.unshift(1);
  const parts: string[] = [];
  for (const v of yTicks) {
    const yy = r1(y(v));
    parts.push(`<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${yy}" y2="${yy}"/><text x="${m.l - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle">${escapeHtml(fmt(v))}</text>`);
  }
  for (const e of xTicks) {
    const xx = r1(x(e));
    parts.push(`<line class="axis" x1="${xx}" x2="${xx}" y1="${m.t + ph}" y2="${m.t + ph + 5}"/><text x="${xx}" y="${m.t + ph + 19}" text-anchor="middle">${e}</text>`);
  }
  parts.push(`<path class="axis" d="M${m.l} ${m.t}V${m.t + ph}H${W - m.r}"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 6}" text-anchor="middle">${xName}</text>`);
  parts.push(`<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">loss${log ? ' (log)' : ''}</text>`);
  if (pca && bound !== undefined) {
    const yy = r1(y(bound));
    const name = `PCA-${pca.k} ${pca.isBound ? 'bound' : 'reference'}`;
    parts.push(`<g id="pca-line" data-loss="${bound}"><line class="pca" x1="${m.l}" x2="${W - m.r}" y1="${yy}" y2="${yy}"/><text x="${W - m.r - 4}" y="${r1(y(bound) - 6)}" text-anchor="end" class="pca-label">${escapeHtml(`${name}: ${fmt(bound)}`)}</text></g>`);
  }

  for (const c of curves) {
    const pts: string[] = [];
    const marks: string[] = [];
    const who = c.label ? `${c.label}, ` : '';
    const style = c.colour ? ` style="stroke:${c.colour};fill:${c.colour}"` : '';
    c.losses.forEach((v, i) => {
      const e = i + 1;
      if (ok(v)) {
        pts.push(`${pts.length ? 'L' : 'M'}${r1(x(e))} ${r1(y(v))}`);
        // Dots only for one short curve: with several they would hide each other.
        if (n <= 60 && curves.length === 1) marks.push(`<circle class="pt" cx="${r1(x(e))}" cy="${r1(y(v))}" r="2.5"><title>${escapeHtml(who)}${xName} ${e}: ${escapeHtml(fmt(v))}</title></circle>`);
      } else {
        marks.push(`<path class="diverged" d="M${r1(x(e))} ${m.t}l-5 -9h10z"><title>${escapeHtml(who)}${xName} ${e}: ${escapeHtml(String(v))}</title></path>`);
      }
    });
    const label = c.label ? ` data-label="${escapeHtml(c.label)}"` : '';
    parts.push(`<path class="loss"${label}${c.colour ? ` style="stroke:${c.colour}"` : ''} d="${pts.join('')}"/>`, ...marks.map((mk) => (style && mk.startsWith('<circle') ? mk.replace('<circle', `<circle${style}`) : mk)));
  }
  return `<svg id="${id}" viewBox="0 0 ${W} ${H}" role="img" aria-label="loss per ${xName}">\n${parts.join('\n')}\n</svg>`;
}

/** Powers of ten inside lo..hi (log10 units); round values when the range is under a decade. */
function logTicks(lo: number, hi: number): number[] {
  const powers: number[] = [];
  for (let k = Math.ceil(lo); k <= Math.floor(hi); k++) powers.push(10 ** k);
  if (powers.length >= 2) return powers;
  return niceTicks(10 ** lo, 10 ** hi, 4).filter((v) => v > 0);
}
