/**
 * The loss frame by frame, under the waveforms and on their time axis, so the sounds the code
 * finds hard (fricatives, onsets) stand out; the five worst moments listed, each playable.
 */
import { fmt } from '../render.js';
import { escapeHtml, niceTicks, r1, timeAxis, TIME_MARGIN, W, wavDataUri } from './svg.js';

/** Worst frames at least this far apart (0.2 s at 10 ms frames), so five clips are five different sounds. */
const MIN_APART = 20;
/** Each clip: this long around its frame, long enough to hear what the sound is. */
const CLIP_SECONDS = 0.2;

/** The `count` frames of highest loss, no two closer than `apart` frames, worst first. */
export function worstFrames(losses: ArrayLike<number>, count = 5, apart = MIN_APART): number[] {
  const order = Array.from({ length: losses.length }, (_, i) => i).filter((i) => Number.isFinite(losses[i]!));
  order.sort((a, b) => losses[b]! - losses[a]! || a - b);
  const picked: number[] = [];
  for (const i of order) {
    if (picked.length >= count) break;
    if (picked.every((p) => Math.abs(p - i) >= apart)) picked.push(i);
  }
  return picked;
}

function chart(losses: ArrayLike<number>, worst: readonly number[], frameSeconds: number): string {
  const n = losses.length;
  const m = { ...TIME_MARGIN, t: 26 };
  const ph = 100;
  const H = m.t + ph + 30;
  const pw = W - m.l - m.r;
  let hi = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(losses[i]!)) { hi = Math.max(hi, losses[i]!); sum += losses[i]!; }
  const top = hi > 0 ? niceTicks(0, hi, 4).find((t) => t >= hi) ?? hi : 1;
  const y = (v: number): number => m.t + ph - (v / top) * ph;
  const x = (frame: number): number => m.l + (frame / n) * pw;
  const cols = Math.min(pw, n);
  let d = '';
  // One stroke per pixel column: the worst frame in it, so no spike disappears however long the take.
  for (let c = 0; c < cols; c++) {
    const a = Math.floor((c * n) / cols);
    const b = Math.max(a + 1, Math.floor(((c + 1) * n) / cols));
    let v = 0;
    for (let i = a; i < b; i++) if (Number.isFinite(losses[i]!)) v = Math.max(v, losses[i]!);
    d += `M${r1(m.l + ((c + 0.5) / cols) * pw)} ${m.t + ph}V${r1(Math.min(y(v), m.t + ph - 0.8))}`;
  }
  const parts: string[] = [];
  for (const t of niceTicks(0, top, 4)) {
    const yy = r1(y(t));
    parts.push(`<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${yy}" y2="${yy}"/><text x="${m.l - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle">${escapeHtml(fmt(t))}</text>`);
  }
  parts.push(`<path class="frame-loss" stroke-width="${r1(Math.max(1, pw / cols))}" d="${d}"/>`);
  if (n > 0) {
    const mean = r1(y(sum / n));
    parts.push(`<line class="frame-mean" x1="${m.l}" x2="${W - m.r}" y1="${mean}" y2="${mean}"><title>mean ${escapeHtml(fmt(sum / n))}</title></line>`);
  }
  worst.forEach((f, i) => {
    const xx = r1(x(f + 0.5));
    parts.push(`<g class="worst-mark" data-frame="${f}"><circle cx="${xx}" cy="${r1(y(losses[f]!))}" r="3.5"/><text x="${xx}" y="${r1(Math.max(m.t - 2, y(losses[f]!) - 6))}" text-anchor="middle">${i + 1}</text></g>`);
  });
  parts.push(`<path class="axis" d="M${m.l} ${m.t}V${m.t + ph}H${W - m.r}"/>`);
  parts.push(`<text x="${m.l}" y="11">loss of each frame, Σ(Y−X)² (dashed: the mean)</text>`);
  parts.push(timeAxis(n * frameSeconds, m.t + ph));
  return `<svg id="frame-loss" viewBox="0 0 ${W} ${H}" role="img" aria-label="loss of each frame against time" data-frames="${n}">\n${parts.join('\n')}\n</svg>`;
}

export function frameLossSection(losses: ArrayLike<number>, frameSize: number, original: Int16Array, reconstruction: Int16Array, rate: number): string {
  const n = losses.length;
  if (n === 0) return '';
  const frameSeconds = frameSize / rate;
  const worst = worstFrames(losses);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += losses[i]! / n;
  const half = Math.round((CLIP_SECONDS * rate) / 2);
  const rows = worst.map((f, i) => {
    const mid = Math.round((f + 0.5) * frameSize);
    const a = Math.max(0, mid - half);
    const b = Math.min(original.length, mid + half);
    const t0 = f * frameSeconds;
    const clip = (s: Int16Array, cls: string): string => `<audio class="${cls}" controls preload="none" src="${wavDataUri(s.subarray(a, b), rate)}"></audio>`;
    return `<tr data-frame="${f}" data-loss="${losses[f]}"><td>${i + 1}</td><td class="v">${fmt(t0)}–${fmt(t0 + frameSeconds)} s</td><td class="v">${escapeHtml(fmt(losses[f]!))}</td><td class="v">${mean > 0 ? `${fmt(losses[f]! / mean)}×` : '—'}</td><td>${clip(original, 'clip-original')}</td><td>${clip(reconstruction, 'clip-reconstruction')}</td></tr>`;
  });
  return `<section id="frame-loss-section"><h2>Loss frame by frame</h2>
<p class="hint">Each 10 ms frame's loss on the same time axis as the waveforms above: the peaks are the sounds the code finds hard (hisses such as “s” and “ch”, sudden onsets). The numbered marks are the five worst moments (at least ${fmt(MIN_APART * frameSeconds)} s apart), listed below with ${fmt(CLIP_SECONDS)} s around each to play.</p>
${chart(losses, worst, frameSeconds)}
<div class="scroll"><table id="worst-frames">
<tr><th>#</th><th>time</th><th>loss</th><th>vs mean</th><th>original</th><th>reconstruction</th></tr>
${rows.join('\n')}
</table></div>
</section>`;
}
