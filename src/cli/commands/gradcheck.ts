import { Command, Option } from 'commander';
import { loadWav } from '../../audio/wav.js';
import { toFrames, FRAME_SIZE } from '../../audio/frames.js';
import { createAutoEncoder, initUniform } from '../../model/autoencoder.js';
import { gradCheck } from '../../model/gradcheck.js';
import { Rng, randomSeed } from '../../model/rng.js';
import { UserError } from '../../errors.js';
import { makeIo, info } from '../output.js';
import { fmt } from '../render.js';
import { positiveInt, positiveNumber, intInRange, seedValue } from '../options.js';
import { samplePath } from './train.js';

interface GradcheckFlags {
  wav?: string;
  frames: number;
  hidden: number;
  scale: number;
  seed?: number;
  tolerance: number;
  json?: boolean;
}

export function registerGradcheck(program: Command): void {
  program
    .command('gradcheck')
    .description('compare the hand-derived gradients with central finite differences (float64)')
    .option('--wav <file>', 'audio to take frames from; default: the bundled sample')
    .addOption(new Option('--frames <n>', 'frames to check on: the loudest of each equal part of the file').default(4).argParser(positiveInt))
    .addOption(new Option('--hidden <n>', 'hidden units').default(10).argParser(intInRange(1, FRAME_SIZE)))
    .addOption(new Option('--scale <n>', 'each 16-bit sample is divided by this').default(32000).argParser(positiveNumber))
    .option('--seed <n>', 'seed for the random weights (default: random; always printed)', seedValue)
    .addOption(new Option('--tolerance <x>', 'largest acceptable relative error').default(1e-6).argParser(positiveNumber))
    .option('--json', 'print one JSON object instead of text')
    .action((flags: GradcheckFlags, cmd: Command) => {
      const io = makeIo(cmd.optsWithGlobals<{ verbose?: boolean }>().verbose);
      const audio = loadWav(flags.wav ?? samplePath());
      if (audio.conversion && !flags.json) info(io, `converted ${audio.source.path}: ${audio.conversion}`);
      const all = toFrames(audio.samples, { scale: flags.scale }, audio.source.path);
      // The loudest frame of each of `count` equal parts of the file: spread out, and never
      // silence (where every ReLU unit sits at 0 and the check would say little).
      const count = Math.min(flags.frames, all.count);
      const picked = new Float64Array(count * FRAME_SIZE);
      const indices: number[] = [];
      for (let i = 0; i < count; i++) {
        let best = Math.floor((i * all.count) / count);
        let bestEnergy = -1;
        for (let t = best; t < Math.floor(((i + 1) * all.count) / count); t++) {
          let e = 0;
          for (let k = t * FRAME_SIZE; k < (t + 1) * FRAME_SIZE; k++) e += all.data[k] * all.data[k];
          if (e > bestEnergy) { bestEnergy = e; best = t; }
        }
        indices.push(best);
        picked.set(all.data.subarray(best * FRAME_SIZE, (best + 1) * FRAME_SIZE), i * FRAME_SIZE);
      }
      const seed = flags.seed ?? randomSeed();
      const net = createAutoEncoder(FRAME_SIZE, flags.hidden, 'float64');
      initUniform(net, new Rng(seed));
      const r = gradCheck(net, picked, count);
      const worst = Math.max(r.maxRelErrorW, r.maxRelErrorV);
      const ok = worst <= flags.tolerance;
      if (flags.json) {
        io.out.write(JSON.stringify({ source: audio.source.path, frames: indices, hidden: flags.hidden, seed, ...r, tolerance: flags.tolerance, ok }) + '\n');
      } else {
        io.out.write([
          `gradient check: course formulas vs central finite differences (float64, ε = 1e-4)`,
          `source:  ${audio.source.path}, frames ${indices.join(', ')} of ${all.count}`,
          `network: 160 → ${flags.hidden} → 160, random weights in [−0.1, 0.1], seed ${seed}`,
          `W: max relative error ${fmt(r.maxRelErrorW)}   (${flags.hidden * FRAME_SIZE} weights${r.skippedNearKink ? `, ${r.skippedNearKink} skipped next to the ReLU kink` : ''})`,
          `V: max relative error ${fmt(r.maxRelErrorV)}   (${flags.hidden * FRAME_SIZE} weights)`,
          ok ? `OK: both below the tolerance ${fmt(flags.tolerance)}` : `FAILED: above the tolerance ${fmt(flags.tolerance)}`,
        ].join('\n') + '\n');
      }
      if (!ok) throw new UserError(`gradient check failed: max relative error ${fmt(worst)} > tolerance ${fmt(flags.tolerance)} (the hand-derived gradients disagree with finite differences)`);
    });
}
