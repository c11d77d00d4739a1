/**
 * "The ten sounds of the code": each code unit as a small card. For the course's network a card
 * shows the unit's atom (its column of V, the waveform the decoder adds, scaled by z), that atom's
 * magnitude spectrum with its strongest frequency, and the unit's row of W (what it listens for).
 * A deeper network gets two rows of cards, its last layer's atoms and its first layer's filters.
 */
import type { UnitsView, UnitWave } from '../../model/inspect.js';
import { fmt } from '../render.js';
import { escapeHtml, r1 } from './svg.js';

const CW = 200;
const PAD = 6;

/** A 160-sample waveform as a polyline in the box [x0, x0+w] × [y0, y0+h], symmetric around its middle. */
function wavePath(s: ArrayLike<number>, x0: number, y0: number, w: number, h: number): string {
  let peak = 0;
  for (let i = 0; i < s.length; i++) peak = Math.max(peak, Math.abs(s[i]!));
  const mid = y0 + h / 2;
  const pts: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const x = x0 + (s.length === 1 ? w / 2 : (i / (s.length - 1)) * w);
    const y = peak > 0 ? mid - (s[i]! / peak) * (h / 2) : mid;
    pts.push(`${i ? 'L' : 'M'}${r1(x)} ${r1(y)}`);
  }
  return pts.join('');
}

/** Magnitude spectrum, 0 Hz to rate/2, as a filled area scaled to its own peak. */
function spectrumPath(mag: ArrayLike<number>, x0: number, y0: number, w: number, h: number): string {
  let peak = 0;
  for (let k = 0; k < mag.length; k++) peak = Math.max(peak, mag[k]!);
  const base = y0 + h;
  const pts = [`M${x0} ${base}`];
  for (let k = 0; k < mag.length; k++) {
    const x = x0 + (k / (mag.length - 1)) * w;
    pts.push(`L${r1(x)} ${r1(peak > 0 ? base - (mag[k]! / peak) * h : base)}`);
  }
  pts.push(`L${x0 + w} ${base}Z`);
  return pts.join('');
}

function hzText(hz: number): string {
  return hz >= 1000 ? `${fmt(hz / 1000, 3)} kHz` : `${Math.round(hz)} Hz`;
}

/** One card: rank, unit number, share; the atom (and the course's filter); the atom's spectrum. */
function card(rank: number, u: UnitWave, rate: number, filter: UnitWave | null, kind: 'atom' | 'filter'): string {
  const inner = CW - 2 * PAD;
  const parts: string[] = [];
  let y = 16;
  parts.push(`<text x="${PAD}" y="12" class="u-title">#${rank} · unit ${u.index + 1} · ${hzText(u.hz)}</text><text x="${CW - PAD}" y="12" text-anchor="end" class="u-share">${(u.share * 100).toFixed(1)} %</text>`);
  const waveCls = kind === 'atom' ? 'atom' : 'filter';
  parts.push(`<rect class="u-box" x="${PAD}" y="${y}" width="${inner}" height="40"/><path class="${waveCls}" d="${wavePath(u.samples, PAD, y + 2, inner, 36)}"/>`);
  parts.push(`<text x="${PAD + 3}" y="${y + 10}" class="u-label">${kind === 'atom' ? 'adds (column of V)' : 'listens for (row)'}</text>`);
  y += 44;
  if (filter) {
    parts.push(`<rect class="u-box" x="${PAD}" y="${y}" width="${inner}" height="30"/><path class="filter" d="${wavePath(filter.samples, PAD, y + 2, inner, 26)}"/>`);
    parts.push(`<text x="${PAD + 3}" y="${y + 10}" class="u-label">listens for (row of W)</text>`);
    y += 34;
  }
  const sh = 34;
  parts.push(`<path class="spectrum" d="${spectrumPath(u.spectrum, PAD, y, inner, sh)}"/>`);
  const nyq = rate / 2;
  const mx = r1(PAD + (Math.min(u.hz, nyq) / nyq) * inner);
  parts.push(`<line class="peak" x1="${mx}" x2="${mx}" y1="${y}" y2="${y + sh}"/>`);
  y += sh;
  parts.push(`<path class="axis" d="M${PAD} ${y}H${CW - PAD}"/>`);
  parts.push(`<text x="${PAD}" y="${y + 11}" class="u-tick">0</text><text x="${CW / 2}" y="${y + 11}" text-anchor="middle" class="u-tick">${fmt(nyq / 2000)} kHz</text><text x="${CW - PAD}" y="${y + 11}" text-anchor="end" class="u-tick">${fmt(nyq / 1000)} kHz</text>`);
  y += 14;
  const caption = `strongest at ${hzText(u.hz)}; on in ${Math.round(u.active * 100)} % of frames`;
  const aria = `unit ${u.index + 1}: ${(u.share * 100).toFixed(1)} % of the signal, strongest at ${hzText(u.hz)}`;
  return `<figure class="unit" data-unit="${u.index + 1}" data-share="${u.share}" data-hz="${u.hz}" data-active="${u.active}"><svg viewBox="0 0 ${CW} ${y}" role="img" aria-label="${escapeHtml(aria)}">\n${parts.join('\n')}\n</svg><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function grid(id: string, units: readonly UnitWave[], rate: number, kind: 'atom' | 'filter', filters?: readonly UnitWave[]): string {
  return `<div class="units" id="${id}">\n${units.map((u, i) => card(i + 1, u, rate, filters?.[i] ?? null, kind)).join('\n')}\n</div>`;
}

export function unitsSection(v: UnitsView, rate: number): string {
  if (v.course) {
    const k = v.atoms.length;
    return `<section id="units-section"><h2>The ${k} sounds of the code</h2>
<p class="hint">Every reconstructed frame is a mix of these ${k} short waveforms (the columns of V), each weighted by its code number z. They are ordered by how much of the signal each carries (its share of Σ z²·‖V‖² over all the frames); the shaded curve is the waveform's spectrum from 0 to ${fmt(rate / 2000)} kHz, the red line its strongest frequency. The second waveform is the unit's row of W: the pattern it listens for in the input.</p>
${grid('units', v.atoms, rate, 'atom', v.filters)}
</section>`;
  }
  const shown = (n: number, total: number): string => (n < total ? `the ${n} largest of ${total}` : `all ${total}`);
  return `<section id="units-section"><h2>What the layers learnt</h2>
<p class="hint">A deeper network has no single V. Below: its last layer's output atoms (${shown(v.atoms.length, v.atomUnits)}: each column of the last weight matrix, the waveform one unit of the layer before adds to the output), ordered by their share of the output energy; then its first layer's filters (${shown(v.filters.length, v.filterUnits)}: each row of the first weight matrix, what one unit listens for), ordered by their share of that layer's activation energy.</p>
<h3>Last layer's output atoms</h3>
${grid('units', v.atoms, rate, 'atom')}
<h3>First layer's filters</h3>
${grid('filters', v.filters, rate, 'filter')}
</section>`;
}

export const UNITS_CSS = `
.units{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.unit{margin:0;border:1px solid var(--line);border-radius:6px;padding:2px 2px 6px}
.unit figcaption{font-weight:400;font-size:12px;color:var(--mute);margin:0 6px}
.unit svg text{font-size:10px}.unit svg text.u-label{fill:#5b6475;paint-order:stroke;stroke:#f6f8fb;stroke-width:3px}.unit .u-title{font-weight:600;fill:var(--fg)}.unit .u-share{font-weight:600;fill:var(--accent)}
.u-box{fill:#f6f8fb;stroke:none}.atom{stroke:var(--accent);stroke-width:1.2;fill:none}.filter{stroke:#7c3aed;stroke-width:1;fill:none}
.spectrum{fill:#93c5fd;stroke:#3b82f6;stroke-width:.8}.peak{stroke:var(--bad);stroke-width:1.2}
h3{font-size:14px;margin:14px 0 6px}
`;
