/**
 * IMA (DVI) ADPCM decoder for WAV files (format 0x0011).
 *
 * Ours rather than wavefile's: wavefile 11 ignores the channel interleaving of
 * stereo blocks, emits the first sample of every block twice (so the audio drifts
 * one sample per block) and never decodes the last block. Checked bit-exact
 * against sox in test/audio-formats.test.ts.
 */

const INDEX_ADJUST = [-1, -1, -1, -1, 2, 4, 6, 8, -1, -1, -1, -1, 2, 4, 6, 8];
const STEP = [
  7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45, 50, 55, 60, 66, 73, 80, 88, 97, 107, 118, 130, 143,
  157, 173, 190, 209, 230, 253, 279, 307, 337, 371, 408, 449, 494, 544, 598, 658, 724, 796, 876, 963, 1060, 1166, 1282, 1411,
  1552, 1707, 1878, 2066, 2272, 2499, 2749, 3024, 3327, 3660, 4026, 4428, 4871, 5358, 5894, 6484, 7132, 7845, 8630, 9493,
  10442, 11487, 12635, 13899, 15289, 16818, 18500, 20350, 22385, 24623, 27086, 29794, 32767,
];

/**
 * Decodes whole and partial blocks into interleaved 16-bit samples.
 * `maxFrames` (from the `fact` chunk) trims the padding of the last block.
 */
export function decodeImaAdpcm(data: Uint8Array, channels: number, blockAlign: number, maxFrames?: number): Int16Array {
  const groupsPerBlock = (blockAlign - 4 * channels) / (4 * channels);
  const framesPerBlock = 1 + 8 * groupsPerBlock;
  const fullBlocks = Math.floor(data.length / blockAlign);
  const rest = data.length - fullBlocks * blockAlign;
  // A short last block still holds its header and whatever whole groups follow it.
  const restFrames = rest >= 4 * channels ? 1 + 8 * Math.floor((rest - 4 * channels) / (4 * channels)) : 0;
  let frames = fullBlocks * framesPerBlock + restFrames;
  if (maxFrames !== undefined && maxFrames > 0 && maxFrames < frames) frames = maxFrames;

  const out = new Int16Array(frames * channels);
  for (let b = 0, frame0 = 0; frame0 < frames; b++, frame0 += framesPerBlock) {
    const block = b * blockAlign;
    const framesHere = Math.min(framesPerBlock, frames - frame0);
    for (let c = 0; c < channels; c++) {
      const h = block + 4 * c;
      let predicted = (data[h]! | (data[h + 1]! << 8)) << 16 >> 16;
      let index = Math.min(data[h + 2]!, 88);
      let o = frame0 * channels + c;
      out[o] = predicted;
      o += channels;
      for (let k = 1; k < framesHere; k++) {
        // Sample k (k ≥ 1) is nibble k−1 of this channel: groups of 4 bytes per channel, low nibble first.
        const nib = k - 1;
        const group = nib >> 3;
        const within = nib & 7;
        const byte = data[block + 4 * channels + group * 4 * channels + 4 * c + (within >> 1)]!;
        const code = within & 1 ? byte >> 4 : byte & 0x0f;
        const step = STEP[index]!;
        let diff = step >> 3;
        if (code & 4) diff += step;
        if (code & 2) diff += step >> 1;
        if (code & 1) diff += step >> 2;
        predicted += code & 8 ? -diff : diff;
        if (predicted > 32767) predicted = 32767;
        else if (predicted < -32768) predicted = -32768;
        index += INDEX_ADJUST[code]!;
        if (index < 0) index = 0;
        else if (index > 88) index = 88;
        out[o] = predicted;
        o += channels;
      }
    }
  }
  return out;
}
