import { Command, Option } from '../commander.js';
import { fileURLToPath } from 'node:url';
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, isAbsolute } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadAudio, type LoadedAudio } from '../../audio/wav.js';
import { sampleFrames, framesSamples, silenceWarning, FRAME_SIZE, SAMPLE_RATE, type Frames } from '../../audio/frames.js';
import type { SampleFrames } from '../../model/frame-data.js';
import { Rng, randomSeed } from '../../model/rng.js';
import { meanLossYielding, train, type TrainResult } from '../../model/train.js';
import { asAutoEncoder, createNetwork, initNetwork, describeNetwork, networkParameterCount, codeSize, hasBias, type Network } from '../../model/network.js';
import { describeOptimizer } from '../../model/optimizer.js';
import { addNetworkOptions, loadInitModel, networkSpecFrom, trainOptionsFrom, type NetworkFlags, type NetworkSpec, type NetworkTrainOptions } from '../network-options.js';
import { UserError, UsageError, EXIT } from '../../errors.js';
import { makeIo, progress, info, warn, type Io } from '../../util/output.js';
import { renderLossChart, fmt, fmtInt, count, framesWindow, fitColumns } from '../render.js';
import { positiveNumber, nonNegativeNumber, nonNegativeInt, positiveInt, seedValue } from '../options.js';
import { addDeviceOptions, serialFrom, type DeviceFlags } from '../device-options.js';
import type { ConfigValue } from '../report/html.js';
import { checkDistinctOutputs, checkOutputPath, fmtModelLoss, modelLossJson, trainQuality, type ModelLoss } from '../quality.js';
import { cloneNetwork } from '../sweep-run.js';
import { BackgroundPca } from '../../model/background-pca.js';
import { pcaShapeOf } from '../../model/pca.js';

const SAMPLE_ABSOLUTE = fileURLToPath(new URL('../../../fixtures/sample.wav', import.meta.url));

/**
 * The bundled sample, named relative to the current folder when it is below it, or when
 * ./fixtures/sample.wav is that same file (a link to the fixtures, as the docs' examples use):
 * shorter output, and the same lines whatever folder the checkout is in.
 */
export function samplePath(): string {
  const rel = relative(process.cwd(), SAMPLE_ABSOLUTE);
  if (!rel.startsWith('..') && !isAbsolute(rel)) return rel;
  const local = join('fixtures', 'sample.wav');
  try {
    const a = statSync(local);
    const b = statSync(SAMPLE_ABSOLUTE);
    if (a.dev === b.dev && a.ino === b.ino) return local;
  } catch {
    // no such file here: the absolute path
  }
  return SAMPLE_ABSOLUTE;
}

/** What `dlaudio record` writes by default: `train` and `sweep` use it when no --wav is given. */
export const RECORDING = 'recording.wav';

/** "just now", "3 min ago", "2 h ago", "4 days ago". */
function ago(ms: number): string {
  const min = Math.floor(ms / 60000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  return h < 48 ? `${h} h ago` : `${Math.floor(h / 24)} days ago`;
}

/**
 * The audio when no --wav is given: the course's flow is "record, then train", so recording.wav in
 * the current folder (what `dlaudio record` just wrote) comes first, else the bundled sample. The
 * line says which, and how to pick the other.
 */
export function defaultAudioPath(verb: string): { path: string; note: string } {
  try {
    const st = statSync(RECORDING);
    if (st.isFile()) return { path: RECORDING, note: `${verb} on ${RECORDING} (recorded ${ago(Date.now() - st.mtimeMs)}); --wav ${samplePath()} for the bundled sample` };
  } catch {
    // no recording here: the bundled sample
  }
  return { path: samplePath(), note: `no --wav given: ${verb} on the bundled sample (${samplePath()})` };
}

interface TrainFlags extends DeviceFlags, NetworkFlags {
  keep?: string;
  wav?: string;
  frames?: number;
  seconds?: number;
  start?: number;
  scale: number;
  lr?: number;
  epochs: number;
  shuffle?: boolean;
  seed?: number;
  init?: string;
  save?: string;
  log?: boolean;
  json?: boolean;
  report?: string;
  outWav?: string;
  play?: boolean;
}

/** The flags once the lr default (which depends on the optimizer) is applied. */
type RunFlags = TrainFlags & { lr: number };

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train the course\'s auto-encoder X(160) → relu(W·X) → V·Z (or a deeper one: --layers) on a WAV file and print the loss curve')
    .option('--wav <file>', 'audio to train on (WAV, MP3, FLAC, Ogg Opus/Vorbis; M4A with ffmpeg; converted to 16 kHz mono); default: recording.wav if here, else the bundled sample')
    .option('--frames <n>', 'train on the first N frames only (--start 0.4 --frames 1: the course\'s first exercise, one frame of voice)', positiveInt)
    .option('--seconds <s>', 'train on the first S seconds only (with --device: record S seconds, default 5)', positiveNumber)
    .option('--start <s>', 'skip the first S seconds (with --frames or --seconds: the window that starts there; a part of a long recording)', nonNegativeNumber)
    .addOption(new Option('--scale <n>', 'each 16-bit sample is divided by this').default(32000).argParser(positiveNumber))
    .option('--lr <rate>', 'learning rate (default: 0.01; with --optimizer adam 0.001, as PyTorch)', positiveNumber)
    .addOption(new Option('--epochs <n>', 'passes over all the frames (0: only measure the loss)').default(200).argParser(nonNegativeInt))
    .option('--shuffle', 'visit the frames in a new random order each epoch (default: frame order, like the course)')
    .option('--seed <n>', 'seed for the initial weights and the shuffle (default: random; always printed)', seedValue)
    .option('--init <model.json>', 'start from a saved model instead of random weights')
    .option('--save <model.json>', 'write the trained model (JSON, see docs/model-file.md)')
    .option('--log', 'log-scale y axis for the loss curve')
    .option('--json', 'print one JSON object (config, seed, losses, timing) instead of the chart')
    .option('--keep <file>', 'with --device: keep the recording in this WAV file')
    .option('--play', 'with --device: after training, play what the network makes of the recording on the same phone')
    .option('--out-wav <file.wav>', 'after training, write the reconstruction of the frames trained on (16 kHz mono WAV) and print its SNR')
    .option('--report <file.html>', 'also write one self-contained HTML page: loss curve, waveforms, original and reconstruction to listen to, the numbers')
    .addHelpText('after', `
Examples:
  dlaudio train --start 0.4 --frames 1          one frame of voice: the loss falls to ~0
  dlaudio train --seed 42                       all 500 frames; --seed repeats the run
  dlaudio train --wav me.wav --out-wav rec.wav  your own WAV, then listen to rec.wav`);
  addDeviceOptions(addNetworkOptions(cmd)).action(async (flags: TrainFlags, c: Command) => {
    const io = makeIo(c.optsWithGlobals<{ verbose?: boolean }>().verbose);
    if (flags.frames !== undefined && flags.seconds !== undefined) throw new UsageError('give --frames or --seconds, not both');
    if (flags.device !== undefined && flags.wav !== undefined) throw new UsageError('give --wav FILE or --device, not both');
    if (flags.start !== undefined && flags.device !== undefined) throw new UsageError('--start goes with a file (--wav): a phone recording starts when you speak');
    if (flags.keep !== undefined && flags.device === undefined) throw new UsageError('--keep goes with --device (it keeps the phone recording); with --wav the file is already yours');
    if (flags.play && flags.device === undefined) throw new UsageError('--play goes with --device: it plays the reconstruction on the phone that recorded (for a file: --out-wav FILE, then `dlaudio play FILE`)');
    // Checked before any recording: a bad --layers or optimiser combination must not cost a take.
    const setup: Setup = { spec: networkSpecFrom(flags, c), learning: trainOptionsFrom(flags) };
    flags.lr ??= defaultLr(setup.learning.optimizer.kind);
    // PCA's thread starts now: it is ready by the time the audio is read (background-pca.ts).
    const background = new BackgroundPca();
    try {
      process.exitCode = await readAndTrain(io, flags, c, setup, background);
    } finally {
      background.close();
    }
  });
}

async function readAndTrain(io: Io, flags: TrainFlags, c: Command, setup: Setup, background: BackgroundPca): Promise<number> {
  if (flags.report !== undefined) await (await import('../report/data.js')).checkReportPath(flags.report);
  // The audio read: --wav, the bundled sample when neither --wav nor --device, or --keep's recording.
  const fallback = flags.wav === undefined && flags.device === undefined ? defaultAudioPath('training') : undefined;
  const audioIn = flags.wav ?? fallback?.path ?? flags.keep;
  const inputs = [audioIn, flags.keep].filter((p): p is string => p !== undefined);
  if (flags.outWav !== undefined) checkOutputPath(flags.outWav, '--out-wav', [...inputs, ...(flags.init !== undefined ? [flags.init] : [])]);
  // --save over --init is allowed: it continues training the same model file.
  if (flags.save !== undefined) checkOutputPath(flags.save, '--save', inputs);
  if (flags.report !== undefined) checkOutputPath(flags.report, '--report', [...inputs, ...(flags.init !== undefined ? [flags.init] : [])]);
  checkDistinctOutputs([['--save', flags.save], ['--out-wav', flags.outWav], ['--report', flags.report]]);
  if (fallback !== undefined && !flags.json) info(io, fallback.note);
  // Only the part trained on is kept: a long recording fits with --seconds (and --start).
  // In shared memory: PCA's thread reads the frames from these very samples (no copy).
  const audio = flags.device !== undefined ? await recordFromPhone(io, flags) : await loadAudio(audioIn as string, { start: flags.start, seconds: flags.seconds, shared: true });
  return runTraining(io, audio, flags as RunFlags, c, setup, background);
}

/** PyTorch's defaults: SGD has none, the course uses 0.01; Adam's is 0.001 (0.01 makes a deep Adam run chaotic). */
export function defaultLr(kind: string): number {
  return kind === 'adam' ? 0.001 : 0.01;
}

/** `train --device`: record on the phone (like the course app's button), then train on all of it. */
async function recordFromPhone(io: Io, flags: TrainFlags): Promise<LoadedAudio> {
  // Loaded on use: adbkit costs ~0.1–0.2 s of start-up that offline training should not pay.
  const { recordToFile } = await import('../../device/record.js');
  const out = flags.keep ?? join(tmpdir(), `dlaudio-${process.pid}-${randomBytes(4).toString('hex')}.wav`);
  const seconds = flags.seconds ?? 5;
  try {
    const rec = await recordToFile({ serial: serialFrom(flags), seconds, rate: SAMPLE_RATE, out, adbHost: flags.adbHost, adbPort: flags.adbPort, io });
    for (const w of rec.warnings) warn(io, w);
    flags.device = rec.serial; // --play plays on this same phone
    if (flags.keep !== undefined) info(io, `recording kept in ${flags.keep}`);
    return await loadAudio(out, { shared: true });
  } finally {
    if (flags.keep === undefined) rmSync(out, { force: true });
  }
}

/** The network asked for and how it learns (network-options.ts). */
interface Setup {
  spec: NetworkSpec;
  learning: NetworkTrainOptions;
}

/** Everything after the audio is in memory: the same for a WAV file and a phone recording. */
async function runTraining(io: Io, audio: LoadedAudio, flags: RunFlags, cmd: Command, setup: Setup, background: BackgroundPca): Promise<number> {
  if (audio.conversion) info(io, `converted ${audio.source.path}: ${audio.conversion}`);
  for (const w of audio.warnings) warn(io, w);

  // The model: from --init, or fresh random weights.
  let net: Network;
  let scale = flags.scale;
  const seed = flags.seed ?? randomSeed();
  const rng = new Rng(seed);
  if (flags.init !== undefined) {
    ({ net, scale } = await loadInitModel(flags.init, flags, setup.spec, cmd, io));
  } else {
    net = createNetwork(setup.spec.sizes, { bias: setup.spec.bias });
    initNetwork(net, rng); // for 160,h,160 the same draws as the course's initUniform
  }

  const seconds = flags.device !== undefined ? undefined : flags.seconds;
  // The audio was read from --start on (loadAudio): frame 1 of `frames` is frame startFrame + 1 of the file.
  // The frames are the samples themselves, divided by scale as they are read: 2 bytes a sample.
  const frames = sampleFrames(audio.samples, { scale, maxFrames: flags.frames, seconds }, audio.source.path);
  // PCA's bound and subspace start on the second core now, while this thread trains.
  background.begin({ shape: pcaShapeOf(net), frames: frames.data, count: frames.count });
  return trainAndReport(io, audio, flags, setup, { net, scale, seed, rng, frames, background });
}

interface Prepared {
  net: Network;
  scale: number;
  seed: number;
  rng: Rng;
  frames: Frames<SampleFrames>;
  background: BackgroundPca;
}

async function trainAndReport(io: Io, audio: LoadedAudio, flags: RunFlags, setup: Setup, { net, scale, seed, rng, frames, background }: Prepared): Promise<number> {
  const startFrame = Math.round((flags.device !== undefined ? 0 : flags.start ?? 0) * SAMPLE_RATE / FRAME_SIZE);
  if (frames.droppedSamples > 0) info(io, `dropped a trailing partial frame of ${frames.droppedSamples} samples (frames are ${FRAME_SIZE} samples)`);
  const silence = silenceWarning(audio.samples, frames, startFrame);
  if (silence !== null) warn(io, silence);
  // A batch larger than the data is the whole data: say so rather than refuse (--frames often shrinks it).
  const batch = Math.min(setup.learning.batch, Math.max(1, frames.count));
  if (batch < setup.learning.batch) info(io, `--batch ${setup.learning.batch} is more than the ${count(frames.count, 'frame')}: each step uses ${frames.count === 1 ? 'it' : `all ${frames.count}`} (full-batch gradient descent)`);
  const learning: NetworkTrainOptions = { batch, optimizer: setup.learning.optimizer };

  // Ctrl-C: finish the current slice, then show what was learnt so far. A second Ctrl-C quits at once.
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
  };
  process.on('SIGINT', onSigint);

  const initial = cloneNetwork(net); // to try smaller learning rates from, if this one diverges
  const spin = await progress(io, `Training ${net.sizes.join('→')} on ${count(frames.count, 'frame')}, ${count(flags.epochs, 'epoch')}, lr ${flags.lr}`);
  const started = performance.now();
  let result: TrainResult;
  let finalModelLoss: ModelLoss;
  try {
    result = await train(net, frames.data, frames.count, rng, {
      ...learning,
      lr: flags.lr,
      epochs: flags.epochs,
      shuffle: flags.shuffle === true,
      shouldStop: () => interrupted,
      onProgress: (epoch, loss) => {
        const elapsed = (performance.now() - started) / 1000;
        const left = (elapsed / epoch) * (flags.epochs - epoch);
        spin.update(`epoch ${epoch}/${flags.epochs}  loss ${fmt(loss)}  ${left.toFixed(1)} s left`);
      },
    });
    if (result.fallback !== null) warn(io, `${result.fallback}: training with the TypeScript kernels instead (slower)`);
    if (result.stopped === 'diverged') spin.fail(`diverged at epoch ${result.epochs}`);
    else if (result.stopped === 'interrupted') spin.fail(`interrupted after ${result.epochs} of ${flags.epochs} epochs`);
    else spin.succeed(`trained ${result.epochs} epochs in ${result.seconds.toFixed(2)} s`);
    finalModelLoss = await modelLossAfter(io, result, net, frames, flags.epochs);
  } finally {
    process.off('SIGINT', onSigint);
  }

  // Diverged weights make neither a model nor a recording worth keeping (the report still shows them).
  const diverged = result.stopped === 'diverged';
  if (flags.save !== undefined && !diverged) {
    await (await import('../../model/model-file.js')).saveModel(flags.save, net, scale);
    info(io, `model saved to ${flags.save}${result.stopped === 'interrupted' ? ' (as trained so far)' : ''}`);
  }
  const notWritten = [flags.save, flags.outWav].filter((p): p is string => diverged && p !== undefined);
  if (notWritten.length > 0) info(io, `not written, the training diverged: ${notWritten.join(', ')}`);

  const outWav = diverged ? undefined : flags.outWav;
  const quality = await trainQuality(net, scale, frames, finalModelLoss, outWav, framesSamples(audio.samples, frames), SAMPLE_RATE, background);
  const report = { audio, frames, startFrame, net, learning, scale, seed, flags, result, finalModelLoss, quality };
  if (flags.json) io.out.write(JSON.stringify(toJson(report)) + '\n');
  else io.out.write(renderReport(io, report) + '\n');
  if (flags.report !== undefined) await writeTrainReport(io, flags.report, report);
  if (flags.play && result.stopped === 'done') await (await import('./play.js')).playReconstruction(io, net, scale, audio.samples, flags);

  if (result.stopped === 'diverged') {
    const safe = await workingLr(initial, frames, learning, flags, seed);
    const advice = safe !== null
      ? `try --lr ${fmt(safe.lr)} (tried: it did not diverge in ${count(safe.epochs, 'epoch')} from the same weights)`
      : `try a much smaller learning rate: every one tried down to --lr ${fmt(flags.lr / LR_DIVISORS[LR_DIVISORS.length - 1])} diverged too`;
    throw new UserError(`training diverged at epoch ${result.epochs} (loss ${fmt(result.finalLoss)}) with --lr ${flags.lr}: ${advice}`, EXIT.diverged);
  }
  return result.stopped === 'interrupted' ? EXIT.interrupted : EXIT.ok;
}

/** The learning rates tried after a divergence: lr/3, lr/10, … */
const LR_DIVISORS = [3, 10, 30, 100, 300, 1000];

/**
 * Advice that works the first time: each smaller lr is tried for a few epochs on the same frames
 * from the same initial weights (and the same shuffle seed), and the largest that does not diverge
 * is suggested. Twenty epochs (or fewer if fewer were asked) are enough: a rate too large blows up early.
 */
async function workingLr(initial: Network, frames: Frames<SampleFrames>, learning: NetworkTrainOptions, flags: RunFlags, seed: number): Promise<{ lr: number; epochs: number } | null> {
  const epochs = Math.min(flags.epochs, 20);
  for (const d of LR_DIVISORS) {
    const lr = Number((flags.lr / d).toPrecision(1));
    const r = await train(cloneNetwork(initial), frames.data, frames.count, new Rng(seed), { ...learning, lr, epochs, shuffle: flags.shuffle === true });
    if (r.stopped === 'done') return { lr, epochs };
  }
  return null;
}

/**
 * Above this many frame × parameter products the model-loss pass takes seconds (minutes for
 * 160,4096,4096,160 on a minute of audio): after Ctrl-C it is skipped, the user asked to stop.
 */
const LONG_PASS = 1e9;

/** The trained weights' mean loss on every frame: measured, or null (not measured) when interrupted before a long pass. */
async function modelLossAfter(io: Io, result: TrainResult, net: Network, frames: Frames<SampleFrames>, epochs: number): Promise<ModelLoss> {
  if (epochs === 0 && Number.isFinite(result.initialLoss)) return result.initialLoss; // the weights did not move
  if (result.stopped === 'interrupted' && frames.count * networkParameterCount(net) > LONG_PASS) {
    info(io, 'model loss not measured: interrupted, and a pass over every frame would take a while (`dlaudio reconstruct --model` measures it)');
    return null;
  }
  // Yielding, so a second Ctrl-C still quits at once.
  return meanLossYielding(net, frames.data, frames.count);
}

interface Report {
  audio: LoadedAudio;
  frames: Frames<SampleFrames>;
  /** Frames of the file skipped by --start (the audio starts there). */
  startFrame: number;
  net: Network;
  /** The batch actually used (at most the frame count) and the optimiser. */
  learning: NetworkTrainOptions;
  scale: number;
  seed: number;
  flags: RunFlags;
  result: TrainResult;
  finalModelLoss: ModelLoss;
  /** The PCA-k line and, with --out-wav, the reconstruction's SNR (quality.ts). */
  quality: Awaited<ReturnType<typeof trainQuality>>;
}

function toJson(r: Report): Record<string, unknown> {
  const { losses } = r.result;
  return {
    source: { ...r.audio.source, conversion: r.audio.conversion, warnings: r.audio.warnings },
    config: {
      frameSize: FRAME_SIZE,
      sampleRate: SAMPLE_RATE,
      hidden: codeSize(r.net),
      layers: r.net.sizes,
      bias: hasBias(r.net),
      batch: r.learning.batch,
      optimizer: r.learning.optimizer,
      scale: r.scale,
      lr: r.flags.lr,
      epochs: r.flags.epochs,
      shuffle: r.flags.shuffle === true,
      init: r.flags.init ?? null,
      frames: r.frames.count,
      start: (r.startFrame * FRAME_SIZE) / SAMPLE_RATE,
      framesAvailable: r.frames.available,
      droppedSamples: r.frames.droppedSamples,
    },
    seed: r.seed,
    network: describeNetwork(r.net),
    parameters: networkParameterCount(r.net),
    compression: FRAME_SIZE / codeSize(r.net),
    losses,
    // Past 100 000 epochs `losses` holds bucket means; the buckets' min/mean/max and the exact ends are here.
    lossesBucketed: r.result.bucketed !== null,
    ...(r.result.bucketed !== null ? { lossBuckets: r.result.bucketed } : {}),
    epochsRun: r.result.epochs,
    firstLoss: r.result.epochs > 0 ? r.result.firstLoss : null,
    finalLoss: r.result.epochs > 0 ? r.result.finalLoss : null,
    ...modelLossJson(r.finalModelLoss),
    ...r.quality.json,
    stopped: r.result.stopped,
    timing: { seconds: r.result.seconds, stepsPerSecond: r.result.stepsPerSecond, kernel: r.result.kernel },
  };
}

/** The HTML page: the frames trained on, through the trained weights (diverged ones too: the page shows why). */
async function writeTrainReport(io: Io, path: string, r: Report): Promise<void> {
  // Loaded on use: the page's modules (FFT, PNG) cost start-up time a run without --report should not pay.
  const [{ writeHtmlReport }, { buildReportData }] = await Promise.all([import('../report/html.js'), import('../report/data.js')]);
  const json = toJson(r);
  await writeHtmlReport(path, buildReportData({
    title: `dlaudio train: ${r.net.sizes.join(' → ')}`,
    source: r.audio.source.path,
    config: json.config as Record<string, ConfigValue>,
    seed: r.seed,
    losses: r.result.losses,
    stopped: r.result.stopped,
    log: r.flags.log === true,
    finalLoss: json.finalLoss as number | null,
    modelLoss: r.finalModelLoss,
    net: r.net,
    scale: r.scale,
    samples: framesSamples(r.audio.samples, r.frames),
    sampleRate: SAMPLE_RATE,
    pca: r.quality.pca,
    reconstruction: r.quality.made,
  }));
  info(io, `report written to ${path}`);
}

function renderReport(io: Io, r: Report): string {
  const { losses } = r.result;
  const lines: string[] = [];
  if (losses.length > 0) {
    lines.push(renderLossChart(losses, { width: io.out.columns ?? 80, log: r.flags.log === true, color: io.color }), '');
  }
  const src = r.audio.source;
  const secs = r.frames.count * FRAME_SIZE / SAMPLE_RATE;
  lines.push(`source:      ${src.path} (${src.sampleRate} Hz, ${src.channels === 1 ? 'mono' : src.channels + ' channels'}, ${src.encoding})`);
  lines.push(`frames:      ${r.frames.count} of ${FRAME_SIZE} samples (${secs.toFixed(2)} s)${framesWindow(r.frames, r.startFrame)}`);
  lines.push(`network:     ${describeNetwork(r.net)}`);
  lines.push(`parameters:  ${networkParameterCount(r.net)} = ${parameterSummary(r.net)}, compression ×${fmt(FRAME_SIZE / codeSize(r.net))}`);
  const ran = r.result.stopped === 'done' ? count(r.result.epochs, 'epoch') : `${r.result.epochs} of ${count(r.flags.epochs, 'epoch')} (stopped: ${r.result.stopped})`;
  lines.push(`training:    ${ran}, lr ${r.flags.lr}, ${learningSummary(r.learning)}${r.flags.shuffle ? ', shuffled' : ' in frame order'}${r.flags.init ? `, from ${r.flags.init}` : ''}`);
  if (losses.length > 0) {
    lines.push(`first loss:  ${fmt(r.result.firstLoss)}   (epoch 1: mean over frames of Σ(Y−X)², each before its update)`);
    lines.push(`final loss:  ${fmt(r.result.finalLoss)}`);
  }
  lines.push(`model loss:  ${fmtModelLoss(r.finalModelLoss)}   (the trained weights on ${r.frames.count === 1 ? 'the one frame' : `all ${r.frames.count} frames`})`);
  lines.push(...r.quality.lines);
  lines.push(`seed:        ${r.seed}   (--seed ${r.seed} repeats this run bit for bit)`);
  if (losses.length > 0) lines.push(`time:        ${r.result.seconds.toFixed(2)} s, ${fmtInt(r.result.stepsPerSecond)} frame-steps/s   (${KERNEL_NAMES[r.result.kernel]})`);
  const listen = listenLine(r);
  if (listen !== null) lines.push(listen);
  // The chart follows the terminal's width; the summary fits in 80 columns.
  const chart = losses.length > 0 ? 2 : 0;
  return [...lines.slice(0, chart), fitColumns(lines.slice(chart).join('\n'))].join('\n');
}

/**
 * The point of an audio auto-encoder is to hear what it kept: the last line says how, naming only
 * what was not already asked for. Nothing after a divergence (there is nothing worth hearing).
 */
function listenLine(r: Report): string | null {
  if (r.result.stopped === 'diverged') return null;
  const { report, outWav, play } = r.flags;
  if (play) return null; // --device --play plays it on the phone
  const open = report !== undefined ? `open ${report} in a browser` : null;
  const wav = outWav !== undefined ? `play ${outWav}` : null;
  if (open && wav) return `listen:      ${open}, or ${wav}`;
  if (open) return `listen:      ${open} (--out-wav recon.wav: the sound alone)`;
  if (wav) return `listen:      ${wav} (--report report.html: compare in a browser)`;
  return 'listen:      --report report.html (open it in a browser) or --out-wav recon.wav';
}

const KERNEL_NAMES: Record<TrainResult['kernel'], string> = {
  wasm: 'WebAssembly SIMD kernel',
  js: 'TypeScript kernel',
  'wasm-backprop': 'general back-propagation, WebAssembly SIMD',
  backprop: 'general back-propagation, TypeScript',
};

/** "W 10×160 + V 160×10" for the course's network, "64×160 + 10×64 + … + biases 298" otherwise. */
export function parameterSummary(net: Network): string {
  const ae = asAutoEncoder(net);
  if (ae) return `W ${ae.hidden}×${FRAME_SIZE} + V ${FRAME_SIZE}×${ae.hidden}`;
  const biases = net.layers.reduce((n, l) => n + (l.b ? l.b.length : 0), 0);
  return net.layers.map((l) => `${l.outSize}×${l.inSize}`).join(' + ') + (biases > 0 ? ` + biases ${biases}` : '');
}

/** "per-sample SGD", "batches of 32, adam β1 0.9 β2 0.999" */
export function learningSummary(l: NetworkTrainOptions): string {
  if (l.batch === 1 && l.optimizer.kind === 'sgd') return 'per-sample SGD';
  return `${l.batch === 1 ? 'per-sample' : `batches of ${l.batch} (mean gradient)`}, ${l.optimizer.kind === 'sgd' ? 'SGD' : describeOptimizer(l.optimizer)}`;
}
