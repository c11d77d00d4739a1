/** What every picture of the report shares: escaping, round ticks, the chart width and its time axis. */
import { encodeWav16 } from '../../audio/wav.js';
import { fmt } from '../render.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in text and in quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** One decimal: enough for SVG coordinates, and the page stays small. */
export const r1 = (v: number): string => String(Math.round(v * 10) / 10);

/** The typographic minus sign, as in the axis labels. */
export const minus = (v: number | string): string => String(v).replace('-', '−');

/** About `count` round values (1, 2 or 5 × 10^k apart) covering lo..hi. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  // The 1-2-5 step whose tick count is nearest `count`.
  const step = [1, 2, 5, 10].map((m) => m * mag).reduce((a, b) => (Math.abs((hi - lo) / b - count) < Math.abs((hi - lo) / a - count) ? b : a));
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Width of every full-width chart (viewBox units). */
export const W = 760;

/**
 * Left and right margins of the charts drawn against time: the waveforms, the frame losses and the
 * spectrograms use the same ones, so one instant sits at the same x in all of them.
 */
export const TIME_MARGIN = { l: 64, r: 16 } as const;

/** Tick marks and "0.5 s" labels under a time chart whose plot starts at y = `base`. */
export function timeAxis(seconds: number, base: number): string {
  const pw = W - TIME_MARGIN.l - TIME_MARGIN.r;
  return niceTicks(0, seconds, 8)
    .map((t) => {
      const xx = r1(TIME_MARGIN.l + (t / seconds) * pw);
      return `<line class="axis" x1="${xx}" x2="${xx}" y1="${base + 4}" y2="${base + 9}"/><text x="${xx}" y="${base + 22}" text-anchor="middle">${fmt(t)} s</text>`;
    })
    .join('\n');
}

/** 16-bit mono samples as a WAV data: URI, for an <audio> in the page. */
export function wavDataUri(samples: Int16Array, rate: number): string {
  const wav = encodeWav16(samples, rate);
  return `data:audio/wav;base64,${Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength).toString('base64')}`;
}
