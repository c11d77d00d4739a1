import { Command, Option } from '../commander.js';
import { availableParallelism } from 'node:os';
import { loadAudio, type LoadedAudio } from '../../audio/wav.js';
import { sampleFrames, FRAME_SIZE, SAMPLE_RATE, type Frames } from '../../audio/frames.js';
import type { SampleFrames } from '../../model/frame-data.js';
import { randomSeed } from '../../model/rng.js';
import { loadModel } from '../../model/model-file.js';
import { limitOf } from '../../util/limits.js';
import { createNetwork, initNetwork, describeNetwork, hasBias, networkMeanLoss, networkParameterCount, type Network } from '../../model/network.js';
import { describeOptimizer } from '../../model/optimizer.js';
import { UserError, UsageError, EXIT } from '../../errors.js';
import { checkOutputPath } from '../quality.js';
import { makeIo, progress, info, warn, type Io } from '../../util/output.js';
import { fmt, count, framesWindow, fitColumns } from '../render.js';
import { renderLossCurves } from '../render-multi.js';
import { positiveNumber, nonNegativeNumber, positiveInt, seedValue } from '../options.js';
import { addNetworkOptions, networkSpecFrom, trainOptionsFrom, type NetworkFlags, type NetworkSpec, type NetworkTrainOptions } from '../network-options.js';
import { lrList } from '../lr-list.js';
import { CountingRng, type RunResult, type SharedTrainOptions, type SweepJob } from '../sweep-run.js';
import { runPool } from '../sweep-pool.js';
import { defaultAudioPath } from './train.js';
import type { ConfigValue } from '../report/html.js';

const DEFAULT_LRS = '0.001,0.003,0.01,0.03,0.1';

interface SweepFlags extends NetworkFlags {
  lr: number[];
  wav?: string;
  frames?: number;
  seconds?: number;
  start?: number;
  scale: number;
  epochs: number;
  shuffle?: boolean;
  seed?: number;
  init?: string;
  workers?: number;
  log?: boolean;
  json?: boolean;
  report?: string;
}

export function registerSweep(program: Command): void {
  const cmd = program
    .command('sweep')
    .description('train the same initial weights with several learning rates and compare the loss curves')
    .addOption(new Option('--lr <list>', 'learning rates, comma-separated').default(lrList(DEFAULT_LRS), DEFAULT_LRS).argParser(lrList))
    .option('--wav <file>', 'audio to train on (any WAV; converted to 16 kHz mono); default: the bundled sample')
    .option('--frames <n>', 'train on the first N frames only', positiveInt)
    .option('--seconds <s>', 'train on the first S seconds only', positiveNumber)
    .option('--start <s>', 'skip the first S seconds (with --frames or --seconds: the window that starts there)', nonNegativeNumber)
    .addOption(new Option('--scale <n>', 'each 16-bit sample is divided by this').default(32000).argParser(positiveNumber))
    .addOption(new Option('--epochs <n>', 'passes over all the frames, for every run').default(100).argParser(positiveInt))
    .option('--shuffle', 'visit the frames in a new random order each epoch (the same orders in every run)')
    .option('--seed <n>', 'seed for the initial weights and the shuffle (default: random; always printed)', seedValue)
    .option('--init <model.json>', 'start every run from a saved model instead of random weights')
    .option('--workers <n>', 'threads training runs at once, this one included (default: one per core, at most one per run; 1: one run after another in this thread)', positiveInt)
    .option('--log', 'log-scale y axis for the loss curves')
    .option('--json', 'print one JSON object (config, seed, every run\'s losses, best) instead of the chart')
    .option('--report <file.html>', 'also write one self-contained HTML page: every curve on one chart, the final losses, the best lr');
  addNetworkOptions(cmd).action(async (flags: SweepFlags, c: Command) => {
    const io = makeIo(c.optsWithGlobals<{ verbose?: boolean }>().verbose);
    if (flags.frames !== undefined && flags.seconds !== undefined) throw new UsageError('give --frames or --seconds, not both');
    const setup: Setup = { spec: networkSpecFrom(flags, c), learning: trainOptionsFrom(flags) }; // usage errors before any work
    const fallback = flags.wav === undefined ? defaultAudioPath('sweeping') : undefined;
    const wav = flags.wav ?? (fallback?.path as string);
    if (flags.report !== undefined) {
      await (await import('../report/data.js')).checkReportPath(flags.report);
      checkOutputPath(flags.report, '--report', [wav, ...(flags.init !== undefined ? [flags.init] : [])]);
    }
    if (fallback !== undefined && !flags.json) info(io, fallback.note);
    process.exitCode = await runSweep(io, await loadAudio(wav, { shared: true }), flags, c, setup);
  });
}

/** The network asked for and how it learns (network-options.ts). */
interface Setup {
  spec: NetworkSpec;
  learning: NetworkTrainOptions;
}

/** The initial weights every run starts from, and how many numbers drawing them took from the seed. */
function initialNetwork(io: Io, flags: SweepFlags, cmd: Command, spec: NetworkSpec, seed: number): { net: Network; draws: number; scale: number } {
  if (flags.init === undefined) {
    const net = createNetwork(spec.sizes, { bias: spec.bias });
    const rng = new CountingRng(seed);
    initNetwork(net, rng);
    return { net, draws: rng.draws, scale: flags.scale };
  }
  // As in train: --hidden/--layers/--bias given with --init must describe the saved network.
  const saved = loadModel(flags.init);
  if ((flags.layers !== undefined || flags.hidden !== undefined) && spec.sizes.join(',') !== saved.net.sizes.join(',')) {
    const opt = flags.layers !== undefined ? '--layers' : '--hidden';
    throw new UsageError(`${opt} ${opt === '--layers' ? spec.sizes.join(',') : flags.hidden} does not match the model in ${flags.init} (layers ${saved.net.sizes.join(',')}): drop ${opt} or use another model`);
  }
  if (flags.bias === true && !hasBias(saved.net)) throw new UsageError(`--bias does not match the model in ${flags.init} (it has no biases): drop --bias or use another model`);
  let scale = saved.scale;
  if (cmd.getOptionValueSource('scale') === 'cli') {
    scale = flags.scale;
    if (saved.scale !== scale) warn(io, `--scale ${scale} differs from the ${saved.scale} the model in ${flags.init} was trained with`);
  }
  return { net: saved.net, draws: 0, scale };
}

interface Sweep {
  audio: LoadedAudio;
  frames: Frames<SampleFrames>;
  net: Network;
  scale: number;
  seed: number;
  flags: SweepFlags;
  options: SharedTrainOptions;
  results: RunResult[];
  /** Threads the runs could be shared among, the main thread included (--workers). */
  threads: number;
  /** Worker threads actually started (none when the sweep was too short to pay for one). */
  workerThreads: number;
  wallSeconds: number;
  interrupted: boolean;
}

async function runSweep(io: Io, audio: LoadedAudio, flags: SweepFlags, cmd: Command, { spec, learning }: Setup): Promise<number> {
  if (audio.conversion) info(io, `converted ${audio.source.path}: ${audio.conversion}`);
  for (const w of audio.warnings) warn(io, w);
  const seed = flags.seed ?? randomSeed();
  const { net, draws, scale } = initialNetwork(io, flags, cmd, spec, seed);
  // The samples themselves, divided as they are read (2 bytes a sample), shared with the workers.
  const frames = sampleFrames(audio.samples, { scale, maxFrames: flags.frames, seconds: flags.seconds, start: flags.start }, audio.source.path);
  if (frames.droppedSamples > 0) info(io, `dropped a trailing partial frame of ${frames.droppedSamples} samples (frames are ${FRAME_SIZE} samples)`);
  // As in train: a batch larger than the data is the whole data.
  const batch = Math.min(learning.batch, Math.max(1, frames.count));
  if (batch < learning.batch) info(io, `--batch ${learning.batch} is more than the ${count(frames.count, 'frame')}: each step uses ${frames.count === 1 ? 'it' : `all ${frames.count}`} (full-batch gradient descent)`);
  // Every run starts from these weights: their loss is measured once, not once per run.
  const initialLoss = networkMeanLoss(net, frames.data, frames.count);
  const options: SharedTrainOptions = { epochs: flags.epochs, shuffle: flags.shuffle === true, batch, optimizer: learning.optimizer, initialLoss };

  const lrs = flags.lr;
  const jobs: SweepJob[] = lrs.map((lr, index) => ({ index, lr, net, seed, draws, options }));
  // The main thread trains too: N threads = the main one + N − 1 workers.
  // Far more threads than cores only costs memory (700 threads passed 4 GB): capped, and said.
  const maxThreads = limitOf('workersPerCore') * availableParallelism();
  if ((flags.workers ?? 0) > maxThreads) info(io, `--workers ${flags.workers} is more than ${limitOf('workersPerCore')} per core: using ${maxThreads} (this machine has ${count(availableParallelism(), 'core')})`);
  const threads = Math.min(lrs.length, flags.workers ?? availableParallelism(), maxThreads);

  // Ctrl-C: every run stops at its next slice, queued runs never start; what finished is shown. A second Ctrl-C quits.
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const onSigint = (): void => {
    if (Atomics.load(stop, 0) !== 0) process.exit(EXIT.interrupted);
    Atomics.store(stop, 0, 1);
  };
  process.on('SIGINT', onSigint);

  const where = threadsText(threads);
  const spin = await progress(io, `Sweeping ${lrs.length} learning rate${lrs.length === 1 ? '' : 's'} (${lrs.map((x) => fmt(x)).join(', ')}) on ${count(frames.count, 'frame')}, ${count(flags.epochs, 'epoch')} each, ${where}`);
  const epochNow = new Map<number, number>();
  const onProgress = (index: number, epoch: number): void => {
    epochNow.set(index, epoch);
    spin.update([...epochNow].map(([i, e]) => `lr ${fmt(lrs[i])} ${e}/${flags.epochs}`).join(' · '));
  };
  const onResult = (r: RunResult): void => {
    epochNow.delete(r.index);
    spin.log(`lr ${fmt(r.lr)}: ${statusText(r, flags.epochs)}, final loss ${r.epochs ? fmt(r.finalLoss) : '–'} (${r.seconds.toFixed(2)} s)`);
  };
  const started = performance.now();
  let results: RunResult[];
  let workerThreads: number;
  try {
    ({ results, workers: workerThreads } = await runPool(jobs, frames.data, frames.count, { workers: threads - 1, stop, onProgress, onResult }));
  } catch (e) {
    spin.fail('sweep failed');
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  const fallback = results.find((r) => r.fallback !== null)?.fallback;
  if (fallback !== undefined) warn(io, `${fallback}: training with the TypeScript kernels instead (slower)`);
  const wallSeconds = (performance.now() - started) / 1000;
  const interrupted = Atomics.load(stop, 0) !== 0;
  if (interrupted) spin.fail(`interrupted: ${results.filter((r) => r.stopped !== 'interrupted').length} of ${lrs.length} runs finished`);
  else spin.succeed(`swept ${lrs.length} learning rate${lrs.length === 1 ? '' : 's'} in ${wallSeconds.toFixed(2)} s`);

  const sweep: Sweep = { audio, frames, net, scale, seed, flags, options, results, threads, workerThreads, wallSeconds, interrupted };
  io.out.write((flags.json ? JSON.stringify(toJson(sweep)) : renderSweep(io, sweep)) + '\n');
  if (flags.report !== undefined) await writeSweepReport(io, flags.report, sweep);

  if (interrupted) return EXIT.interrupted;
  if (results.length > 0 && results.every((r) => r.stopped === 'diverged')) {
    const s = lrs[0];
    const smaller = [s / 100, s / 30, s / 10].map((x) => fmt(x, 1)).join(',');
    throw new UserError(`every learning rate diverged, even the smallest (lr ${fmt(s)}, at epoch ${results[0].epochs}): try smaller ones, e.g. --lr ${smaller}`, EXIT.diverged);
  }
  return EXIT.ok;
}

/** The HTML page: the same runs as the chart and table above, with the PCA-k line of these frames. */
async function writeSweepReport(io: Io, path: string, s: Sweep): Promise<void> {
  // Loaded on use: a sweep without --report does not pay for the page's modules.
  const [{ writeHtmlReport }, { renderSweepReport }, { pcaReference, pcaShapeOf }] = await Promise.all([import('../report/html.js'), import('../report/sweep-html.js'), import('../../model/pca.js')]);
  const byIndex = new Map(s.results.map((r) => [r.index, r]));
  await writeHtmlReport(path, renderSweepReport({
    title: `dlaudio sweep: ${s.net.sizes.join(' → ')}`,
    source: s.audio.source.path,
    seconds: (s.frames.count * FRAME_SIZE) / SAMPLE_RATE,
    seed: s.seed,
    epochs: s.flags.epochs,
    log: s.flags.log === true,
    runs: s.flags.lr.map((lr, i) => {
      const r = byIndex.get(i);
      return r ? { lr, losses: r.losses, stopped: r.stopped, seconds: r.seconds } : { lr, losses: [], stopped: 'not run', seconds: null };
    }),
    bestLr: bestRun(s.results)?.lr ?? null,
    pca: pcaReference(pcaShapeOf(s.net), s.frames.data, s.frames.count),
    config: toJson(s).config as Record<string, ConfigValue>,
  }));
  info(io, `report written to ${path}`);
}

function threadsText(threads: number): string {
  return threads === 1 ? 'in this thread' : `on up to ${threads} threads (this one, and ${threads === 2 ? 'a worker' : `${threads - 1} workers`} if the runs are long enough)`;
}

/** Where the runs went: "3 in the main thread and 2 on 1 worker thread". */
function placesText(s: Sweep): string {
  const here = s.results.filter((r) => r.threadId === 0).length;
  const workers = new Set(s.results.filter((r) => r.threadId !== 0).map((r) => r.threadId)).size;
  const runs = `${s.results.length} run${s.results.length === 1 ? '' : 's'}`;
  if (workers > 0) return `${runs}, ${here} in the main thread and ${s.results.length - here} on ${workers} worker thread${workers === 1 ? '' : 's'}`;
  if (s.threads === 1 || s.results.length < 2) return `${runs}, all in the main thread`;
  const why = s.workerThreads === 0 ? 'too short to pay for starting a worker thread' : 'done before a worker thread was ready';
  return `${runs}, all in the main thread (${why})`;
}

function statusText(r: RunResult, epochs: number): string {
  if (r.stopped === 'diverged') return `diverged at epoch ${r.epochs}`;
  if (r.stopped === 'interrupted') return `interrupted at epoch ${r.epochs} of ${epochs}`;
  return 'ok';
}

/** The lowest final loss among the runs that trained all their epochs without diverging. */
function bestRun(results: readonly RunResult[]): RunResult | null {
  let best: RunResult | null = null;
  for (const r of results) {
    if (r.stopped !== 'done' || r.epochs === 0) continue;
    if (best === null || r.finalLoss < best.finalLoss) best = r;
  }
  return best;
}


function toJson(s: Sweep): Record<string, unknown> {
  const best = bestRun(s.results);
  const ran = new Set(s.results.map((r) => r.index));
  return {
    source: { ...s.audio.source, conversion: s.audio.conversion, warnings: s.audio.warnings },
    config: {
      frameSize: FRAME_SIZE,
      sampleRate: SAMPLE_RATE,
      sizes: s.net.sizes,
      bias: hasBias(s.net),
      scale: s.scale,
      lrs: s.flags.lr,
      epochs: s.flags.epochs,
      shuffle: s.options.shuffle,
      batch: s.options.batch ?? 1,
      optimizer: s.options.optimizer ?? { kind: 'sgd' },
      init: s.flags.init ?? null,
      frames: s.frames.count,
      framesAvailable: s.frames.available,
      droppedSamples: s.frames.droppedSamples,
    },
    seed: s.seed,
    parameters: networkParameterCount(s.net),
    workers: s.threads,
    workerThreads: s.workerThreads,
    wallSeconds: s.wallSeconds,
    interrupted: s.interrupted,
    runs: s.results.map((r) => ({
      lr: r.lr,
      losses: r.losses,
      lossesBucketed: r.bucketed !== null,
      firstLoss: r.epochs ? r.firstLoss : null,
      finalLoss: r.epochs ? r.finalLoss : null,
      epochs: r.epochs,
      stopped: r.stopped,
      divergedAt: r.stopped === 'diverged' ? r.epochs : null,
      seconds: r.seconds,
      stepsPerSecond: r.stepsPerSecond,
      kernel: r.kernel,
      threadId: r.threadId,
    })),
    notRun: s.flags.lr.filter((_, i) => !ran.has(i)),
    best: best ? { lr: best.lr, finalLoss: best.finalLoss } : null,
  };
}

function renderSweep(io: Io, s: Sweep): string {
  const width = io.out.columns ?? 80;
  const lines: string[] = [];
  const curves = s.results.map((r) => ({
    label: `lr ${fmt(r.lr)}${r.stopped === 'diverged' ? ` (diverged at epoch ${r.epochs})` : ''}`,
    losses: r.losses,
    diverged: r.stopped === 'diverged',
  }));
  if (curves.length > 0) lines.push(renderLossCurves(curves, { width, log: s.flags.log === true, color: io.color }), '');

  const rows: string[][] = [['lr', 'first loss', 'final loss', 'epochs', 'status', 'time']];
  const byIndex = new Map(s.results.map((r) => [r.index, r]));
  s.flags.lr.forEach((lr, i) => {
    const r = byIndex.get(i);
    if (r === undefined) rows.push([fmt(lr), '–', '–', '0', 'not run (interrupted)', '–']);
    else rows.push([fmt(lr), r.epochs ? fmt(r.firstLoss) : '–', r.epochs ? fmt(r.finalLoss) : '–', String(r.epochs), statusText(r, s.flags.epochs), `${r.seconds.toFixed(2)} s`]);
  });
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) lines.push(row.map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
  lines.push('');

  const summaryFrom = lines.length;
  const best = bestRun(s.results);
  if (best !== null) {
    const note = s.interrupted ? ' among the runs that finished' : '';
    lines.push(`best: lr ${fmt(best.lr)} (final loss ${fmt(best.finalLoss)})${note}`);
  } else if (s.results.length > 0 && s.results.every((r) => r.stopped === 'diverged')) {
    lines.push('best: none, every run diverged: try smaller learning rates');
  } else {
    // Interrupted before any run finished: unequal epochs make no fair winner, but the lowest loss still helps.
    const low = s.results.filter((r) => r.epochs > 0 && Number.isFinite(r.finalLoss)).sort((a, b) => a.finalLoss - b.finalLoss)[0];
    lines.push(`best: none, no run finished its epochs${low ? `; lowest loss so far: lr ${fmt(low.lr)} (${fmt(low.finalLoss)} at epoch ${low.epochs})` : ''}`);
  }
  const src = s.audio.source;
  const secs = (s.frames.count * FRAME_SIZE) / SAMPLE_RATE;
  const opt = s.options.optimizer ?? { kind: 'sgd' };
  const how = `${(s.options.batch ?? 1) === 1 ? 'per-sample' : `batches of ${s.options.batch},`} ${opt.kind === 'sgd' ? 'SGD' : describeOptimizer(opt)}`;
  lines.push('');
  lines.push(`source:    ${src.path} (${src.sampleRate} Hz, ${src.channels === 1 ? 'mono' : src.channels + ' channels'}, ${src.encoding})`);
  lines.push(`frames:    ${s.frames.count} of ${FRAME_SIZE} samples (${secs.toFixed(2)} s)${framesWindow(s.frames)}`);
  lines.push(`network:   ${describeNetwork(s.net)}, ${networkParameterCount(s.net)} parameters`);
  lines.push(`training:  ${s.flags.epochs} epochs per run, ${how}${s.options.shuffle ? ', shuffled' : ' in frame order'}, all from the same initial weights${s.flags.init ? ` (${s.flags.init})` : ''}`);
  lines.push(`seed:      ${s.seed}   (train --lr X --seed ${s.seed} repeats one run bit for bit)`);
  lines.push(`time:      ${s.wallSeconds.toFixed(2)} s wall, ${placesText(s)}`);
  // The chart (and its legend) follow the terminal's width; a table row stays whole (it fits in 80
  // columns unless a run was interrupted after many epochs); the summary fits in 80 columns.
  return [...lines.slice(0, summaryFrom), fitColumns(lines.slice(summaryFrom).join('\n'))].join('\n');
}
