/**
 * Spectrograms of the original, the reconstruction and the error, on one colour scale: which
 * frequencies the code keeps. Each is a small palette PNG (fast-png encodes it) inside an SVG that
 * draws the axes, so the page stays one file and a few tens of kilobytes per picture.
 */
import { encode } from 'fast-png';
import { spectrogram, type Spectrogram } from '../../audio/spectrum.js';
import { fmt } from '../render.js';
import { escapeHtml, minus, niceTicks, r1, timeAxis, TIME_MARGIN, W } from './svg.js';

/** 32 ms Hann windows every 10 ms (one per frame): 62.5 Hz between rows at 16 kHz. */
export const SPEC_WINDOW = 256;
/** dB shown below the loudest cell of the original; quieter cells are the scale's darkest colour. */
export const SPEC_RANGE_DB = 70;
const LEVELS = 32;

/** Viridis at five stops, interpolated: dark blue (quiet) to yellow (loud), readable in grey too. */
const STOPS: ReadonlyArray<readonly [number, number, number]> = [
  [0x44, 0x01, 0x54], [0x3b, 0x52, 0x8b], [0x21, 0x91, 0x8c], [0x5e, 0xc9, 0x62], [0xfd, 0xe7, 0x25],
];
export const PALETTE: number[][] = Array.from({ length: LEVELS }, (_, i) => {
  const t = (i / (LEVELS - 1)) * (STOPS.length - 1);
  const a = Math.min(STOPS.length - 2, Math.floor(t));
  const f = t - a;
  return [0, 1, 2].map((c) => Math.round(STOPS[a]![c]! * (1 - f) + STOPS[a + 1]![c]! * f));
});

/** The palette index of a dB value on the scale [top − range, top]. */
export function level(db: number, top: number): number {
  if (!(db > top - SPEC_RANGE_DB)) return 0;
  return Math.min(LEVELS - 1, Math.round(((db - (top - SPEC_RANGE_DB)) / SPEC_RANGE_DB) * (LEVELS - 1)));
}

/** Rows top to bottom = high to low frequency, one column per 10 ms. */
function png(s: Spectrogram, top: number): string {
  const data = new Uint8Array(s.columns * s.bins);
  for (let c = 0; c < s.columns; c++) {
    for (let k = 0; k < s.bins; k++) data[(s.bins - 1 - k) * s.columns + c] = level(s.db[c * s.bins + k]!, top);
  }
  const bytes = encode({ width: s.columns, height: s.bins, data, depth: 8, channels: 1, palette: PALETTE });
  return `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;
}

const PH = 120;

function chart(id: string, label: string, s: Spectrogram, top: number, seconds: number, withTime: boolean): string {
  const m = { ...TIME_MARGIN, t: 18 };
  const pw = W - m.l - m.r;
  const H = m.t + PH + (withTime ? 30 : 8);
  const nyq = (s.bins - 1) * s.binHz;
  const parts = [
    `<text x="${m.l}" y="12">${escapeHtml(label)}</text>`,
    `<image href="${png(s, top)}" x="${m.l}" y="${m.t}" width="${pw}" height="${PH}" preserveAspectRatio="none"/>`,
  ];
  for (const khz of niceTicks(0, nyq / 1000, 4)) {
    const y = r1(m.t + PH - ((khz * 1000) / nyq) * PH);
    parts.push(`<line class="axis" x1="${m.l - 5}" x2="${m.l}" y1="${y}" y2="${y}"/><text x="${m.l - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(khz)} kHz</text>`);
  }
  parts.push(`<path class="axis" d="M${m.l} ${m.t}V${m.t + PH}H${W - m.r}"/>`);
  if (withTime) parts.push(timeAxis(seconds, m.t + PH));
  return `<svg class="spectrogram" id="${id}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(label)}: frequency (Hz) against time (s)" data-columns="${s.columns}" data-bins="${s.bins}">\n${parts.join('\n')}\n</svg>`;
}

/** The colour bar: what each colour means, in dB below the loudest cell. */
function legend(): string {
  const w = 420;
  const x0 = 64;
  const bar = encode({ width: LEVELS, height: 1, data: Uint8Array.from({ length: LEVELS }, (_, i) => i), depth: 8, channels: 1, palette: PALETTE });
  const parts = [
    `<image href="data:image/png;base64,${Buffer.from(bar).toString('base64')}" x="${x0}" y="4" width="${w}" height="12" preserveAspectRatio="none"/>`,
    `<text x="${x0 - 8}" y="14" text-anchor="end">colour</text>`,
  ];
  for (let db = -SPEC_RANGE_DB; db <= 0; db += 10) {
    const x = r1(x0 + ((db + SPEC_RANGE_DB) / SPEC_RANGE_DB) * w);
    parts.push(`<line class="axis" x1="${x}" x2="${x}" y1="16" y2="20"/><text x="${x}" y="32" text-anchor="middle">${db === 0 ? '0 dB' : minus(db)}</text>`);
  }
  parts.push(`<text x="${x0 + w + 12}" y="14">0 dB: the original's loudest</text>`);
  return `<svg id="spectrogram-legend" viewBox="0 0 ${W} 38" role="img" aria-label="colour scale: ${SPEC_RANGE_DB} dB below the loudest to the loudest">\n${parts.join('\n')}\n</svg>`;
}

export function spectrogramSection(original: Int16Array, reconstruction: Int16Array, rate: number): string {
  const n = Math.min(original.length, reconstruction.length);
  if (n === 0) return '';
  const error = new Float64Array(n);
  for (let i = 0; i < n; i++) error[i] = original[i]! - reconstruction[i]!;
  const opts = { window: SPEC_WINDOW, hop: Math.round(rate / 100), sampleRate: rate };
  const specs = [spectrogram(original.subarray(0, n), opts), spectrogram(reconstruction.subarray(0, n), opts), spectrogram(error, opts)];
  let top = -Infinity;
  for (const v of specs[0]!.db) if (v > top) top = v;
  if (!Number.isFinite(top)) top = 0; // a silent original: every colour is the darkest
  const seconds = n / rate;
  return `<section id="spectrograms-section"><h2>Spectrograms</h2>
<p class="hint">Time left to right, frequency bottom to top, loudness as colour (one scale for all three). Where the reconstruction is dark but the original is bright, the code lost that sound; the error shows what is missing.</p>
${chart('spec-original', 'original', specs[0]!, top, seconds, false)}
${chart('spec-reconstruction', 'reconstruction', specs[1]!, top, seconds, false)}
${chart('spec-error', 'error = original − reconstruction', specs[2]!, top, seconds, true)}
${legend()}
</section>`;
}
