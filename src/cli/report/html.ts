/**
 * One self-contained HTML page per run: loss curve, waveforms, both recordings to listen to, the numbers.
 * Everything is inline (SVG, CSS, audio as data: URIs) and a Content-Security-Policy forbids any fetch,
 * so the page opens offline, from an e-mail attachment or a USB stick, and never phones home.
 */
import { writeOutput } from '../../util/atomic.js';
import { SEG_MAX_DB, SEG_MIN_DB } from '../../audio/snr.js';
import { fmt, fmtInt } from '../render.js';
import type { UnitsView } from '../../model/inspect.js';
import type { SubspaceFit } from '../../model/subspace.js';
import { unitsSection, UNITS_CSS } from './units.js';
import { lossChart } from './loss-chart.js';
import { frameLossSection } from './frame-loss.js';
import { spectrogramSection, SPEC_RANGE_DB, SPEC_WINDOW } from './spectrogram.js';
import { configHuman, configLabel } from './config.js';
import { escapeHtml, minus, niceTicks, r1, timeAxis, TIME_MARGIN, W, wavDataUri } from './svg.js';

export { escapeHtml, niceTicks };

export type ConfigValue = string | number | boolean | null | readonly ConfigValue[] | { readonly [key: string]: ConfigValue };

/** A config value as the page shows it: lists "160, 10, 160", objects "kind: adam, beta1: 0.9", null "—". */
export function configText(v: ConfigValue): string {
  if (v === null) return '—';
  if (Array.isArray(v)) return v.map(configText).join(', ');
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}: ${configText(x)}`).join(', ');
  return String(v);
}

export interface ReportNumbers {
  /** Mean loss of the last epoch (null: no epoch ran). */
  finalLoss: number | null;
  /** Mean loss of the trained weights over all frames. */
  modelLoss: number | null;
  /** PCA-k on the same frames: a bound when the decoder is one linear layer, a reference otherwise. */
  pca?: { k: number; loss: number; isBound: boolean };
  /** Signal-to-noise ratio of the reconstruction over the whole recording, dB (Infinity: identical). */
  snrDb?: number;
  /** Mean of the per-frame SNRs, dB (NaN: all silence). */
  segmentalSnrDb?: number;
  /** The code's bit rate, kbit/s, and how many bits per code number it assumes. */
  bitrate?: { kbps: number; bits: number };
  /** Reconstructed samples that did not fit in 16 bits. */
  clipped: number;
  /** Σ cos² of the principal angles / k, 0..1 (subspace.ts). */
  subspace?: number;
}

export interface ReportData {
  title: string;
  /** The audio file (any text: it is escaped). */
  source: string;
  /** Shown in order, as a table. */
  config: Readonly<Record<string, ConfigValue>>;
  seed: number | null;
  /** Mean loss of each epoch; may be empty, may end in a non-finite value (diverged); undefined: nothing was trained. */
  losses?: readonly number[];
  stopped?: 'done' | 'diverged' | 'interrupted';
  /** Log-scale y axis for the loss curve. */
  log?: boolean;
  numbers: ReportNumbers;
  /** The network's layer sizes, input first (160, 10, 160 for the course's). */
  layers?: readonly number[];
  original: Int16Array;
  reconstruction: Int16Array;
  sampleRate: number;
  /** The code's units (atoms, filters, shares), when the network was inspected. */
  units?: UnitsView;
  /** How much of PCA's best k-dimensional subspace the decoder's columns span (one linear decoder layer only). */
  subspace?: SubspaceFit;
  /** Σ(Y−X)² of every frame, aligned with the recordings (frameSize samples each). */
  frameLosses?: Float64Array;
  /** `live`: each chunk's loss before training on it (never heard) and after its passes. */
  chunkLosses?: { before: readonly number[]; after: readonly number[]; passes: number };
}

export function renderHtmlReport(d: ReportData): string {
  const seconds = d.original.length / d.sampleRate;
  const sub = [d.source, `${fmt(seconds)} s`, d.seed === null ? null : `seed ${d.seed}`].filter((s): s is string => s !== null);
  return page(d.title, sub, `${stoppedNotice(d)}<div class="row">
<section class="listen"><h2>Listen</h2>
${player('original', 'Original', d.original, d.sampleRate)}
${player('reconstruction', 'Reconstruction', d.reconstruction, d.sampleRate)}
<p class="hint">${escapeHtml(listenHint(d))}</p>
</section>
<section class="numbers"><h2>Numbers</h2>
${numbersTable(d)}
</section>
</div>
${d.losses === undefined ? '' : `<section><h2>Loss per epoch${d.log ? ' (log scale)' : ''}</h2>
${lossChart([{ losses: d.losses }], { log: d.log === true, pca: d.numbers.pca })}
</section>
`}${d.chunkLosses ? chunkSection(d.chunkLosses, d.numbers.pca) : ''}${d.units ? unitsSection(d.units, d.sampleRate) + '\n' : ''}<section><h2>Waveforms</h2>
${waveforms(d)}
</section>
${d.frameLosses ? frameLossSection(d.frameLosses, d.layers?.[0] ?? 160, d.original, d.reconstruction, d.sampleRate) + '\n' : ''}${spectrogramSection(d.original, d.reconstruction, d.sampleRate)}
<section><h2>Configuration</h2>
${configTable(d.config)}
</section>
${notes(d)}`);
}

/** The page around a report's sections: the strict CSP, the styles, the title and the footer. */
export function page(title: string, sub: readonly string[], body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; media-src data:; img-src data:">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p class="sub">${sub.map(escapeHtml).join(' · ')}</p></header>
${body}
<footer>Made by dlaudio. This page is self-contained: it needs no network.</footer>
</body>
</html>
`;
}

/** Writes the page atomically; a folder that is missing or read-only gets a one-line error. */
export async function writeHtmlReport(path: string, d: ReportData | string): Promise<void> {
  await writeOutput(path, typeof d === 'string' ? d : renderHtmlReport(d), 'the report');
}

const CSS = `
:root{color-scheme:light;--fg:#1d2433;--mute:#5b6475;--line:#d9dee7;--accent:#2563eb;--recon:#d9480f;--bad:#b42318}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);margin:0 auto;max-width:960px;padding:24px}
h1{font-size:22px;margin:0}h2{font-size:16px;margin:0 0 8px}
.sub{color:var(--mute);margin:4px 0 0;overflow-wrap:anywhere}
section{margin-top:22px}
.row{display:flex;gap:28px;flex-wrap:wrap}.row>section{flex:1 1 380px}
figure{margin:0 0 12px}figcaption{font-weight:600;margin-bottom:4px}
.original figcaption{color:var(--accent)}.reconstruction figcaption{color:var(--recon)}
audio{width:100%;display:block}
table{border-collapse:collapse;width:100%}
#config{columns:2 260px;column-gap:28px;margin:0}#config div{display:flex;gap:12px;break-inside:avoid;padding:4px 8px;border-bottom:1px solid var(--line)}
#config dt{font-weight:600;flex:0 0 45%}#config dd{margin:0;overflow-wrap:anywhere}
.hint{color:var(--mute);font-size:13px;margin:12px 0 0}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;white-space:nowrap}td.v{font-variant-numeric:tabular-nums;white-space:nowrap}
td.note{color:var(--mute);font-size:13px}
.notice{border:1px solid var(--bad);color:var(--bad);padding:8px 12px;border-radius:6px;margin-top:16px}
svg{display:block;width:100%;height:auto}
svg text{font:12px system-ui,sans-serif;fill:var(--mute)}
.axis{stroke:#8a93a3;stroke-width:1;fill:none}.grid{stroke:var(--line);stroke-width:1}
.loss{stroke:var(--accent);stroke-width:2;fill:none;stroke-linejoin:round}.pt{fill:var(--accent)}
.diverged{fill:var(--bad)}
.pca{stroke:#059669;stroke-width:1.5;stroke-dasharray:6 4}svg text.pca-label{fill:#047857;font-weight:600}
.frame-loss{stroke:#6b7280}.frame-mean{stroke:var(--accent);stroke-dasharray:4 3}
.worst-mark circle{fill:none;stroke:var(--bad);stroke-width:1.5}svg .worst-mark text{fill:var(--bad);font-weight:600}
#worst-frames audio{height:32px;width:100%;min-width:90px}#worst-frames td{vertical-align:middle}.scroll{overflow-x:auto}
.spectrogram image,#spectrogram-legend image{image-rendering:pixelated}
.notes{color:var(--mute);font-size:13px}.notes dt{font-weight:600;color:var(--fg);margin-top:8px}.notes dd{margin:2px 0 0}
#config div[title]{cursor:help}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin:6px 0 0;padding:0;list-style:none;font-size:13px}.legend li{display:flex;align-items:center;gap:6px}.swatch{display:inline-block;width:18px;height:3px}
tr.best{background:#ecfdf5;font-weight:600}
${UNITS_CSS}
.wave-original{stroke:var(--accent)}.wave-reconstruction{stroke:var(--recon)}.wave-error{stroke:#6b7280}
.empty{color:var(--mute);font-style:italic}
footer{margin-top:28px;color:var(--mute);font-size:13px}
`;

function stoppedNotice(d: ReportData): string {
  if (d.chunkLosses) {
    // live: counted in chunks, not epochs.
    const k = d.chunkLosses.after.length;
    if (d.stopped === 'diverged') return `<p class="notice">Training diverged on chunk ${k}: try a smaller learning rate. The reconstruction below is from the diverged weights.</p>\n`;
    if (d.stopped === 'interrupted') return `<p class="notice">The session was stopped (Ctrl-C) after ${k} chunk${k === 1 ? '' : 's'}: the results are from the weights as trained so far.</p>\n`;
    return '';
  }
  const n = d.losses?.length ?? 0;
  if (d.stopped === 'diverged') {
    return `<p class="notice">Training diverged at epoch ${n} (loss ${escapeHtml(fmt(d.losses?.[n - 1] ?? NaN))}): try a smaller learning rate. The reconstruction below is from the diverged weights.</p>\n`;
  }
  if (d.stopped === 'interrupted') return `<p class="notice">Training was interrupted after ${n} epoch${n === 1 ? '' : 's'}: the results are from the weights as trained so far.</p>\n`;
  return '';
}

/** What the second player is, in the network's own sizes: "160 samples → 10 numbers → 160 samples". */
function listenHint(d: ReportData): string {
  const sizes = d.layers;
  const shape = sizes && sizes.length >= 2 ? ` (${sizes[0]} samples → ${Math.min(...sizes)} numbers → ${sizes[sizes.length - 1]} samples)` : '';
  const seconds = d.original.length / d.sampleRate;
  const cut = seconds > MAX_EMBEDDED_SECONDS
    ? ` The players hold the first ${MAX_EMBEDDED_SECONDS / 60} minutes of the ${(seconds / 60).toFixed(1)} (to keep this page small); the waveforms below cover all of it.`
    : '';
  return `The reconstruction is every 10 ms frame of the original through the network${shape}, with the code unquantised. What you no longer hear is what the code could not keep.${cut}`;
}

/**
 * Each player holds at most this much (2 min: 3.8 MB of WAV, 5 MB in base64): a long recording
 * would make a page of hundreds of megabytes. The waveforms still cover the whole file.
 */
export const MAX_EMBEDDED_SECONDS = 120;

function player(cls: string, label: string, samples: Int16Array, rate: number): string {
  return `<figure class="${cls}"><figcaption>${label}</figcaption><audio id="audio-${cls}" controls preload="metadata" src="${wavDataUri(samples.subarray(0, MAX_EMBEDDED_SECONDS * rate), rate)}"></audio></figure>`;
}

function db(v: number): string {
  if (v === Infinity) return '∞ dB';
  if (v === -Infinity) return '−∞ dB (the original is silent)';
  return Number.isNaN(v) ? 'n/a' : `${v.toFixed(2)} dB`;
}

interface Row {
  key: string;
  label: string;
  /** data-value: the full number for scripts ('' for a dash). */
  value: number | '';
  shown: string;
  note: string;
}

function numbersTable(d: ReportData): string {
  const n = d.numbers;
  const rows: Row[] = [];
  const add = (key: string, label: string, value: number | null | undefined, shown: (v: number) => string, note: string): void => {
    if (value !== null && value !== undefined) rows.push({ key, label, value, shown: shown(value), note });
  };
  add('finalLoss', 'final loss', n.finalLoss, fmt, 'mean of Σ(Y−X)² over the frames, last epoch');
  add('modelLoss', 'model loss', n.modelLoss, fmt, 'the trained weights on every frame');
  if (n.pca) {
    const { k, isBound } = n.pca;
    const note = isBound ? `the best any ${k}-number linear code does: no training goes below it` : `the best ${k}-number linear code; a deeper decoder may beat it`;
    add('pcaLoss', `PCA-${k} ${isBound ? 'bound' : 'reference'}`, n.pca.loss, fmt, note);
  }
  if (n.subspace !== undefined && n.pca) {
    const k = d.subspace?.k ?? n.pca.k; // fewer when the frames fill fewer dimensions than the code has units
    add('subspace', 'code spans', n.subspace, (v) => `${(v * 100).toFixed(1)} %`, `of the best ${k}-dimensional subspace (PCA): the mean cos² of the ${k} principal angles, see the notes`);
  }
  // Diverged weights: their "reconstruction" is no measure of anything; a dash, not 0.00 dB.
  const diverged = d.stopped === 'diverged';
  const dash = (key: string, label: string): void => {
    rows.push({ key, label, value: '', shown: '—', note: 'the weights diverged: nothing worth measuring' });
  };
  if (diverged) dash('snrDb', 'SNR');
  else add('snrDb', 'SNR', n.snrDb, db, 'signal power over error power, whole recording');
  if (diverged) dash('segmentalSnrDb', 'segmental SNR');
  else add('segmentalSnrDb', 'segmental SNR', n.segmentalSnrDb, db, `mean of each frame's SNR (each clamped to ${minus(SEG_MIN_DB)}…${SEG_MAX_DB} dB)`);
  if (n.bitrate) {
    const { kbps, bits } = n.bitrate;
    add('kbps', 'bit rate', kbps, (v) => `${fmt(v)} kbit/s`, `the code at ${bits} bits a number (as dlaudio compress stores it); the 16-bit WAV: ${fmt((16 * d.sampleRate) / 1000)} kbit/s`);
  }
  if (diverged) dash('clipped', 'clipped samples');
  else add('clipped', 'clipped samples', n.clipped, fmtInt, 'reconstructed samples outside the 16-bit range');
  if (d.seed !== null) add('seed', 'seed', d.seed, String, 'the same seed repeats this run bit for bit');
  const body = rows
    .map((r) => `<tr data-key="${r.key}"><th>${escapeHtml(r.label)}</th><td class="v" data-value="${escapeHtml(String(r.value))}">${escapeHtml(r.shown)}</td><td class="note">${escapeHtml(r.note)}</td></tr>`)
    .join('\n');
  return `<table id="numbers">\n${body}\n</table>`;
}

/** Two columns of key/value pairs: the settings are many and short. */
export function configTable(config: Readonly<Record<string, ConfigValue>>): string {
  const body = Object.entries(config)
    .map(([k, v]) => `<div data-key="${escapeHtml(k)}" title="JSON key: ${escapeHtml(k)}"><dt>${escapeHtml(configLabel(k))}</dt><dd>${escapeHtml(configHuman(k, v, configText))}</dd></div>`)
    .join('\n');
  return `<dl id="config">\n${body}\n</dl>`;
}


/** Original, reconstruction and their difference on one vertical scale, so they compare by eye. */
function waveforms(d: ReportData): string {
  const n = Math.min(d.original.length, d.reconstruction.length);
  if (n === 0) return '<p class="empty">No audio.</p>';
  const error = new Int32Array(n);
  for (let i = 0; i < n; i++) error[i] = d.original[i]! - d.reconstruction[i]!;
  let peak = 1;
  for (const a of [d.original, d.reconstruction, error]) for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(a[i]!));
  return [
    wave('original', 'original', d.original, n, peak, d.sampleRate, false),
    wave('reconstruction', 'reconstruction', d.reconstruction, n, peak, d.sampleRate, false),
    wave('error', 'error = original − reconstruction', error, n, peak, d.sampleRate, true),
  ].join('\n');
}

/** Min/max envelope: one vertical stroke per pixel column, so every peak shows however long the file. */
function wave(cls: string, label: string, s: ArrayLike<number>, n: number, peak: number, rate: number, withTime: boolean): string {
  const H = withTime ? 138 : 112;
  const m = { ...TIME_MARGIN, t: 18 };
  const ph = 86;
  const pw = W - m.l - m.r;
  const cols = Math.min(pw, n);
  const mid = m.t + ph / 2;
  const y = (v: number): number => mid - (v / peak) * (ph / 2);
  let d = '';
  for (let c = 0; c < cols; c++) {
    const a = Math.floor((c * n) / cols);
    const b = Math.max(a + 1, Math.floor(((c + 1) * n) / cols));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = a; i < b; i++) { const v = s[i]!; if (v < lo) lo = v; if (v > hi) hi = v; }
    const xx = r1(m.l + ((c + 0.5) / cols) * pw);
    const y0 = y(hi);
    const y1 = Math.max(y(lo), y0 + 0.8); // silence still draws a hairline
    d += `M${xx} ${r1(y0)}V${r1(y1)}`;
  }
  const parts = [
    `<text x="${m.l}" y="12">${escapeHtml(label)}</text>`,
    `<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${mid}" y2="${mid}"/>`,
    `<text x="${m.l - 8}" y="${m.t}" text-anchor="end" dominant-baseline="middle">${fmtInt(peak)}</text>`,
    `<text x="${m.l - 8}" y="${mid}" text-anchor="end" dominant-baseline="middle">0</text>`,
    `<text x="${m.l - 8}" y="${m.t + ph}" text-anchor="end" dominant-baseline="middle">−${fmtInt(peak)}</text>`,
    `<path class="wave-${cls}" stroke-width="${r1(Math.max(1, pw / cols))}" d="${d}"/>`,
  ];
  if (withTime) parts.push(timeAxis(n / rate, m.t + ph));
  return `<svg class="wave" id="wave-${cls}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(label)} waveform">\n${parts.join('\n')}\n</svg>`;
}

/** What the numbers and pictures are, precisely: for the teacher, and for the student who asks. */
function notes(d: ReportData): string {
  const items: Array<[string, string]> = [];
  const k = d.numbers.pca?.k;
  if (d.numbers.pca) {
    items.push([`PCA-${k} ${d.numbers.pca.isBound ? 'bound' : 'reference'}`, `The least mean Σ(Y−X)² of any ${k}-number code decoded by one linear layer: the sum of the smallest eigenvalues of the frames' second-moment matrix M = mean of X·Xᵀ (centred when the network has biases), all but the ${k} largest. ${d.numbers.pca.isBound ? 'The course\'s decoder Y = V·Z is such a code, so no training can go below this line.' : 'A deeper decoder is not linear and may go below it.'}`]);
  }
  if (d.subspace) {
    const s = d.subspace;
    items.push(['code spans', `Every output Y = V·Z lies in span(V), the space of the decoder's ${s.k} columns; the best such space is spanned by the top-${s.k} eigenvectors U of M. The principal angles θ₁…θ${s.k} between span(V) and span(U) have cosines equal to the singular values of Qᵀ·U (Q: an orthonormal basis of span(V)). The figure is (cos²θ₁ + … + cos²θ${s.k}) / ${s.k}: 100 % when span(V) is the best space, 0 % when it misses every best direction. Here the angles are ${s.anglesDeg.map((a) => `${a.toFixed(1)}°`).join(', ')}${s.rank < s.k ? `; V has rank ${s.rank} only (units that add nothing or repeat another)` : ''}.`]);
  }
  if (d.units) {
    items.push(['share of a unit', 'For unit j, Σ over the frames of z_j² · ‖V_j‖²: the energy of what it adds to the output; the share is its part of the sum over the units. "On in N % of frames": how often its ReLU output is above 0 (a unit never on is dead).']);
  }
  items.push(['spectrograms', `${SPEC_WINDOW}-sample Hann windows (${fmt((SPEC_WINDOW / d.sampleRate) * 1000)} ms) every 10 ms, FFT by fft.js; power in dB, from ${SPEC_RANGE_DB} dB below the original's loudest cell (darkest) to that cell (brightest), the same scale for the three pictures.`]);
  if (d.frameLosses) items.push(['loss of a frame', 'Σ(Y−X)² over its 160 samples, X scaled as in training, with the final weights: the mean over the frames is the model loss.']);
  return `<section class="notes"><h2>Notes</h2>\n<dl>\n${items.map(([t, x]) => `<dt>${escapeHtml(t)}</dt><dd>${escapeHtml(x)}</dd>`).join('\n')}\n</dl>\n</section>`;
}

/** `live`: the loss on each chunk before training on it (sound never heard: how well the code generalises) and after. */
function chunkSection(c: NonNullable<ReportData['chunkLosses']>, pca: ReportNumbers['pca']): string {
  const after = c.passes === 1 ? 'after its pass' : `after its ${c.passes} passes`;
  const curves = [
    { losses: c.before, label: 'before training on it (never heard)', colour: '#D55E00' },
    { losses: c.after, label: after, colour: '#0072B2' },
  ];
  const legend = curves.map((k) => `<span class="key" data-curve="${escapeHtml(k.label)}"><span style="color:${k.colour}">━━</span> ${escapeHtml(k.label)}</span>`).join(' &nbsp; ');
  return `<section id="chunk-losses"><h2>Loss per chunk</h2>
${lossChart(curves, { log: false, pca, id: 'chunk-chart', xLabel: 'chunk' })}
<p class="hint">${legend}</p>
<p class="hint">Before: the weights so far on a chunk they have never heard. After: on the same chunk once trained on it. The gap is what the network learnt from that chunk alone; the "before" curve going down is what it learnt about sound in general.</p>
</section>
`;
}
