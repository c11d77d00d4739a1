/**
 * Several loss curves on one asciichart (a sweep): a colour per curve and, with or without
 * colour, the curve's number written just after its last point, so the chart still reads
 * under NO_COLOR or in print. A legend below maps numbers to labels.
 *
 * Each curve is plotted alone on the same scale and the grids are merged cell by cell: that
 * keeps, for every cell, which curve drew it (its colour), which a multi-series plot would not.
 */
import asciichart from 'asciichart';
import { fmt, epochAxis, LABEL, type ChartOptions } from './render.js';

export interface Curve {
  /** Legend text, e.g. "lr 0.01" or "lr 0.1 (diverged at epoch 7)". */
  label: string;
  losses: readonly number[];
  /** A diverged curve does not set the top of the y axis: it leaves the chart where it climbs above the others. */
  diverged: boolean;
}

const PALETTE = [asciichart.cyan, asciichart.yellow, asciichart.magenta, asciichart.green, asciichart.lightblue, asciichart.lightred, asciichart.white, asciichart.lightgreen];
const MARKS = '123456789abcdefghijklmnopqrstuvwxyz';

export function curveMark(i: number): string {
  return MARKS[i] ?? '?';
}

export function curveColor(i: number): string {
  return PALETTE[i % PALETTE.length];
}

interface Cell {
  ch: string;
  /** Curve that drew the cell, -1 for the axis. */
  owner: number;
}

export function renderLossCurves(curves: readonly Curve[], opts: ChartOptions): string {
  const n = Math.max(0, ...curves.map((c) => c.losses.length));
  if (n === 0) return '(no epoch finished: no curve to draw)';
  const log = opts.log === true;
  // Room on the right for the numbers of curves that end at the last epoch.
  const cols = Math.max(10, opts.width - LABEL - 3 - Math.min(2 * curves.length, 12));
  const buckets = Math.min(n, cols);
  const firstEpoch = Array.from({ length: buckets }, (_, b) => Math.floor((b * n) / buckets) + 1);

  // Per curve: the mean of each group of epochs it reached; a group holding a non-finite loss is +∞.
  const series = curves.map((c) => {
    const out: number[] = [];
    for (let b = 0; b < buckets; b++) {
      const lo = Math.floor((b * n) / buckets);
      if (lo >= c.losses.length) break;
      const hi = Math.min(c.losses.length, Math.max(lo + 1, Math.floor(((b + 1) * n) / buckets)));
      let s = 0;
      for (let e = lo; e < hi; e++) s += c.losses[e];
      const v = s / (hi - lo);
      if (!Number.isFinite(v)) {
        if (out.length > 0) out.push(Infinity); // climbs off the top; never finite: not drawn
        break;
      }
      out.push(log ? Math.log10(Math.max(v, 1e-300)) : v);
    }
    return out;
  });

  const finite = (vs: number[]): number[] => vs.filter((v) => Number.isFinite(v));
  const all = series.flatMap(finite);
  if (all.length === 0) return '(the loss was never a finite number: no curve to draw)';
  const steady = series.filter((_, i) => !curves[i].diverged).flatMap(finite);
  const lo = Math.min(...all);
  const top = Math.max(...(steady.length > 0 ? steady : all));
  // Cut each curve where it rises above the top (drawn up to the edge, then it stops).
  const clipped = series.map((vs) => {
    const out: number[] = [];
    for (const v of vs) {
      out.push(Math.min(v, top));
      if (v > top) break;
    }
    return out;
  });

  // Same scaling as renderLossChart: plot rows 0..height (asciichart hangs on huge raw values).
  const height = opts.height ?? 14;
  const span = top - lo;
  const toRow = (v: number): number => (span > 0 ? ((v - lo) / span) * height : 0);
  const format = (r: number): string => {
    const v = span > 0 ? lo + (r / height) * span : lo;
    return fmt(log ? 10 ** v : v).padStart(LABEL);
  };
  const cfg = { height: span > 0 ? height : 1, min: 0, max: span > 0 ? height : 0, format };

  let labels: string[] = [];
  let grid: Cell[][] = [];
  const ends: { curve: number; row: number; col: number }[] = [];
  clipped.forEach((vs, j) => {
    if (vs.length === 0) return;
    const rows = vs.map(toRow);
    const lines = asciichart.plot(rows, cfg).split('\n');
    if (labels.length === 0) {
      labels = lines.map((l) => l.slice(0, axisAt(l)));
      grid = lines.map((l) => Array.from(l.slice(axisAt(l)), (ch) => ({ ch, owner: -1 })));
    }
    lines.forEach((l, r) => {
      const cells = Array.from(l.slice(axisAt(l)));
      cells.forEach((ch, c) => {
        if (c === 0 ? ch === '┼' : ch !== ' ') grid[r][c] = { ch, owner: c === 0 ? grid[r][c].owner : j };
      });
    });
    // Point x ends in column x (column 0 is the axis); asciichart's row of value v is height − round(v).
    ends.push({ curve: j, row: cfg.max - Math.round(rows[rows.length - 1]), col: rows.length - 1 });
  });

  // Each curve's number on its last point, or further right when another number is there or next to it.
  const marked = new Set<string>();
  const isMark = (r: number, c: number): boolean => marked.has(`${r},${c}`);
  for (const e of ends) {
    let c = e.col;
    while (isMark(e.row, c - 1) || isMark(e.row, c) || isMark(e.row, c + 1)) c++;
    while (grid[e.row].length <= c) grid[e.row].push({ ch: ' ', owner: -1 });
    grid[e.row][c] = { ch: curveMark(e.curve), owner: e.curve };
    marked.add(`${e.row},${c}`);
  }

  const paint = (cell: Cell): string => (opts.color && cell.owner >= 0 ? asciichart.colored(cell.ch, curveColor(cell.owner)) : cell.ch);
  const chart = grid.map((cells, r) => (labels[r] + cells.map(paint).join('')).trimEnd());
  const x = opts.xLabel ?? 'epoch';
  const title = log ? `loss (log scale) per ${x}` : `loss per ${x}`;
  return [' '.repeat(LABEL - 4) + title, ...chart, epochAxis(buckets, n, firstEpoch, x), '', legend(curves, opts)].join('\n');
}

/** Where a chart line's axis is: its first ┤ or ┼ (labels hold neither). */
function axisAt(line: string): number {
  const i = line.search(/[┤┼]/);
  return i < 0 ? LABEL + 1 : i;
}

/** "1 ── lr 0.001   2 ── lr 0.003 …", wrapped to the width, each entry in its curve's colour. */
function legend(curves: readonly Curve[], opts: ChartOptions): string {
  const lines: string[] = [];
  let line = '';
  let visible = 0;
  curves.forEach((c, i) => {
    const plain = `${curveMark(i)} ── ${c.label}`;
    const shown = opts.color ? asciichart.colored(`${curveMark(i)} ──`, curveColor(i)) + ` ${c.label}` : plain;
    if (visible > 0 && visible + 3 + plain.length > opts.width) {
      lines.push(line);
      line = '';
      visible = 0;
    }
    line += (visible > 0 ? '   ' : '  ') + shown;
    visible += (visible > 0 ? 3 : 2) + plain.length;
  });
  lines.push(line);
  return lines.join('\n');
}
