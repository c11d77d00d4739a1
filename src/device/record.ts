import { randomBytes } from 'node:crypto';
import { access, stat, constants } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { UserError, UsageError, EXIT } from '../errors.js';
import { progress, warn, type Io, type Progress } from '../util/output.js';
import { specialFileKind, writeFileAtomic } from '../util/atomic.js';
import { openPhone, type OpenPhone } from './open-phone.js';
import { canRecord, type DeviceInfo } from './device-info.js';
import { deviceError, type DeviceLabel } from './adb-errors.js';
import { checkLink, streamNotReached, streamSocketRefused } from './messages.js';
import { readRecorderDex } from './recorder-dex.js';
import { ensureRecorder } from './push-recorder.js';
import { startRecorder, type RecorderEvent, type RecorderSession } from './start-recorder.js';
import { pullFile } from './pull-file.js';
import { remoteCleanup } from './remote-cleanup.js';
import { checkRecording } from './check-wav.js';
import { sweepLeftovers } from './sweep-leftovers.js';
import { currentUser } from './current-user.js';
import { PhoneFailure, reportFailure } from './diagnostics.js';
import { abortable, stopOnCtrlC, withTimeout } from './wait.js';

export interface RecordOptions {
  serial?: string;
  seconds: number;
  rate: number;
  out: string;
  adbHost?: string;
  adbPort?: number;
  io: Io;
}

export interface RecordResult {
  path: string;
  samples: number;
  sampleRate: number;
  seconds: number;
  peakDbfs: number;
  model: string;
  serial: string;
  warnings: string[];
}

/** A JVM start on a slow phone takes a few seconds; past this the recorder is stuck. */
const READY_TIMEOUT_MS = 20_000;
const DONE_GRACE_MS = 20_000;

export function validateRecordOptions(o: { seconds: number; rate: number }): void {
  if (!(o.seconds > 0 && o.seconds <= 60)) throw new UsageError(`--seconds ${o.seconds}: expected a duration above 0 and at most 60 seconds`);
  if (!Number.isInteger(o.rate) || o.rate < 8000 || o.rate > 48000) throw new UsageError(`--rate ${o.rate}: expected a whole number of Hz from 8000 to 48000`);
}

export function unsupportedAndroid(label: DeviceLabel, info: DeviceInfo): UserError {
  return new UserError(`${label.model} (${label.serial}) runs Android ${info.release} (API ${Number.isNaN(info.sdk) ? '?' : info.sdk}): ` +
    'recording from the computer needs Android 11 or newer; record a WAV with an app on the phone and use `dlaudio train --wav FILE`');
}

/** The recorder's ERROR line or unexpected end, as the one line the user reads (recording and stream mode). */
export function recorderFailure(e: RecorderEvent, label: DeviceLabel & { model: string }, info: DeviceInfo): UserError {
  const phone = `${label.model} (${label.serial})`;
  if (e.kind === 'error') {
    const detail = e.message ? ` (${e.message})` : '';
    switch (e.code) {
      case 'UNSUPPORTED_ANDROID': return new PhoneFailure(unsupportedAndroid(label, info).message);
      case 'AUDIO_INIT': return new PhoneFailure(`the microphone of ${phone} could not be opened${detail}: close apps that may use it (call, voice assistant, recorder), unlock the phone, then run again`);
      case 'READ_ERROR': return new PhoneFailure(`${phone} stopped delivering sound while recording${detail}: run again; if it persists, restart the phone`);
      case 'WRITE_ERROR': return new PhoneFailure(`${phone} could not save the recording in /data/local/tmp${detail}: free some storage on the phone, then run again`);
      case 'BAD_ARGS': return new PhoneFailure(`the phone recorder refused its arguments${detail}: this is a dlaudio bug, please report it`);
      case 'INTERNAL': return new PhoneFailure(`the recorder on ${phone} crashed${detail}: run again; if it persists, restart the phone`);
      case 'SOCKET_ERROR': return new PhoneFailure(streamSocketRefused(phone, detail));
      case 'NO_CLIENT': return new PhoneFailure(streamNotReached(phone, detail));
      default: return new PhoneFailure(`the recorder on ${phone} failed: ${e.code}${detail}`);
    }
  }
  const output = e.kind === 'ended' && e.output ? ` (it said: ${e.output})` : '';
  return new PhoneFailure(`the recorder on ${phone} stopped before finishing${output}: ${checkLink(label.serial)}, keep the phone unlocked, then run again`);
}

/** Android 11 and newer, and on Android 11 the owner in the foreground: checked before anything is pushed. */
export async function checkCanRecord({ device, label, info }: OpenPhone, signal: AbortSignal): Promise<void> {
  if (!canRecord(info)) throw unsupportedAndroid(label, info);
  if (info.sdk === 30) {
    const user = await abortable(currentUser(device), signal);
    if (user !== undefined && user !== 0) {
      throw new UserError(`${info.model} (${label.serial}) shows another user (user ${user}) in the foreground: Android 11 lets the computer record only ` +
        'for the phone\'s owner; switch to the owner (pull down Quick Settings → the user icon), unlock, then run again');
    }
  }
}

/** Checked before recording: finding out afterwards would waste the take. */
async function checkWritable(out: string): Promise<void> {
  const dir = dirname(out);
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new UserError(`cannot write ${out}: the folder ${dir} does not exist`);
  if ((await stat(out).catch(() => undefined))?.isDirectory()) throw new UserError(`cannot write ${out}: it is a folder; give a file name with --out`);
  // A device or a pipe would be replaced by a regular file by the rename.
  const kind = specialFileKind(out);
  if (kind !== null && kind !== 'a folder') throw new UserError(`cannot write ${out}: it is ${kind}, not a regular file; give a file name with --out`);
  await access(dir, constants.W_OK).catch(() => { throw new UserError(`cannot write ${out}: the folder ${dir} is not writable`); });
}

/**
 * Records `seconds` of microphone audio on the phone and writes it to `out`
 * (atomically). On any failure or Ctrl-C the recorder is killed, the phone's
 * files are deleted and no local file is left; Ctrl-C ends as UserError 130.
 */
export async function recordToFile(opts: RecordOptions): Promise<RecordResult> {
  validateRecordOptions(opts);
  return stopOnCtrlC('interrupted: the recording was stopped on the phone and nothing was saved', (signal) => recordSession(opts, signal));
}

async function recordSession(opts: RecordOptions, signal: AbortSignal): Promise<RecordResult> {
  const { io, seconds, rate } = opts;
  const out = resolvePath(opts.out);
  await checkWritable(out);
  const dex = await readRecorderDex();
  const { device, label, info } = await openPhone(opts, signal);
  await checkCanRecord({ device, label, info }, signal);

  const remoteWav = `/data/local/tmp/dlaudio-${randomBytes(6).toString('hex')}.wav`;
  let session: RecorderSession | undefined;
  let recorderMayRun = false;
  let spinner: Progress | undefined;
  let countdown: NodeJS.Timeout | undefined;
  let doing = 'copying the recorder to the phone';
  try {
    for (const old of await abortable(sweepLeftovers(device), signal)) if (io.verbose) io.err.write(`removed ${old} (left on the phone by an earlier session)\n`);
    if (await abortable(ensureRecorder(device, dex), signal)) io.err.write(`Installed the recorder on ${info.model}\n`);
    doing = 'starting the recorder';
    // Not abortable: once the shell is open the recorder may run, and only the session can stop it.
    session = await startRecorder(device, seconds, rate, remoteWav);
    recorderMayRun = true;
    signal.throwIfAborted();
    const current = session;
    const first = await abortable(withTimeout(current.ready, READY_TIMEOUT_MS,
      () => new PhoneFailure(`the recorder on ${info.model} did not start within ${READY_TIMEOUT_MS / 1000} s: unlock the phone, then run again`)), signal);
    if (first.kind !== 'ready') { recorderMayRun = first.kind === 'ended'; throw recorderFailure(first, label, info); }

    doing = 'recording';
    const title = `Recording ${seconds} s on ${info.model} — speak now`;
    spinner = await progress(io, title);
    const startedAt = Date.now();
    if (io.interactive) {
      countdown = setInterval(() => {
        const left = Math.max(0, Math.ceil(seconds - (Date.now() - startedAt) / 1000));
        spinner?.update(`${title} (${left} s left)`);
      }, 250);
    }
    const end = await abortable(withTimeout(current.finished, seconds * 1000 + DONE_GRACE_MS,
      () => new PhoneFailure(`the recorder on ${info.model} did not finish: unlock the phone, then run again`)), signal);
    clearInterval(countdown);
    if (end.kind !== 'done') { recorderMayRun = end.kind === 'ended'; throw recorderFailure(end, label, info); }
    recorderMayRun = false;
    spinner.succeed(`Recorded ${seconds} s on ${info.model}`);
    spinner = undefined;

    doing = 'copying the recording from the phone';
    const wav = await abortable(pullFile(device, remoteWav, signal), signal);
    const check = checkRecording(wav, { rate, seconds, samples: end.samples }, info);
    signal.throwIfAborted();
    try {
      await writeFileAtomic(out, wav);
    } catch (e) {
      throw new UserError(`cannot write ${out}: ${(e as Error).message}`, EXIT.failure, { cause: e });
    }
    if (!await remoteCleanup(device, undefined, remoteWav)) warn(io, `could not delete ${remoteWav} on the phone (run \`adb shell rm -f ${remoteWav}\`)`);
    return {
      path: out, samples: check.samples, sampleRate: check.sampleRate, seconds: check.seconds, peakDbfs: check.peakDbfs,
      model: info.model, serial: label.serial, warnings: check.warnings,
    };
  } catch (e) {
    clearInterval(countdown);
    spinner?.stop();
    let failure = e;
    if (e instanceof PhoneFailure) {
      // Before the cleanup, which removes the recorder's log.
      failure = await reportFailure(e, { device, label, what: doing, session, remoteFile: remoteWav }, io.verbose, io.err);
    }
    if (session) {
      // The PID line comes first; only a Ctrl-C in the very first milliseconds has to wait for it,
      // and if it never came the recorder is found by its command line.
      const pid = recorderMayRun ? (await session.pid(1000)) ?? 'command-line' : undefined;
      session.close();
      if (!await remoteCleanup(device, pid, remoteWav)) warn(io, `could not reach ${info.model} to remove ${remoteWav} (run \`adb shell rm -f ${remoteWav}\` later)`);
    }
    throw deviceError(failure, label, doing);
  }
}
