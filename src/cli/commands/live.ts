/**
 * `dlaudio live`: the course's "capture the next sound while training". The sound streams in (the
 * phone's microphone, or a file with --wav), every --chunk seconds of it is one chunk, and the
 * network trains --passes epochs on each chunk in a worker thread while the next one is captured.
 * The engine is src/cli/live/session.ts; the view on stderr src/cli/live/view.ts.
 */
import { Command, Option } from '../commander.js';
import { FRAME_SIZE, SAMPLE_RATE, checkScale } from '../../audio/frames.js';
import { int16Bytes, wavHeader16, type LoadedAudio } from '../../audio/wav.js';
import type { PcmStream } from '../../audio/pcm-stream.js';
import { randomSeed } from '../../model/rng.js';
import { saveModel } from '../../model/model-file.js';
import { codeSize, describeNetwork, hasBias, networkParameterCount, type Network } from '../../model/network.js';
import { pcaShapeOf, type PcaBound } from '../../model/pca.js';
import { addNetworkOptions, loadInitModel, networkSpecFrom, trainOptionsFrom, type NetworkFlags, type NetworkTrainOptions } from '../network-options.js';
import { UserError, UsageError, EXIT } from '../../errors.js';
import { makeIo, info, warn, type Io } from '../../util/output.js';
import { writeOutputStream } from '../../util/atomic.js';
import { fmt, fitColumns, count } from '../render.js';
import { positiveNumber, positiveInt, seedValue } from '../options.js';
import { addDeviceOptions, serialFrom, type DeviceFlags } from '../device-options.js';
import { checkDistinctOutputs, checkOutputPath, jsonNumber, pcaJson, pcaName } from '../quality.js';
import { defaultLr, learningSummary, parameterSummary } from './train.js';
import { runSession, type ChunkEvent, type SessionResult, type SkipEvent } from '../live/session.js';
import { startWorkerTrainer } from '../live/trainer.js';
import { LiveView, chunkChart, passesText, skippedText } from '../live/view.js';
import type { TrainerSetup } from '../live/chunk-trainer.js';
import type { ConfigValue } from '../report/html.js';

interface LiveFlags extends DeviceFlags, NetworkFlags {
  wav?: string;
  realtime?: boolean;
  chunk: number;
  passes: number;
  minutes?: number;
  scale: number;
  lr?: number;
  shuffle?: boolean;
  seed?: number;
  init?: string;
  save?: string;
  keep?: string;
  report?: string;
  json?: boolean;
}

/** The report plays and draws the end of the session: at most this much of it is kept in memory. */
const REPORT_SECONDS = 30;

export function registerLive(program: Command): void {
  const cmd = program
    .command('live')
    .description('train while the sound streams in: each chunk (default 5 s) is learnt while the next one is captured, with a live loss chart (from the phone, or a file with --wav)')
    .option('--wav <file>', 'stream this recording instead of the phone (WAV, MP3, FLAC, Ogg; converted to 16 kHz mono as train does)')
    .option('--realtime', 'with --wav: read the file at the speed of sound, as the phone would send it (default: as fast as training goes)')
    .addOption(new Option('--chunk <s>', 'seconds of sound per chunk, rounded to whole 10 ms frames (the course\'s take: 5 s = 500 frames)').default(5).argParser(positiveNumber))
    .addOption(new Option('--passes <n>', 'epochs on each chunk ("une seule suffit")').default(1).argParser(positiveInt))
    .option('--minutes <m>', 'stop after M minutes of sound (default: until the end of the file, or Ctrl-C)', positiveNumber)
    .addOption(new Option('--scale <n>', 'each 16-bit sample is divided by this').default(32000).argParser(positiveNumber))
    .option('--lr <rate>', 'learning rate (default: 0.01; with --optimizer adam 0.001)', positiveNumber)
    .option('--shuffle', 'visit each chunk\'s frames in a new random order each pass (default: frame order)')
    .option('--seed <n>', 'seed for the initial weights and the shuffle (default: random; always printed)', seedValue)
    .option('--init <model.json>', 'start from a saved model instead of random weights')
    .option('--save <model.json>', 'write the model at the end, also after Ctrl-C (JSON, see docs/model-file.md)')
    .option('--keep <file.wav>', 'keep all the sound heard in this WAV file (16 kHz mono 16-bit; complete after Ctrl-C too)')
    .option('--report <file.html>', 'write the session\'s HTML page: the loss per chunk before and after training, the end of the session through the final weights')
    .option('--json', 'print one JSON object per chunk (JSON lines), then a summary object, instead of the chart')
    .addHelpText('after', `
Examples:
  dlaudio live --wav fixtures/sample.wav --chunk 1    five chunks of 1 s, as fast as possible
  dlaudio live --wav long.wav --realtime              as if the phone were sending it
  dlaudio live --save live.json                       from the phone until Ctrl-C`);
  addDeviceOptions(addNetworkOptions(cmd)).action(async (flags: LiveFlags, c: Command) => {
    const io = makeIo(c.optsWithGlobals<{ verbose?: boolean }>().verbose);
    process.exitCode = await runLive(io, flags, c);
  });
}

/**
 * THE SOURCE: the one place that decides where the sound comes from: a file (--wav, read here) or
 * the phone's microphone (--device, or no --wav: src/device/live-stream.ts). `signal` is live's
 * Ctrl-C: it ends the stream's blocks() quietly, the session then saves and summarises.
 */
async function openSource(io: Io, flags: LiveFlags, signal: AbortSignal): Promise<Source> {
  if (flags.wav !== undefined) {
    const { openFileStream } = await import('../../audio/file-stream.js');
    const stream = await openFileStream(flags.wav, { realtime: flags.realtime === true });
    return { stream, finish: () => stream.finish() };
  }
  // Loaded on use, as train loads record.js: adbkit's start-up is not paid by --wav.
  const { openPhoneStream } = await import('../../device/live-stream.js');
  const phone = await openPhoneStream({ serial: serialFrom(flags), adbHost: flags.adbHost, adbPort: flags.adbPort, io, signal });
  return { stream: phone, dropped: () => phone.droppedSamples(), silenceAdvice: () => phone.silenceAdvice() };
}

interface Source {
  stream: PcmStream;
  /** A file: what was converted, and warnings. */
  finish?: () => Omit<LoadedAudio, 'samples'>;
  /** The phone: samples it dropped because they were not read in time. */
  dropped?: () => number;
  /** The phone: why it may send silence, for its Android version. */
  silenceAdvice?: () => string;
}

async function runLive(io: Io, flags: LiveFlags, cmd: Command): Promise<number> {
  if (flags.device !== undefined && flags.wav !== undefined) throw new UsageError('give --wav FILE or --device, not both');
  if (flags.realtime && flags.wav === undefined) throw new UsageError('--realtime goes with --wav FILE: the phone always streams at the speed of sound');
  const chunkFrames = Math.round((flags.chunk * SAMPLE_RATE) / FRAME_SIZE);
  if (chunkFrames < 1) throw new UsageError(`--chunk ${flags.chunk} is less than one frame (10 ms): give --chunk 0.01 or more (the course's take is 5)`);
  const spec = networkSpecFrom(flags, cmd);
  const learning = trainOptionsFrom(flags);
  const lr = flags.lr ?? defaultLr(learning.optimizer.kind);
  if (flags.report !== undefined) await (await import('../report/data.js')).checkReportPath(flags.report);
  const inputs = [flags.wav, flags.init].filter((p): p is string => p !== undefined);
  if (flags.save !== undefined) checkOutputPath(flags.save, '--save', flags.wav !== undefined ? [flags.wav] : []);
  if (flags.keep !== undefined) checkOutputPath(flags.keep, '--keep', inputs);
  if (flags.report !== undefined) checkOutputPath(flags.report, '--report', inputs);
  checkDistinctOutputs([['--save', flags.save], ['--keep', flags.keep], ['--report', flags.report]]);

  let init: Network | null = null;
  let scale = flags.scale;
  if (flags.init !== undefined) {
    ({ net: init, scale } = await loadInitModel(flags.init, flags, spec, cmd, io));
  }
  // The same refusal as train's (a scale so small the frames overflow), before any sound is read.
  checkScale(scale);
  const seed = flags.seed ?? randomSeed();
  const setup: TrainerSetup = { sizes: init?.sizes ?? spec.sizes, bias: init ? hasBias(init) : spec.bias, init, seed, scale, lr, passes: flags.passes, shuffle: flags.shuffle === true, learning };
  const sizes = setup.sizes;

  // Ctrl-C: stop reading (the phone's stream ends quietly), let the chunk in training reach its
  // next slice, then save and summarise. A second Ctrl-C quits at once.
  let interrupted = false;
  const ctrlC = new AbortController();
  const onSigint = (): void => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    ctrlC.abort();
  };
  process.on('SIGINT', onSigint);
  let source: Source;
  try {
    source = await openSource(io, flags, ctrlC.signal);
  } catch (e) {
    process.off('SIGINT', onSigint);
    throw e;
  }
  const trainer = startWorkerTrainer(setup);
  // A reader that stops early (`--json | head`): the session ends as after Ctrl-C, quietly.
  let stdoutClosed = false;
  const onStdoutError = (): void => {
    stdoutClosed = true;
    interrupted = true;
    ctrlC.abort();
  };
  process.stdout.on('error', onStdoutError);
  const chunkSeconds = (chunkFrames * FRAME_SIZE) / SAMPLE_RATE;
  const view = new LiveView({
    interactive: io.interactive,
    color: io.interactive && !process.env.NO_COLOR,
    columns: process.stderr.columns ?? 80,
    chunkSeconds,
    passes: flags.passes,
    // A file read as fast as possible queues its chunks on purpose: the time each took says more than the lag.
    showLag: flags.wav === undefined || flags.realtime === true,
    write: (t) => { process.stderr.write(t); },
  });
  if (!io.interactive) info(io, `live: ${sizes.join('→')} learning from ${source.stream.label}, chunks of ${fmt(chunkSeconds)} s, ${passCount(flags.passes)} each, lr ${lr}${flags.wav !== undefined && !flags.realtime ? ' (as fast as possible; --realtime paces it)' : ''}`);
  const json = (o: Record<string, unknown>): void => { if (flags.json && !stdoutClosed) io.out.write(JSON.stringify(o) + '\n'); };
  // A phone that sends only zeros is not failing as far as Android is concerned (docs/recorder.md,
  // "Silence is not an error"): a whole chunk of digital silence gets its causes named until sound comes back.
  const watchSilence = (level: number): void => {
    if (source.silenceAdvice === undefined) return;
    view.notice(level === -Infinity ? `the phone sends only silence: ${source.silenceAdvice()}` : null);
  };
  const started = performance.now();
  let session: SessionResult;
  try {
    const run = (onSamples?: (block: Int16Array) => Promise<void>): Promise<SessionResult> => runSession(source.stream, trainer, {
      chunkSamples: chunkFrames * FRAME_SIZE,
      backpressure: flags.wav !== undefined && !flags.realtime,
      maxSamples: flags.minutes !== undefined ? Math.round(flags.minutes * 60 * SAMPLE_RATE) : undefined,
      scale,
      shouldStop: () => interrupted,
      onSamples,
      recentSamples: flags.report !== undefined ? REPORT_SECONDS * SAMPLE_RATE : 0,
      onLevel: (db, n) => view.onLevel(db, n),
      onChunk: (e) => { view.onChunk(e); json(chunkJson(e)); watchSilence(e.level); },
      onSkip: (s) => { view.onSkip(s); json(skipJson(s)); watchSilence(s.level); },
    });
    session = flags.keep === undefined ? await run() : await keepSession(flags.keep, run);
  } catch (e) {
    view.clear();
    await trainer.close();
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  view.clear();
  let net: Network;
  try {
    net = await trainer.network();
  } finally {
    await trainer.close();
  }
  const audio = source.finish?.();
  if (audio?.conversion && !flags.json) info(io, `converted ${audio.source.path}: ${audio.conversion}`);
  for (const w of audio?.warnings ?? []) warn(io, w);
  const dropped = source.dropped?.() ?? 0;
  if (dropped > 0) warn(io, `the phone dropped ${(dropped / SAMPLE_RATE).toFixed(2)} s of sound this computer did not read in time (a very busy machine): those chunks are shorter`);
  const pca = session.moments.count > 0 ? session.moments.bound(pcaShapeOf(net)) : null;
  const fallback = session.chunks.find((c) => c.fallback !== null)?.fallback;
  if (fallback) warn(io, `${fallback}: training with the TypeScript kernels instead (slower)`);

  // Outputs: the model first (the one a Ctrl-C is most about), then the report.
  if (flags.save !== undefined) {
    await saveModel(flags.save, net, scale);
    if (!flags.json) info(io, `model saved to ${flags.save}`);
  }
  const summary: Summary = { flags, learning, sizes, net, scale, seed, lr, chunkSeconds, session, pca, label: source.stream.label, audio, seconds: (performance.now() - started) / 1000 };
  if (flags.report !== undefined) await writeLiveReport(io, flags.report, summary);
  if (flags.keep !== undefined && !flags.json) info(io, `all the sound heard kept in ${flags.keep}`);
  if (flags.json) json(summaryJson(summary));
  else if (!stdoutClosed) io.out.write(renderSummary(io, summary) + '\n');

  if (session.sourceError !== undefined) throw session.sourceError;
  if (session.stopped === 'diverged') {
    const last = session.chunks[session.chunks.length - 1];
    throw new UserError(`training diverged on chunk ${(last?.index ?? 0) + 1} with --lr ${lr}: try --lr ${fmt(lr / 10)}`, EXIT.diverged);
  }
  return session.stopped === 'interrupted' && !stdoutClosed ? EXIT.interrupted : EXIT.ok;
}

/**
 * --keep: every sample heard goes to a temp file beside the target as it arrives, and the header
 * gets the real length at the end, after Ctrl-C too (the session ends normally then): the file is
 * a valid WAV of everything heard, renamed into place only when complete.
 */
async function keepSession(path: string, run: (onSamples: (block: Int16Array) => Promise<void>) => Promise<SessionResult>): Promise<SessionResult> {
  return writeOutputStream(path, async (write) => {
    await write(wavHeader16(0, SAMPLE_RATE));
    const result = await run((block) => write(int16Bytes(block)));
    await write(wavHeader16(result.heard, SAMPLE_RATE), 0);
    return result;
  });
}

interface Summary {
  flags: LiveFlags;
  learning: NetworkTrainOptions;
  sizes: number[];
  net: Network;
  scale: number;
  seed: number;
  lr: number;
  chunkSeconds: number;
  session: SessionResult;
  pca: PcaBound | null;
  label: string;
  audio: Omit<LoadedAudio, 'samples'> | undefined;
  seconds: number;
}

function chunkJson(e: ChunkEvent): Record<string, unknown> {
  return {
    type: 'chunk',
    chunk: e.index + 1,
    trained: true,
    start: e.start,
    seconds: e.seconds,
    frames: e.frames,
    levelDbfs: jsonNumber(e.level),
    before: jsonNumber(e.before),
    after: jsonNumber(e.after),
    losses: e.losses.map(jsonNumber),
    stopped: e.stopped,
    lag: e.lag,
    trainSeconds: e.trainSeconds,
    workSeconds: e.workSeconds,
  };
}

function skipJson(s: SkipEvent): Record<string, unknown> {
  return { type: 'chunk', chunk: s.index + 1, trained: false, start: s.start, seconds: s.seconds, levelDbfs: jsonNumber(s.level), skipped: s.skipped, reason: 'training slower than real time' };
}

function stats(xs: readonly number[]): { mean: number; max: number } | null {
  if (xs.length === 0) return null;
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, max: Math.max(...xs) };
}

function summaryJson(s: Summary): Record<string, unknown> {
  const { session } = s;
  const first = session.chunks[0];
  const last = session.chunks[session.chunks.length - 1];
  return {
    type: 'summary',
    source: s.audio ? { ...s.audio.source, conversion: s.audio.conversion, warnings: s.audio.warnings } : { label: s.label },
    config: {
      frameSize: FRAME_SIZE,
      sampleRate: SAMPLE_RATE,
      layers: s.sizes,
      hidden: codeSize(s.net),
      bias: hasBias(s.net),
      batch: s.learning.batch,
      optimizer: s.learning.optimizer,
      scale: s.scale,
      lr: s.lr,
      chunkSeconds: s.chunkSeconds,
      passes: s.flags.passes,
      shuffle: s.flags.shuffle === true,
      realtime: s.flags.realtime === true,
      init: s.flags.init ?? null,
    },
    seed: s.seed,
    network: describeNetwork(s.net),
    parameters: networkParameterCount(s.net),
    heardSeconds: session.heard / SAMPLE_RATE,
    learntSeconds: session.chunks.reduce((n, c) => n + c.seconds, 0),
    chunks: session.chunks.length,
    skipped: session.skipped.length,
    untrainedSamples: session.untrainedTail,
    firstBefore: first ? jsonNumber(first.before) : null,
    lastBefore: last ? jsonNumber(last.before) : null,
    lastAfter: last ? jsonNumber(last.after) : null,
    pca: s.pca ? pcaJson(s.pca) : null,
    lag: stats(session.chunks.map((c) => c.lag)),
    stopped: session.stopped,
    seconds: s.seconds,
    kernel: last?.kernel ?? null,
  };
}

function renderSummary(io: Io, s: Summary): string {
  const { session } = s;
  const lines: string[] = [];
  const chart = session.chunks.length > 0;
  if (chart) lines.push(chunkChart(session.chunks, { columns: io.out.columns ?? 80, color: io.color, passes: s.flags.passes, height: 10 }), '');
  const src = s.audio?.source;
  const heard = session.heard / SAMPLE_RATE;
  const learnt = session.chunks.reduce((n, c) => n + c.seconds, 0);
  lines.push(`source:      ${src ? `${src.path} (${src.sampleRate} Hz, ${src.channels === 1 ? 'mono' : src.channels + ' channels'}, ${src.encoding})` : s.label}`);
  lines.push(`heard:       ${heard.toFixed(2)} s in chunks of ${fmt(s.chunkSeconds)} s (${stopText(session.stopped)})`);
  const skipped = session.skipped.length > 0 ? `; ${skippedText(session.skipped.length)}` : '';
  lines.push(`learnt:      ${count(session.chunks.length, 'chunk')}, ${learnt.toFixed(2)} s of sound${skipped}`);
  if (session.untrainedTail > 0) lines.push(`not learnt:  the last ${(session.untrainedTail / SAMPLE_RATE).toFixed(2)} s (${session.stopped === 'interrupted' ? 'captured when Ctrl-C came' : session.stopped === 'source-failed' ? 'captured when the sound stopped' : 'less than one frame'})`);
  lines.push(`network:     ${describeNetwork(s.net)}`);
  lines.push(`parameters:  ${networkParameterCount(s.net)} = ${parameterSummary(s.net)}`);
  lines.push(`training:    ${passCount(s.flags.passes)} per chunk, lr ${s.lr}, ${learningSummary(s.learning)}${s.flags.shuffle ? ', shuffled' : ', in frame order'}${s.flags.init ? `, from ${s.flags.init}` : ''}`);
  const first = session.chunks[0];
  const last = session.chunks[session.chunks.length - 1];
  if (first && last) {
    lines.push(`first chunk: before ${fmt(first.before)}, ${passesText(s.flags.passes)} ${fmt(first.after)}`);
    lines.push(`last chunk:  before ${fmt(last.before)}, ${passesText(s.flags.passes)} ${fmt(last.after)}   ("before": sound never heard)`);
  }
  if (s.pca) lines.push(`${pcaName(s.pca)}: ${fmt(s.pca.loss)}   (the best ${s.pca.k}-number linear code for all ${heard.toFixed(1)} s heard)`);
  const lag = stats(session.chunks.map((c) => c.lag));
  if (lag && (s.flags.realtime || s.flags.wav === undefined)) lines.push(`lag:         ${lag.mean.toFixed(2)} s mean, ${lag.max.toFixed(2)} s at most (end of a chunk → its "after" loss)`);
  lines.push(`seed:        ${s.seed}`);
  lines.push(`time:        ${s.seconds.toFixed(2)} s for ${heard.toFixed(2)} s of sound${s.flags.realtime ? ' (paced at the speed of sound: --realtime)' : ''}`);
  return [...lines.slice(0, chart ? 2 : 0), fitColumns(lines.slice(chart ? 2 : 0).join('\n'))].join('\n');
}

function passCount(n: number): string {
  return n === 1 ? '1 pass' : `${n} passes`;
}

function stopText(stopped: SessionResult['stopped']): string {
  switch (stopped) {
    case 'end': return 'the whole file';
    case 'minutes': return 'stopped at --minutes';
    case 'interrupted': return 'stopped by Ctrl-C';
    case 'diverged': return 'stopped: training diverged';
    case 'source-failed': return 'the sound stopped: see below';
  }
}

/** The session's page: loss per chunk before and after, the end of the session through the final weights. */
async function writeLiveReport(io: Io, path: string, s: Summary): Promise<void> {
  const [{ writeHtmlReport }, { buildReportData }] = await Promise.all([import('../report/html.js'), import('../report/data.js')]);
  const { session } = s;
  if (session.recent.length < FRAME_SIZE || session.moments.count === 0) {
    warn(io, `no report written: less than one frame of sound was heard`);
    return;
  }
  const json = summaryJson(s);
  const recentSeconds = session.recent.length / SAMPLE_RATE;
  await writeHtmlReport(path, buildReportData({
    title: `dlaudio live: ${s.sizes.join(' → ')}`,
    source: `${s.label}${recentSeconds < session.heard / SAMPLE_RATE ? ` (the last ${recentSeconds.toFixed(1)} s of ${(session.heard / SAMPLE_RATE).toFixed(1)} s heard)` : ''}`,
    config: json.config as Record<string, ConfigValue>,
    seed: s.seed,
    stopped: session.stopped === 'diverged' ? 'diverged' : session.stopped === 'interrupted' ? 'interrupted' : 'done',
    log: false,
    finalLoss: session.chunks.length > 0 ? jsonNumber(session.chunks[session.chunks.length - 1]!.after) : null,
    modelLoss: null,
    net: s.net,
    scale: s.scale,
    samples: session.recent,
    sampleRate: SAMPLE_RATE,
    // PCA of everything heard (its eigenvectors for the subspace figure).
    pca: session.moments.reference(pcaShapeOf(s.net)),
    chunkLosses: { before: session.chunks.map((c) => c.before), after: session.chunks.map((c) => c.after), passes: s.flags.passes },
  }));
  info(io, `report written to ${path}`);
}
