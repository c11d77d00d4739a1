import { Command, Option } from '../commander.js';
import { loadAudio } from '../../audio/wav.js';
import { toFrames, FRAME_SIZE } from '../../audio/frames.js';
import { createAutoEncoder, initUniform } from '../../model/autoencoder.js';
import { gradCheck, networkGradCheck } from '../../model/gradcheck.js';
import { createNetwork, initNetwork, describeNetwork, type Network } from '../../model/network.js';
import { addArchitectureOptions, networkSpecFrom, type NetworkFlags } from '../network-options.js';
import { Rng, randomSeed } from '../../model/rng.js';
import { UserError } from '../../errors.js';
import type { Io } from '../../util/output.js';
import { makeIo, info, warn } from '../../util/output.js';
import { fmt, fitColumns } from '../render.js';
import { positiveInt, positiveNumber, seedValue } from '../options.js';
import { samplePath } from './train.js';

interface GradcheckFlags extends NetworkFlags {
  wav?: string;
  frames: number;
  scale: number;
  seed?: number;
  tolerance: number;
  json?: boolean;
}

export function registerGradcheck(program: Command): void {
  const cmd = program
    .command('gradcheck')
    .description('compare the hand-derived gradients with central finite differences (float64)')
    .option('--wav <file>', 'audio to take frames from; default: the bundled sample')
    .addOption(new Option('--frames <n>', 'frames to check on: the loudest of each equal part of the file').default(4).argParser(positiveInt))
    .addOption(new Option('--scale <n>', 'each 16-bit sample is divided by this').default(32000).argParser(positiveNumber))
    .option('--seed <n>', 'seed for the random weights (default: random; always printed)', seedValue)
    .addOption(new Option('--tolerance <x>', 'largest acceptable relative error').default(1e-6).argParser(positiveNumber))
    .option('--json', 'print one JSON object instead of text');
  // --layers or --bias: the general back-propagation; otherwise the course's formulas for 160 → h → 160.
  addArchitectureOptions(cmd)
    .action(async (flags: GradcheckFlags, cmd: Command) => {
      const spec = networkSpecFrom(flags, cmd);
      const io = makeIo(cmd.optsWithGlobals<{ verbose?: boolean }>().verbose);
      const audio = await loadAudio(flags.wav ?? samplePath());
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
      // Silent frames make most gradients exactly 0: "OK" would then prove little.
      if (picked.every((v) => v === 0)) warn(io, `the ${count === 1 ? 'frame' : `${count} frames`} checked ${count === 1 ? 'is' : 'are'} silence (all zeros): most gradients are 0 there, so passing says little; give a --wav with sound`);
      const seed = flags.seed ?? randomSeed();
      if (flags.layers !== undefined || flags.bias === true) {
        checkNetwork(io, flags, createNetwork(spec.sizes, { bias: spec.bias, precision: 'float64' }), seed, picked, count, { path: audio.source.path, indices, available: all.count });
        return;
      }
      const hidden = spec.sizes[1];
      const net = createAutoEncoder(FRAME_SIZE, hidden, 'float64');
      initUniform(net, new Rng(seed));
      const r = gradCheck(net, picked, count);
      const worst = Math.max(r.maxRelErrorW, r.maxRelErrorV);
      const ok = worst <= flags.tolerance;
      if (flags.json) {
        io.out.write(JSON.stringify({ source: audio.source.path, frames: indices, hidden, seed, ...r, tolerance: flags.tolerance, ok }) + '\n');
      } else {
        io.out.write(fitColumns([
          `gradient check: the course's formulas vs central differences (float64, ε = 1e-4)`,
          `source:  ${audio.source.path}, frames ${indices.join(', ')} of ${all.count}`,
          `network: 160 → ${hidden} → 160, random weights in [−0.1, 0.1], seed ${seed}`,
          `W: max relative error ${fmt(r.maxRelErrorW)}   (${hidden * FRAME_SIZE} weights${r.skippedNearKink ? `, ${r.skippedNearKink} skipped next to the ReLU kink` : ''})`,
          `V: max relative error ${fmt(r.maxRelErrorV)}   (${hidden * FRAME_SIZE} weights)`,
          ok ? `OK: both below the tolerance ${fmt(flags.tolerance)}` : `FAILED: above the tolerance ${fmt(flags.tolerance)}`,
        ].join('\n')) + '\n');
      }
      if (!ok) throw new UserError(`gradient check failed: max relative error ${fmt(worst)} > tolerance ${fmt(flags.tolerance)} (the hand-derived gradients disagree with finite differences)`);
    });
}

/** The general back-propagation (backprop.ts) against finite differences, layer by layer. */
function checkNetwork(io: Io, flags: GradcheckFlags, net: Network, seed: number, picked: Float64Array, count: number, src: { path: string; indices: number[]; available: number }): void {
  const rng = new Rng(seed);
  initNetwork(net, rng);
  // Random biases too (training starts them at 0): a bias the forward pass forgot would then show.
  for (const l of net.layers) if (l.b) for (let i = 0; i < l.b.length; i++) l.b[i] = rng.uniform(-0.1, 0.1);
  // Each check is two forward passes over the frames (~params multiply-adds each): past ~6·10⁹ in
  // all (about 10 s) a big network gets an evenly spread sample instead of every parameter.
  const params = net.layers.reduce((t, l) => t + l.W.length + (l.b ? l.b.length : 0), 0);
  const maxChecks = Math.max(1000, Math.floor(6e9 / (2 * count * params)));
  const r = networkGradCheck(net, picked, count, 1e-4, undefined, maxChecks);
  const ok = r.maxRelError <= flags.tolerance;
  if (flags.json) {
    io.out.write(JSON.stringify({ source: src.path, frames: src.indices, sizes: net.sizes, bias: net.layers[0].b !== null, seed, ...r, tolerance: flags.tolerance, ok }) + '\n');
  } else {
    const lines = [
      `gradient check: back-propagation vs central finite differences (float64, ε = 1e-4)`,
      `source:  ${src.path}, frames ${src.indices.join(', ')} of ${src.available}`,
      `network: ${describeNetwork(net)}, random weights${net.layers[0].b ? ' and biases' : ''} in [−0.1, 0.1], seed ${seed}`,
    ];
    net.layers.forEach((l, i) => {
      const c = r.layers[i];
      const b = c.maxRelErrorB === null ? '' : `, b ${fmt(c.maxRelErrorB)}`;
      const skipped = c.skippedNearKink ? `, ${c.skippedNearKink} skipped next to a ReLU kink` : '';
      const sample = c.stride > 1 ? ` of ${c.parameters} checked, 1 in ${c.stride}` : ' checked';
      lines.push(`layer ${i + 1} (${l.inSize} → ${l.outSize}): max relative error W ${fmt(c.maxRelErrorW)}${b}   (${c.checked}${sample}${skipped})`);
    });
    lines.push(ok ? `OK: all below the tolerance ${fmt(flags.tolerance)}` : `FAILED: above the tolerance ${fmt(flags.tolerance)}`);
    io.out.write(fitColumns(lines.join('\n')) + '\n');
  }
  if (!ok) throw new UserError(`gradient check failed: max relative error ${fmt(r.maxRelError)} > tolerance ${fmt(flags.tolerance)} (back-propagation disagrees with finite differences)`);
}
