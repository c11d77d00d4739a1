import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { progress, warn, type Io, type Progress } from '../util/output.js';
import { encodeWav16 } from '../audio/wav.js';
import { openPhone } from './open-phone.js';
import { canPlay, type DeviceInfo } from './device-info.js';
import { deviceError, type DeviceLabel } from './adb-errors.js';
import { checkLink } from './messages.js';
import { readRecorderDex } from './recorder-dex.js';
import { ensureRecorder } from './push-recorder.js';
import { pushBuffer } from './push-file.js';
import { startPlayer } from './start-player.js';
import type { RecorderEvent, RecorderSession } from './start-recorder.js';
import { remoteCleanup } from './remote-cleanup.js';
import { abortable, stopOnCtrlC, withTimeout } from './wait.js';
import { sweepLeftovers } from './sweep-leftovers.js';
import { PhoneFailure, reportFailure } from './diagnostics.js';

export interface PlayOptions {
  serial?: string;
  /** 16-bit mono samples. */
  samples: Int16Array;
  sampleRate: number;
  adbHost?: string;
  adbPort?: number;
  io: Io;
}

export interface PlayResult {
  serial: string;
  model: string;
  samples: number;
  sampleRate: number;
  seconds: number;
}

/** The player refuses larger files (docs/recorder.md). */
const MAX_WAV_BYTES = 64 * 1024 * 1024;
/** A JVM start on a slow phone takes a few seconds; past this the player is stuck. */
const READY_TIMEOUT_MS = 20_000;
/** After the last sample: the player's own wait for the speaker, and a slow phone. */
const DONE_GRACE_MS = 20_000;

function unsupportedAndroid(label: DeviceLabel, info: DeviceInfo): UserError {
  return new UserError(`${label.model ?? label.serial} (${label.serial}) runs Android ${info.release} (API ${Number.isNaN(info.sdk) ? '?' : info.sdk}): ` +
    'playing from the computer needs Android 6 or newer; copy the WAV to the phone and open it there');
}

function playerFailure(e: RecorderEvent, label: DeviceLabel & { model: string }, info: DeviceInfo): UserError {
  const phone = `${label.model} (${label.serial})`;
  if (e.kind === 'error') {
    const detail = e.message ? ` (${e.message})` : '';
    switch (e.code) {
      case 'UNSUPPORTED_ANDROID': return new PhoneFailure(unsupportedAndroid(label, info).message);
      case 'AUDIO_INIT': return new PhoneFailure(`${phone} could not open its audio output${detail}: end any call, close apps that hold the audio, then run again`);
      case 'PLAY_ERROR': return new PhoneFailure(`${phone} stopped playing${detail}: run again; if it persists, restart the phone`);
      case 'BAD_FILE':
      case 'BAD_ARGS': return new PhoneFailure(`the player on ${phone} refused what dlaudio sent${detail}: this is a dlaudio bug, please report it`);
      case 'INTERNAL': return new PhoneFailure(`the player on ${phone} crashed${detail}: run again; if it persists, restart the phone`);
      default: return new PhoneFailure(`the player on ${phone} failed: ${e.code}${detail}`);
    }
  }
  const output = e.kind === 'ended' && e.output ? ` (it said: ${e.output})` : '';
  return new PhoneFailure(`the player on ${phone} stopped before finishing${output}: ${checkLink(label.serial)}, then run again`);
}

export function validatePlayOptions(o: { samples: Int16Array; sampleRate: number }): Buffer {
  if (!Number.isInteger(o.sampleRate) || o.sampleRate < 4000 || o.sampleRate > 192000) {
    throw new UserError(`cannot play ${o.sampleRate} Hz audio on a phone (4000 to 192000 Hz)`);
  }
  if (o.samples.length === 0) throw new UserError('nothing to play: the sound has no samples');
  const wav = Buffer.from(encodeWav16(o.samples, o.sampleRate));
  if (wav.length > MAX_WAV_BYTES) {
    const minutes = o.samples.length / o.sampleRate / 60;
    throw new UserError(`too long to play on the phone (${minutes.toFixed(1)} min, at most 64 MiB of audio): cut it first, e.g. \`sox in.wav out.wav trim 0 60\``);
  }
  return wav;
}

/**
 * Plays 16-bit mono samples on the phone's speaker and returns once the last one was
 * played. The WAV pushed to the phone is always deleted, also on failure and Ctrl-C
 * (which kills the player and ends as UserError 130).
 */
export async function playOnDevice(opts: PlayOptions): Promise<PlayResult> {
  const wav = validatePlayOptions(opts);
  return stopOnCtrlC('interrupted: playback was stopped on the phone', (signal) => playSession(opts, wav, signal));
}

async function playSession(opts: PlayOptions, wav: Buffer, signal: AbortSignal): Promise<PlayResult> {
  const { io, samples, sampleRate } = opts;
  const seconds = samples.length / sampleRate;
  const dex = await readRecorderDex();
  const { device, label, info } = await openPhone(opts, signal);
  if (!canPlay(info)) throw unsupportedAndroid(label, info);

  const remoteWav = `/data/local/tmp/dlaudio-play-${randomBytes(6).toString('hex')}.wav`;
  let fileMayExist = false;
  let session: RecorderSession | undefined;
  let playerMayRun = false;
  let spinner: Progress | undefined;
  let doing = 'copying the recorder to the phone';
  try {
    for (const old of await abortable(sweepLeftovers(device), signal)) if (io.verbose) io.err.write(`removed ${old} (left on the phone by an earlier session)\n`);
    if (await abortable(ensureRecorder(device, dex), signal)) io.err.write(`Installed the recorder on ${info.model}\n`);
    doing = 'copying the sound to the phone';
    fileMayExist = true;
    // Not wrapped in abortable: pushBuffer stops the transfer itself before it rejects.
    await pushBuffer(device, wav, remoteWav, signal);
    doing = 'starting the player';
    // Not abortable: once the shell is open the player may run, and only the session can stop it.
    session = await startPlayer(device, remoteWav);
    playerMayRun = true;
    signal.throwIfAborted();
    const current = session;
    const first = await abortable(withTimeout(current.ready, READY_TIMEOUT_MS,
      () => new PhoneFailure(`the player on ${info.model} did not start within ${READY_TIMEOUT_MS / 1000} s: run again; if it persists, restart the phone`)), signal);
    if (first.kind !== 'ready') { playerMayRun = first.kind === 'ended'; throw playerFailure(first, label, info); }

    doing = 'playing';
    spinner = await progress(io, `Playing ${seconds.toFixed(1)} s on ${info.model}`);
    const end = await abortable(withTimeout(current.finished, seconds * 1000 + DONE_GRACE_MS,
      () => new PhoneFailure(`the player on ${info.model} did not finish: run again; if it persists, restart the phone`)), signal);
    if (end.kind !== 'done') { playerMayRun = end.kind === 'ended'; throw playerFailure(end, label, info); }
    playerMayRun = false;
    if (end.samples !== samples.length) {
      throw new UserError(`the player on ${info.model} played ${end.samples} of ${samples.length} samples: this is a dlaudio bug, please report it`);
    }
    spinner.succeed(`Played ${seconds.toFixed(1)} s on ${info.model}`);
    spinner = undefined;
    session.close();
    if (!await remoteCleanup(device, undefined, remoteWav)) warn(io, `could not delete ${remoteWav} on the phone (run \`adb shell rm -f ${remoteWav}\`)`);
    return { serial: label.serial, model: info.model, samples: samples.length, sampleRate, seconds };
  } catch (e) {
    spinner?.stop();
    let failure = e;
    if (e instanceof PhoneFailure) {
      // Before the cleanup, which removes the player's log.
      failure = await reportFailure(e, { device, label, what: doing, session, remoteFile: remoteWav }, io.verbose, io.err);
    }
    // The PID line comes first; only a Ctrl-C in the very first milliseconds has to wait for it,
    // and if it never came the player is found by its command line.
    const pid = session && playerMayRun ? (await session.pid(1000)) ?? 'command-line' : undefined;
    session?.close();
    if (fileMayExist && !await remoteCleanup(device, pid, remoteWav)) {
      warn(io, `could not reach ${info.model} to remove ${remoteWav} (run \`adb shell rm -f ${remoteWav}\` later)`);
    }
    throw deviceError(failure, label, doing);
  }
}
