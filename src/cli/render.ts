import asciichart from 'asciichart';

/** Short, honest number formatting: 3 significant digits, exponent only when needed. */
export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e6) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1);
}

/** "1 234 567": groups of three (not toLocaleString: loading ICU's locale data costs ~20–70 ms cold). */
export function fmtInt(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '∞' : '-∞';
  return String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** "1 frame", "450 frames" (the course's first exercise trains on one). */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export interface ChartOptions {
  /** Terminal columns available. */
  width: number;
  height?: number;
  log?: boolean;
  color?: boolean;
}

/** Width of the y-axis labels. */
export const LABEL = 10;

/**
 * The loss curve with asciichart, one column per epoch or, when there are more epochs
 * than columns, the mean of each group of epochs; epochs labelled on an x axis below.
 */
export function renderLossChart(losses: readonly number[], opts: ChartOptions): string {
  if (losses.length === 0) return '(no epoch finished: no curve to draw)';
  const finite = losses.map((l) => (Number.isFinite(l) ? l : NaN));
  const cols = Math.max(10, opts.width - LABEL - 3);
  const n = finite.length;
  const buckets = Math.min(n, cols);
  const series: number[] = [];
  const firstEpoch: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * n) / buckets);
    const hi = Math.max(lo + 1, Math.floor(((b + 1) * n) / buckets));
    let s = 0;
    let c = 0;
    for (let e = lo; e < hi; e++) if (!Number.isNaN(finite[e])) { s += finite[e]; c++; }
    series.push(c ? s / c : NaN);
    firstEpoch.push(lo + 1);
  }
  // A run that diverged ends on a non-finite epoch: asciichart cannot draw NaN, so the curve stops before it.
  while (series.length > 0 && Number.isNaN(series[series.length - 1])) series.pop();
  const log = opts.log === true;
  const plotted = series.map((v) => (log ? Math.log10(Math.max(v, 1e-300)) : v));
  const shown = plotted.filter((v) => !Number.isNaN(v));
  if (shown.length === 0) return '(the loss was never a finite number: no curve to draw)';
  // asciichart walks the rows from round(min·ratio) to round(max·ratio) one by one, which never
  // ends for values like 1e118 (+1 is lost in rounding): so plot 0..height and map labels back.
  const height = opts.height ?? 12;
  const lo = Math.min(...shown);
  const span = Math.max(...shown) - lo;
  const toRow = (v: number): number => (Number.isNaN(v) ? Number.NaN : span > 0 ? ((v - lo) / span) * height : 0);
  const fromRow = (r: number): number => (span > 0 ? lo + (r / height) * span : lo);
  const format = (r: number): string => {
    const v = fromRow(r);
    return fmt(log ? 10 ** v : v).padStart(LABEL);
  };
  const chart = asciichart.plot(plotted.map(toRow), {
    height: span > 0 ? height : 1,
    min: 0,
    max: span > 0 ? height : 0,
    format,
    ...(opts.color ? { colors: [asciichart.cyan] } : {}),
  });
  const title = log ? 'loss (log scale) per epoch' : 'loss per epoch';
  return [' '.repeat(LABEL - 4) + title, chart, epochAxis(buckets, n, firstEpoch)].join('\n');
}

/**
 * The x axis under a chart whose y labels are LABEL wide: tick marks and epoch numbers under the
 * first, last and evenly spaced columns (column c starts at epoch firstEpoch[c]; n epochs in all).
 */
export function epochAxis(buckets: number, n: number, firstEpoch: readonly number[]): string {
  const pad = ' '.repeat(LABEL + 1);
  const axis = pad + '└' + '─'.repeat(buckets);
  const labels = new Array<string>(buckets + 12).fill(' ');
  let prev: [number, number] | null = null; // the last label's [start, end)
  const place = (col: number, text: string, last: boolean): void => {
    const start = Math.min(Math.max(0, col - Math.floor(text.length / 2)), buckets + 11 - text.length);
    // Labels need a space between them ("12" under epochs 1 and 2 would read as twelve); the last epoch wins.
    if (prev !== null && start <= prev[1]) {
      if (!last) return;
      labels.fill(' ', prev[0], prev[1]);
    }
    for (let i = 0; i < text.length; i++) labels[start + i] = text[i];
    prev = [start, start + text.length];
  };
  const step = Math.max(12, Math.floor(buckets / 5));
  const ticks: number[] = [0];
  for (let c = step; c < buckets - step / 2; c += step) ticks.push(c);
  if (buckets > 1) ticks.push(buckets - 1);
  for (const c of ticks) place(c, String(c === buckets - 1 ? n : firstEpoch[c]), c === buckets - 1);
  return [axis, pad + labels.join('').trimEnd(), pad + 'epoch'].join('\n');
}
