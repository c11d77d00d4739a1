/**
 * The live view on stderr. On a terminal it is redrawn in place (ANSI cursor moves, at most ten
 * times a second): the chart of the two losses over the chunks, the level of the chunk being
 * captured, chunks done, seconds learnt, lag and skipped chunks. Anywhere else (a pipe, a log
 * file, CI) one plain line per chunk, nothing else.
 */
import { fmt } from '../render.js';
import { renderLossCurves } from '../render-multi.js';
import { escapeForTerminal } from '../../util/terminal.js';
import type { ChunkEvent, SkipEvent } from './session.js';

export interface ViewOptions {
  /** Redraw in place (stderr is a terminal). */
  interactive: boolean;
  color: boolean;
  columns: number;
  chunkSeconds: number;
  passes: number;
  /** Show the lag (real time); otherwise the seconds each chunk took to learn. */
  showLag: boolean;
  /** Where the text goes (stderr). */
  write: (text: string) => void;
  now?: () => number;
}

/** "−23 dBFS", "silence". */
export function fmtLevel(db: number): string {
  return Number.isFinite(db) ? `${Math.round(db)} dBFS`.replace('-', '−') : 'silence';
}

/** A 20-cell meter from −60 to 0 dBFS. */
function meter(db: number): string {
  const cells = 20;
  const on = Number.isFinite(db) ? Math.max(0, Math.min(cells, Math.round(((db + 60) / 60) * cells))) : 0;
  return '▮'.repeat(on) + '·'.repeat(cells - on);
}

export function skippedText(n: number): string {
  return `skipped ${n} chunk${n === 1 ? '' : 's'}: training slower than real time`;
}

export function passesText(passes: number): string {
  return `after ${passes === 1 ? 'its pass' : `its ${passes} passes`}`;
}

/** The two curves: the loss on each chunk before training on it, and after. */
export function chunkChart(chunks: readonly ChunkEvent[], opts: { columns: number; color: boolean; passes: number; height?: number }): string {
  return renderLossCurves([
    { label: 'before training on it (sound never heard)', losses: chunks.map((c) => c.before), diverged: false },
    { label: passesText(opts.passes), losses: chunks.map((c) => c.after), diverged: false },
  ], { width: opts.columns, color: opts.color, height: opts.height ?? 8, xLabel: 'chunk' });
}

export class LiveView {
  private readonly chunks: ChunkEvent[] = [];
  private noticeText: string | null = null;
  private skipped = 0;
  private level = -Infinity;
  private captured = 0;
  private drawnLines = 0;
  private lastDraw = -Infinity;
  private readonly now: () => number;

  constructor(private readonly opts: ViewOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  onLevel(db: number, samples: number): void {
    this.level = db;
    this.captured = samples / 16000;
    if (this.opts.interactive) this.draw(false);
  }

  onChunk(c: ChunkEvent): void {
    this.chunks.push(c);
    if (this.opts.interactive) this.draw(true);
    else this.opts.write(chunkLine(c, this.opts.showLag) + '\n');
  }

  onSkip(s: SkipEvent): void {
    this.skipped = s.skipped;
    if (this.opts.interactive) this.draw(true);
    else this.opts.write(`chunk ${s.index + 1}: skipped (${skippedText(s.skipped)})\n`);
  }

  /**
   * A condition that lasts (the phone sending silence): a line of the view on a terminal, one
   * "warning:" line otherwise; null when it is over.
   */
  notice(text: string | null): void {
    if (text === this.noticeText) return;
    this.noticeText = text;
    if (this.opts.interactive) this.draw(true);
    else if (text !== null) this.opts.write(`warning: ${text}\n`);
  }

  /** Removes the in-place view (the summary follows on stdout). */
  clear(): void {
    if (this.drawnLines > 0) this.opts.write(`\x1b[${this.drawnLines}F\x1b[J`);
    this.drawnLines = 0;
  }

  private draw(force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    const lines: string[] = [];
    if (this.chunks.length > 0) lines.push(...chunkChart(this.chunks, { columns: this.opts.columns, color: this.opts.color, passes: this.opts.passes }).split('\n'));
    const n = this.chunks.length;
    lines.push(`capturing ${fmtLevel(this.level).padEnd(9)} ${meter(this.level)}  ${this.captured.toFixed(1)} / ${this.opts.chunkSeconds} s`);
    const learnt = this.chunks.reduce((s, c) => s + c.seconds, 0);
    const last = this.chunks[n - 1];
    const status = [`${n} chunk${n === 1 ? '' : 's'} done`, `${learnt.toFixed(1)} s of sound learnt`];
    if (last) status.push(this.opts.showLag ? `lag ${last.lag.toFixed(1)} s` : `took ${last.workSeconds.toFixed(2)} s`, `last: before ${fmt(last.before)}, after ${fmt(last.after)}`);
    lines.push(status.join(' · '));
    if (this.skipped > 0) lines.push(skippedText(this.skipped));
    if (this.noticeText !== null) lines.push(`warning: ${this.noticeText}`);
    lines.push('Ctrl-C stops (the model is kept with --save)');
    const move = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[J` : '';
    // The lines are ours, but the chart's colours are SGR codes: escape anything else.
    this.opts.write(move + lines.map((l) => escapeForTerminal(l.slice(0, 400))).join('\n') + '\n');
    this.drawnLines = lines.length;
  }
}

/** "chunk 3  0:10.0–0:15.0  −23 dBFS  before 0.612  after 0.548  lag 0.2 s" (or "took 0.05 s") */
export function chunkLine(c: ChunkEvent, showLag = true): string {
  const mmss = (s: number): string => `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
  const stop = c.stopped === 'done' ? '' : `  (${c.stopped})`;
  return `chunk ${c.index + 1}  ${mmss(c.start)}–${mmss(c.start + c.seconds)}  ${fmtLevel(c.level)}  before ${fmt(c.before)}  after ${fmt(c.after)}  ${showLag ? `lag ${c.lag.toFixed(1)} s` : `took ${c.workSeconds.toFixed(2)} s`}${stop}`;
}
