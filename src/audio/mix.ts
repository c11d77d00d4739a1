/** Interleaved samples to mono: (x + offset) × factor, channels averaged (as sox and ffmpeg -ac 1 do). */
export function mixDown(interleaved: ArrayLike<number>, channels: number, factor = 1, offset = 0): Float64Array {
  const frames = Math.floor(interleaved.length / channels);
  const out = new Float64Array(frames);
  // The common cases, in the same arithmetic as the general loop (so results are identical), faster.
  if (channels === 1) {
    for (let f = 0; f < frames; f++) out[f] = (interleaved[f]! + offset) * factor;
    return out;
  }
  if (channels === 2) {
    for (let f = 0; f < frames; f++) out[f] = ((interleaved[2 * f]! + offset) * factor + (interleaved[2 * f + 1]! + offset) * factor) / 2;
    return out;
  }
  for (let f = 0, i = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += (interleaved[i++]! + offset) * factor;
    out[f] = channels === 1 ? sum : sum / channels;
  }
  return out;
}
