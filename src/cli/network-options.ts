/**
 * The network and optimiser options shared by the commands that train (train, sweep):
 * --hidden, --layers, --bias (the architecture) and --batch, --optimizer, --momentum, --beta1,
 * --beta2 (how it learns). Bad values are usage errors (exit 2) naming the value and what is expected.
 *
 * No commander defaults on purpose: an option left out stays undefined, so "--momentum given
 * without --optimizer momentum" can be told apart from the default; defaults are applied here.
 */
import { Command, Option, InvalidArgumentError } from './commander.js';
import { FRAME_SIZE } from '../audio/frames.js';
import { UsageError } from '../errors.js';
import type { OptimizerKind, OptimizerSpec } from '../model/optimizer.js';
import { intInRange, positiveInt } from './options.js';
import { checkNetworkSize } from '../util/limits.js';
import { asAutoEncoder, hasBias, type Network } from '../model/network.js';
import { warn, type Io } from '../util/output.js';

export const DEFAULT_HIDDEN = 10;
export const DEFAULT_MOMENTUM = 0.9;
export const DEFAULT_BETA1 = 0.9;
export const DEFAULT_BETA2 = 0.999;
/** Widest hidden layer accepted: beyond this a typo (64000 for 64) would only exhaust memory. */
export const MAX_LAYER_SIZE = 4096;

export interface NetworkFlags {
  hidden?: number;
  layers?: number[];
  bias?: boolean;
  batch?: number;
  optimizer?: OptimizerKind;
  momentum?: number;
  beta1?: number;
  beta2?: number;
}

export interface NetworkSpec {
  /** Layer widths, input first: [160, 10, 160] for the course. */
  sizes: number[];
  bias: boolean;
  /** true when --hidden, --layers or --bias was given (so a model from --init must match it). */
  given: boolean;
}

/** The TrainOptions fields these flags decide. */
export interface NetworkTrainOptions {
  batch: number;
  optimizer: OptimizerSpec;
}

/** "160,64,10,64,160" → [160, 64, 10, 64, 160], or an error naming what is wrong. */
export function parseLayers(v: string): number[] {
  const example = `like ${FRAME_SIZE},64,10,64,${FRAME_SIZE} or ${FRAME_SIZE},10,${FRAME_SIZE}`;
  const parts = v.split(',').map((p) => p.trim());
  const sizes = parts.map((p, i) => {
    if (!/^\d+$/.test(p)) throw new InvalidArgumentError(`size ${i + 1} (${JSON.stringify(p)}) is not a whole number: expected sizes separated by commas, ${example}.`);
    return Number(p);
  });
  if (sizes.length < 3) throw new InvalidArgumentError(`expected at least 3 sizes (the input, one hidden layer or more, the output), ${example}.`);
  if (sizes[0] !== FRAME_SIZE) throw new InvalidArgumentError(`the first size is ${sizes[0]}, expected ${FRAME_SIZE} (the frame size), ${example}.`);
  if (sizes[sizes.length - 1] !== FRAME_SIZE) throw new InvalidArgumentError(`the last size is ${sizes[sizes.length - 1]}, expected ${FRAME_SIZE} (the frame size), ${example}.`);
  sizes.forEach((n, i) => {
    if (n < 1 || n > MAX_LAYER_SIZE) throw new InvalidArgumentError(`size ${i + 1} is ${n}, expected a whole number from 1 to ${MAX_LAYER_SIZE}.`);
  });
  return sizes;
}

function fraction(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('expected a number from 0 to less than 1 (e.g. 0.9).');
  return n;
}

/** --hidden, --layers, --bias: the architecture only (gradcheck uses just these). */
export function addArchitectureOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--hidden <n>', `hidden units, the size of the code Z (default ${DEFAULT_HIDDEN}): shorthand for --layers ${FRAME_SIZE},n,${FRAME_SIZE}`).argParser(intInRange(1, FRAME_SIZE)))
    .addOption(new Option('--layers <sizes>', `layer sizes, input first, e.g. ${FRAME_SIZE},64,10,64,${FRAME_SIZE} (ReLU after every layer but the last)`).argParser(parseLayers))
    .option('--bias', 'add a bias to every layer (the course has none)');
}

/** All the network options: architecture, then batch and optimiser. */
export function addNetworkOptions(cmd: Command): Command {
  return addArchitectureOptions(cmd)
    .addOption(new Option('--batch <B>', 'frames per step: mean gradient over B frames (default 1: the course\'s per-sample SGD)').argParser(positiveInt))
    .addOption(new Option('--optimizer <name>', 'update rule (default sgd, the course\'s)').choices(['sgd', 'momentum', 'adam']))
    .addOption(new Option('--momentum <m>', `with --optimizer momentum: v ← m·v + g (default ${DEFAULT_MOMENTUM})`).argParser(fraction))
    .addOption(new Option('--beta1 <b>', `with --optimizer adam: decay of the mean gradient (default ${DEFAULT_BETA1})`).argParser(fraction))
    .addOption(new Option('--beta2 <b>', `with --optimizer adam: decay of the mean squared gradient (default ${DEFAULT_BETA2})`).argParser(fraction));
}

/** The architecture asked for: --layers, or --hidden as its shorthand, or the course's 160,10,160. */
export function networkSpecFrom(flags: NetworkFlags, cmd: Command): NetworkSpec {
  const fromCli = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli';
  const given = fromCli('hidden') || fromCli('layers') || fromCli('bias');
  const bias = flags.bias === true;
  if (flags.layers !== undefined) {
    const sizes = flags.layers;
    if (flags.hidden !== undefined && !(sizes.length === 3 && sizes[1] === flags.hidden)) {
      throw new UsageError(`--hidden ${flags.hidden} means --layers ${FRAME_SIZE},${flags.hidden},${FRAME_SIZE}, but --layers ${sizes.join(',')} was also given: give only one of them`);
    }
    checkNetworkSize(sizes, bias, `--layers ${sizes.length > 8 ? `${sizes.slice(0, 4).join(',')},…,${sizes[sizes.length - 1]}` : sizes.join(',')} has`, { usage: true });
    return { sizes: [...sizes], bias, given };
  }
  const h = flags.hidden ?? DEFAULT_HIDDEN;
  return { sizes: [FRAME_SIZE, h, FRAME_SIZE], bias, given };
}

/** --batch and the optimiser; --momentum/--beta1/--beta2 without their optimiser are refused, not ignored. */
export function trainOptionsFrom(flags: NetworkFlags): NetworkTrainOptions {
  const kind = flags.optimizer ?? 'sgd';
  if (flags.momentum !== undefined && kind !== 'momentum') {
    throw new UsageError(`--momentum ${flags.momentum} only acts with --optimizer momentum (the optimizer is ${kind}): add --optimizer momentum or drop --momentum`);
  }
  for (const [name, value] of [['beta1', flags.beta1], ['beta2', flags.beta2]] as const) {
    if (value !== undefined && kind !== 'adam') throw new UsageError(`--${name} ${value} only acts with --optimizer adam (the optimizer is ${kind}): add --optimizer adam or drop --${name}`);
  }
  const batch = flags.batch ?? 1;
  switch (kind) {
    case 'sgd':
      return { batch, optimizer: { kind: 'sgd' } };
    case 'momentum':
      return { batch, optimizer: { kind: 'momentum', momentum: flags.momentum ?? DEFAULT_MOMENTUM } };
    case 'adam':
      return { batch, optimizer: { kind: 'adam', beta1: flags.beta1 ?? DEFAULT_BETA1, beta2: flags.beta2 ?? DEFAULT_BETA2 } };
  }
}

/**
 * --init: the saved network, checked against --hidden/--layers/--bias, and the scale to use: the
 * model's, unless --scale was given on the command line (then a warning if they differ).
 */
export async function loadInitModel(path: string, flags: NetworkFlags & { scale: number }, spec: NetworkSpec, cmd: Command, io: Io): Promise<{ net: Network; scale: number }> {
  // Loaded on use: a run without --init does not pay for the model file's reader.
  const saved = (await import('../model/model-file.js')).loadModel(path);
  checkInitMatches(flags, spec, saved.net, path);
  if (cmd.getOptionValueSource('scale') !== 'cli') return { net: saved.net, scale: saved.scale };
  if (saved.scale !== flags.scale) warn(io, `--scale ${flags.scale} differs from the ${saved.scale} the model in ${path} was trained with`);
  return { net: saved.net, scale: flags.scale };
}

/** --hidden, --layers or --bias given with --init must describe the saved network. */
function checkInitMatches(flags: NetworkFlags, spec: NetworkSpec, net: Network, path: string): void {
  if (!spec.given) return;
  const ae = asAutoEncoder(net);
  if (flags.layers === undefined && flags.hidden !== undefined && ae && ae.hidden !== flags.hidden) {
    throw new UsageError(`--hidden ${flags.hidden} does not match the model in ${path} (${ae.hidden} hidden units): drop --hidden or use another model`);
  }
  if ((flags.layers !== undefined || flags.hidden !== undefined) && spec.sizes.join(',') !== net.sizes.join(',')) {
    const opt = flags.layers !== undefined ? `--layers ${spec.sizes.join(',')}` : `--hidden ${flags.hidden}`;
    throw new UsageError(`${opt} does not match the model in ${path} (layers ${net.sizes.join(',')}): drop ${opt.split(' ')[0]} or use another model`);
  }
  if (flags.bias === true && !hasBias(net)) throw new UsageError(`--bias does not match the model in ${path} (it has no biases): drop --bias or use another model`);
}
