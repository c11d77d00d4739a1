import asciichart from 'asciichart';
import { FRAME_SIZE, SAMPLE_RATE, type Frames } from '../audio/frames.js';

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

/**
 * ", first 12 of 500", ", frames 51–60 (from 0.50 s)" (startFrame: frames of the file skipped by
 * --start before these), or nothing when training on all of them.
 */
export function framesWindow(f: Omit<Frames, 'data'>, startFrame = f.first): string {
  if (startFrame === 0) return f.count < f.available ? `, first ${f.count} of ${f.available}` : '';
  const range = f.count === 1 ? `${startFrame + 1}` : `${startFrame + 1}–${startFrame + f.count}`;
  return `, ${f.count === 1 ? 'frame' : 'frames'} ${range} (from ${((startFrame * FRAME_SIZE) / SAMPLE_RATE).toFixed(2)} s)`;
}

export interface ChartOptions {
  /** Terminal columns available. */
  width: number;
  height?: number;
  log?: boolean;
  color?: boolean;
  /** What one x step is: 'epoch' (default), 'chunk' (live). */
  xLabel?: string;
}

/** Width of the y-axis labels. */
export const LABEL = 10;

/**
 * The loss curve with asciichart, one column per epoch or, when there are more epochs than columns,
 * epoch 1 alone in the first column (the curve starts where training started) and the others shared
 * evenly among the rest, each column drawn as the range (lowest to highest loss) of its epochs;
 * epochs labelled on an x axis below.
 */
export function renderLossChart(losses: readonly number[], opts: ChartOptions): string {
  if (losses.length === 0) return '(no epoch finished: no curve to draw)';
  const finite = losses.map((l) => (Number.isFinite(l) ? l : NaN));
  const cols = Math.max(10, opts.width - LABEL - 3);
  const n = finite.length;
  const buckets = Math.min(n, cols);
  const high: number[] = [];
  const low: number[] = [];
  const firstEpoch: number[] = [];
  for (let b = 0; b < buckets; b++) {
    // [lo, hi) epochs (0-based): bucket 0 is epoch 1; epochs 2..n are spread over the other columns.
    const lo = b === 0 || buckets === n ? b : 1 + Math.floor(((b - 1) * (n - 1)) / (buckets - 1));
    const hi = b === 0 && buckets < n ? 1 : buckets === n ? b + 1 : 1 + Math.floor((b * (n - 1)) / (buckets - 1));
    let max = NaN;
    let min = NaN;
    for (let e = lo; e < Math.max(hi, lo + 1); e++) {
      const v = finite[e];
      if (Number.isNaN(v)) continue;
      if (!(v <= max)) max = v;
      if (!(v >= min)) min = v;
    }
    high.push(max);
    low.push(min);
    firstEpoch.push(lo + 1);
  }
  const series = high;
  // A run that diverged ends on a non-finite epoch: asciichart cannot draw NaN, so the curve stops before it.
  while (series.length > 0 && Number.isNaN(series[series.length - 1])) series.pop();
  low.length = series.length;
  const log = opts.log === true;
  const toPlot = (v: number): number => (log ? Math.log10(Math.max(v, 1e-300)) : v);
  const plotted = series.map(toPlot);
  const plottedLow = low.map(toPlot);
  const shown = [...plotted, ...plottedLow].filter((v) => !Number.isNaN(v));
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
  // Two curves, the highest and the lowest loss of each column's epochs: where they differ, the
  // column spans the range (one column per epoch: they are the same curve).
  const same = plotted.every((v, i) => Object.is(v, plottedLow[i]));
  const rows = same ? plotted.map(toRow) : [plotted.map(toRow), plottedLow.map(toRow)];
  const chart = asciichart.plot(rows, {
    height: span > 0 ? height : 1,
    min: 0,
    max: span > 0 ? height : 0,
    format,
    ...(opts.color ? { colors: [asciichart.cyan, asciichart.cyan] } : {}),
  });
  const title = log ? 'loss (log scale) per epoch' : 'loss per epoch';
  return [' '.repeat(LABEL - 4) + title, chart, epochAxis(buckets, n, firstEpoch)].join('\n');
}

/**
 * The x axis under a chart whose y labels are LABEL wide: tick marks and epoch numbers under the
 * first, last and evenly spaced columns (column c starts at epoch firstEpoch[c]; n epochs in all).
 */
export function epochAxis(buckets: number, n: number, firstEpoch: readonly number[], xLabel = 'epoch'): string {
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
  return [axis, pad + labels.join('').trimEnd(), pad + xLabel].join('\n');
}

/** Summaries fit in this many columns (a terminal's default, a printed page). */
export const SUMMARY_COLUMNS = 80;

/**
 * Fits a summary in 80 columns: a line that is too long has its explanation (the part in
 * parentheses after three spaces) moved to the next line, under the value; what is still too long
 * wraps at spaces, under the value too. "label:   value" lines keep their value column.
 */
export function fitColumns(text: string, width = SUMMARY_COLUMNS): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if ([...line].length <= width) {
      out.push(line);
      continue;
    }
    const label = /^(\S[^:]*:\s+)/.exec(line);
    const indent = ' '.repeat(label && label[1].length < width / 2 ? label[1].length : 2);
    const note = line.lastIndexOf('   (');
    const parts = note > 0 && line.endsWith(')') ? [line.slice(0, note), indent + line.slice(note + 3)] : [line];
    for (const part of parts) out.push(...wrap(part, width, indent));
  }
  return out.join('\n');
}

function wrap(line: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let rest = line;
  while ([...rest].length > width) {
    const chars = [...rest];
    const cut = chars.slice(0, width + 1).join('').lastIndexOf(' ');
    if (cut <= indent.length) break; // one long word: leave it whole
    lines.push(rest.slice(0, cut).trimEnd());
    rest = indent + rest.slice(cut + 1).trimStart();
  }
  lines.push(rest);
  return lines;
}
