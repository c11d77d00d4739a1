/**
 * The phone's microphone as a PcmStream (`dlaudio live --device`): the recorder's stream mode
 * (docs/recorder.md, "Stream mode"). Its protocol lines come on the shell stream, as when
 * recording; the samples come on a separate adb stream to the recorder's abstract socket
 * (`localabstract:`, what `adb forward` connects to, opened directly so no forward is left
 * behind when dlaudio dies).
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { PcmStream } from '../audio/pcm-stream.js';
import { UserError } from '../errors.js';
import { warn, type Io } from '../util/output.js';
import { openPhone } from './open-phone.js';
import type { AdbAddressOptions } from './server-address.js';
import { deviceError } from './adb-errors.js';
import { streamForwardRefused } from './messages.js';
import { readRecorderDex } from './recorder-dex.js';
import { ensureRecorder } from './push-recorder.js';
import { appProcessCommand, remoteLogPath, startSession, type RecorderEvent, type RecorderSession } from './start-recorder.js';
import { remoteCleanup } from './remote-cleanup.js';
import { sweepLeftovers } from './sweep-leftovers.js';
import { PhoneFailure, reportFailure } from './diagnostics.js';
import { checkCanRecord, recorderFailure } from './record.js';
import { silenceAdvice } from './check-wav.js';
import { shQuote } from './quote.js';
import { abortable, ctrlCSignal, withTimeout } from './wait.js';

/** The course's rate: the recorder streams 16 kHz mono 16-bit. */
export const STREAM_RATE = 16_000;
/** A JVM start on a slow phone takes a few seconds; past this the recorder is stuck. */
const START_TIMEOUT_MS = 20_000;
/** The ERROR line explaining why the samples stopped comes on the other channel, a moment later. */
const WHY_GRACE_MS = 2_000;

export interface PhoneStreamOptions extends AdbAddressOptions {
  serial?: string;
  io: Io;
  /**
   * The caller's Ctrl-C: aborting it closes the stream and ends blocks() without error. Without
   * one, the stream handles SIGINT itself while open: it closes, and blocks() throws a UserError
   * with exit code 130 (a second Ctrl-C quits at once).
   */
  signal?: AbortSignal;
}

export interface PhoneStream extends PcmStream {
  readonly serial: string;
  readonly model: string;
  /** Why this phone may send silence instead of an error (its Android version's causes), and what to do. */
  silenceAdvice(): string;
  /**
   * Samples the phone dropped because this computer did not read them in time (the recorder's
   * OVERRUN lines): the phone keeps at most 1 s waiting, then drops whole 20 ms blocks.
   */
  droppedSamples(): number;
  /** Bytes received and not yet handed out by blocks(): bounded, since reading pauses when blocks() is not consumed. */
  bufferedBytes(): number;
}

/** The stream mode's command line (docs/recorder.md), wrapped for its pid and log like the recording one. */
export function streamCommand(socketName: string, remoteFile: string): string {
  return appProcessCommand(`stream --rate ${STREAM_RATE} --socket ${socketName} --log ${shQuote(remoteLogPath(remoteFile))}`, remoteFile);
}

type CtrlC = ReturnType<typeof ctrlCSignal>;

/**
 * Chooses the phone as `record` does (--device, $ANDROID_SERIAL, the only one), pushes the
 * recorder, and starts streaming its microphone. Every failure is a UserError saying what to do
 * (with the diagnostics report when the phone failed); close() stops the recorder and removes
 * what was put on the phone, also on Ctrl-C.
 */
export async function openPhoneStream(opts: PhoneStreamOptions): Promise<PhoneStream> {
  const own = opts.signal === undefined ? ctrlCSignal('interrupted: the stream was stopped on the phone') : undefined;
  try {
    return await openStream(opts, opts.signal ?? (own as CtrlC).signal, own);
  } catch (e) {
    own?.dispose();
    throw e;
  }
}

async function openStream(opts: PhoneStreamOptions, signal: AbortSignal, own: CtrlC | undefined): Promise<PhoneStream> {
  const { io } = opts;
  const dex = await readRecorderDex();
  const phone = await openPhone(opts, signal);
  const { device, label, info } = phone;
  await checkCanRecord(phone, signal);
  const named = `${info.model} (${label.serial})`;

  const socketName = `dlaudio-${randomBytes(6).toString('hex')}`;
  const remoteFile = `/data/local/tmp/${socketName}.stream`;
  let session: RecorderSession | undefined;
  let conn: Duplex | undefined;
  let dropped = 0;
  let doing = 'copying the recorder to the phone';
  let listening!: () => void;
  const listened = new Promise<RecorderEvent>((resolve) => { listening = () => resolve({ kind: 'ready' }); });

  /** Stops the recorder (closing its socket alone would do, killing it makes sure) and removes its files. */
  const cleanup = async (): Promise<void> => {
    conn?.destroy();
    if (!session) return;
    const pid = (await session.pid(1000)) ?? 'command-line';
    session.close();
    // Unreachable (cable pulled): the recorder stops by itself on the closed socket and removes its log.
    if (!await remoteCleanup(device, pid, remoteFile) && io.verbose) warn(io, `could not reach ${info.model} to remove ${remoteLogPath(remoteFile)} (the next session sweeps it)`);
  };
  /** A failure as the user reads it: the report for what failed on the phone, then the cleanup. */
  const failure = async (e: unknown): Promise<UserError> => {
    let shown = e;
    if (e instanceof PhoneFailure) shown = await reportFailure(e, { device, label, what: doing, session, remoteFile }, io.verbose, io.err);
    await cleanup();
    return deviceError(shown, label, doing);
  };

  try {
    for (const old of await abortable(sweepLeftovers(device), signal)) if (io.verbose) io.err.write(`removed ${old} (left on the phone by an earlier session)\n`);
    if (await abortable(ensureRecorder(device, dex), signal)) io.err.write(`Installed the recorder on ${info.model}\n`);
    doing = 'starting the stream';
    // Not abortable: once the shell is open the recorder may run, and only cleanup() stops it.
    session = await startSession(device, streamCommand(socketName, remoteFile), (line) => {
      if (line === 'LISTENING') { listening(); return true; }
      const m = /^OVERRUN (\d+)$/.exec(line);
      if (m) { dropped = Math.max(dropped, Number(m[1])); return true; }
      return false;
    });
    signal.throwIfAborted();
    const started = session;
    const timeout = () => new PhoneFailure(`the recorder on ${info.model} did not start within ${START_TIMEOUT_MS / 1000} s: unlock the phone, then run again`);
    const first = await abortable(withTimeout(Promise.race([listened, started.finished]), START_TIMEOUT_MS, timeout), signal);
    if (first.kind !== 'ready') throw recorderFailure(first, label, info);

    doing = 'connecting to the stream';
    conn = (await abortable(device.openLocal(`localabstract:${socketName}`).then((c: Duplex) => {
      if (signal.aborted) c.destroy();
      return c;
    }), signal).catch((e: unknown) => {
      // adb's FAIL reply is the device refusing `localabstract:` (adbd answers "closed"); anything
      // else (the phone gone, offline, the server down) is deviceError's to word.
      const said = e instanceof Error && e.name === 'FailError' ? e.message.replace(/^Failure: /, '') : undefined;
      if (said === undefined || /device .*(not found|offline|unauthorized)/i.test(said)) throw e;
      throw new UserError(streamForwardRefused(named, said), 1, { cause: e });
    })) as Duplex;
    const ready = await abortable(withTimeout(started.ready, START_TIMEOUT_MS, timeout), signal);
    if (ready.kind !== 'ready') throw recorderFailure(ready, label, info);
  } catch (e) {
    throw await failure(e);
  }

  const socket = conn as Duplex;
  const current = session;
  doing = 'streaming';
  let closing: Promise<void> | undefined;
  let interrupted: unknown;
  let carry: Buffer | undefined;
  let iterated = false;

  const close = (): Promise<void> => {
    if (closing) return closing.catch(() => undefined);
    closing = (async () => {
      signal.removeEventListener('abort', onAbort);
      own?.dispose();
      await cleanup();
    })();
    return closing;
  };
  const onAbort = (): void => {
    if (own) interrupted = signal.reason;
    void close();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  async function* blocks(): AsyncGenerator<Int16Array> {
    if (iterated) throw new Error('blocks() of a phone stream can be iterated only once');
    iterated = true;
    let cut: unknown;
    try {
      // Pull-based: nothing is read from adb while the consumer does not ask (backpressure).
      for await (const chunk of socket as AsyncIterable<Buffer>) {
        let bytes = carry ? Buffer.concat([carry, chunk]) : chunk;
        carry = undefined;
        if (bytes.length % 2 === 1) { carry = bytes.subarray(bytes.length - 1); bytes = bytes.subarray(0, bytes.length - 1); }
        if (bytes.length === 0) continue;
        // A copy: aligned for Int16Array, and the consumer may keep it.
        const block = new Int16Array(bytes.length / 2);
        Buffer.from(block.buffer).set(bytes);
        yield block;
      }
    } catch (e) {
      cut = e;
    }
    if (closing) {
      if (interrupted !== undefined) throw interrupted;
      return;
    }
    // The phone ended the stream: its ERROR line (or the lack of one) says why.
    const why = await withTimeout(current.finished, WHY_GRACE_MS, () => new Error('no reason')).catch((): RecorderEvent => ({ kind: 'ended', output: '' }));
    const e = why.kind === 'done' || (why.kind === 'ended' && cut !== undefined && why.output === '')
      ? deviceError(cut ?? new Error('Premature end of stream'), label, doing)
      : recorderFailure(why, label, info);
    if (closing) return;
    // failure() cleans up (after the report, which needs the log): close() then has nothing left to do.
    closing = failure(e).then((shown) => {
      signal.removeEventListener('abort', onAbort);
      own?.dispose();
      throw shown;
    });
    await closing;
  }

  return {
    sampleRate: STREAM_RATE,
    label: named,
    serial: label.serial,
    model: info.model,
    silenceAdvice: () => silenceAdvice(info.sdk),
    blocks,
    close,
    droppedSamples: () => dropped,
    bufferedBytes: () => socket.readableLength + (carry?.length ?? 0),
  };
}
