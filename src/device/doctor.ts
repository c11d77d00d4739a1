/**
 * `dlaudio doctor`: the checklist a teacher runs on each phone model before class. Every
 * step says what it found and, when it fails, the next step; a step that depends on a
 * failed one is skipped. Recording and playing go through the same code as `record` and
 * `play`, so a pass here means those commands work on this phone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, DeviceClient } from '@devicefarmer/adbkit';
import { UserError } from '../errors.js';
import type { Io } from '../util/output.js';
import { connectAdb } from './connect.js';
import { listPhones } from './list-devices.js';
import { chooseDevice } from './choose-device.js';
import { getDeviceInfo, canPlay, canRecord, MIN_PLAY_SDK, MIN_RECORD_SDK, type DeviceInfo } from './device-info.js';
import { deviceError } from './adb-errors.js';
import { readRecorderDex } from './recorder-dex.js';
import { ensureRecorder, remoteSha256 } from './push-recorder.js';
import { appProcessCommand, startSession } from './start-recorder.js';
import { remoteCleanup } from './remote-cleanup.js';
import { sweepLeftovers } from './sweep-leftovers.js';
import { PhoneFailure, localAdbVersion, reportFailure } from './diagnostics.js';
import { formatDbfs, silenceAdvice } from './check-wav.js';
import { shellOutput } from './shell.js';
import { withTimeout } from './wait.js';

export type StepStatus = 'pass' | 'fail' | 'skip';

export interface DoctorStep {
  id: 'adb' | 'server' | 'authorised' | 'android' | 'recorder' | 'app_process' | 'record' | 'stream' | 'play' | 'cleanup';
  title: string;
  status: StepStatus;
  /** What was found (a version, a level, the error). */
  detail: string;
  /** What to do when it failed. */
  next?: string;
}

export interface DoctorOptions {
  serial?: string;
  adbHost?: string;
  adbPort?: number;
  /** false: skip the test tone (--no-play). */
  play: boolean;
  io: Io;
}

/** Below this a 1-second take counts as silence: a quiet room is around -60 to -45 dBFS, a muted mic digital zero. */
export const DOCTOR_SILENCE_DBFS = -70;
const CHECK_TIMEOUT_MS = 20_000;
/** One second of sound must arrive within this (the recorder's start included). */
const STREAM_CHECK_MS = 20_000;

const TITLES: Record<DoctorStep['id'], string> = {
  adb: 'adb found',
  server: 'adb server reachable',
  authorised: 'phone connected and authorised',
  android: 'Android version can record and play',
  recorder: 'recorder on the phone (hash matches)',
  app_process: 'app_process starts the recorder (ART accepted it)',
  record: '1-second test recording returns sound',
  stream: '1 second of live sound streams to this computer (dlaudio live)',
  play: 'test tone plays',
  cleanup: 'nothing left on the phone',
};

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A short tone for the play step: 0.6 s of 880 Hz at -12 dBFS with 20 ms fades (no click). */
export function testTone(rate = 16000): Int16Array {
  const n = Math.round(0.6 * rate);
  const fade = Math.round(0.02 * rate);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const env = Math.min(1, i / fade, (n - 1 - i) / fade);
    out[i] = Math.round(8200 * env * Math.sin((2 * Math.PI * 880 * i) / rate));
  }
  return out;
}

export async function runDoctor(opts: DoctorOptions): Promise<DoctorStep[]> {
  const steps: DoctorStep[] = [];
  const pass = (id: DoctorStep['id'], detail: string) => { steps.push({ id, title: TITLES[id], status: 'pass', detail }); };
  const fail = (id: DoctorStep['id'], detail: string, next: string) => { steps.push({ id, title: TITLES[id], status: 'fail', detail, next }); };
  const skipRest = (from: DoctorStep['id'], why: string) => {
    const ids = Object.keys(TITLES) as DoctorStep['id'][];
    for (const id of ids.slice(ids.indexOf(from))) if (!steps.some((s) => s.id === id)) steps.push({ id, title: TITLES[id], status: 'skip', detail: why });
  };

  const adb = await localAdbVersion();
  if (adb.startsWith('not found')) {
    fail('adb', `the \`${process.env.ADB || 'adb'}\` program was ${adb}`, 'install adb (Debian/Ubuntu: `sudo apt install adb`; other systems: Android SDK Platform-Tools)');
  } else {
    pass('adb', adb + pairingNote(adb));
  }

  let client: Client;
  try {
    const c = await connectAdb(opts);
    client = c.client;
    pass('server', `${c.server.host}:${c.server.port}`);
  } catch (e) {
    fail('server', messageOf(e), 'start it with `adb start-server`, or give its address with --adb-host/--adb-port');
    skipRest('authorised', 'no adb server');
    return steps;
  }

  let serial: string;
  let device: DeviceClient;
  try {
    const chosen = chooseDevice(await listPhones(client), { serial: opts.serial });
    serial = chosen.serial;
    device = client.getDevice(serial);
    pass('authorised', serial);
  } catch (e) {
    fail('authorised', messageOf(e), 'see the message: connect the phone, accept the prompt, or choose one with --device');
    skipRest('android', 'no phone');
    return steps;
  }
  const label = { serial, model: serial };

  let info: DeviceInfo;
  try {
    info = await getDeviceInfo(device);
    label.model = info.model;
  } catch (e) {
    fail('android', messageOf(deviceError(e, label, 'reading the Android version')), 'run again; if it persists, restart the phone');
    skipRest('recorder', 'the phone did not answer');
    return steps;
  }
  const version = `${info.model}: Android ${info.release} (API ${Number.isNaN(info.sdk) ? '?' : info.sdk})`;
  const mayRecord = canRecord(info);
  const mayPlay = canPlay(info);
  if (mayRecord) pass('android', `${version}: can record and play`);
  else if (mayPlay) fail('android', `${version}: can play but not record (Android 11, API ${MIN_RECORD_SDK}, is needed)`, 'record on this phone with an app and use `dlaudio train --wav FILE`');
  else fail('android', `${version}: can neither record nor play (Android 6, API ${MIN_PLAY_SDK}, is needed to play)`, 'use another phone, or record with an app and use `dlaudio train --wav FILE`');
  if (!mayPlay) { skipRest('recorder', 'Android too old'); return steps; }

  try {
    await sweepLeftovers(device);
    const dex = await readRecorderDex();
    const pushed = await ensureRecorder(device, dex);
    const remote = await remoteSha256(device);
    if (remote !== dex.sha256) throw new UserError(`the recorder on the phone has sha256 ${remote ?? '(unreadable)'}, not ${dex.sha256.slice(0, 12)}…`);
    pass('recorder', `${pushed ? 'pushed, ' : ''}sha256 ${dex.sha256.slice(0, 12)}… matches`);
  } catch (e) {
    fail('recorder', messageOf(deviceError(e, label, 'copying the recorder to the phone')), 'see the message, then run `dlaudio doctor` again');
    skipRest('app_process', 'the recorder is not on the phone');
    return steps;
  }

  const probe = `/data/local/tmp/dlaudio-doctor-${randomBytes(6).toString('hex')}`;
  const session = await startSession(device, appProcessCommand('check', probe));
  try {
    const end = await withTimeout(session.finished, CHECK_TIMEOUT_MS,
      () => new PhoneFailure(`the recorder did not answer within ${CHECK_TIMEOUT_MS / 1000} s`));
    if (end.kind !== 'done') {
      const said = end.kind === 'error' ? `${end.code} ${end.message}` : end.kind === 'ended' && end.output ? end.output : 'nothing';
      throw new PhoneFailure(`app_process did not run the recorder (it said: ${said})`);
    }
    pass('app_process', session.workarounds() ?? 'started (no WORKAROUNDS line)');
  } catch (e) {
    const reported = e instanceof PhoneFailure ? await reportFailure(e, { device, label, what: 'doctor: starting the recorder', session, remoteFile: probe }, opts.io.verbose, opts.io.err) : e;
    fail('app_process', messageOf(reported), 'update the phone if you can, and send the report file when asking for help');
    skipRest('record', 'the recorder does not start');
    return steps;
  } finally {
    session.close();
    await remoteCleanup(device, undefined, probe);
  }

  if (!mayRecord) {
    steps.push({ id: 'record', title: TITLES.record, status: 'skip', detail: 'this Android cannot record' });
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'dlaudio-doctor-'));
    try {
      opts.io.err.write('Test recording: say something (or clap) during the next second\n');
      const { recordToFile } = await import('./record.js');
      const r = await recordToFile({ serial, seconds: 1, rate: 16000, out: join(dir, 'doctor.wav'), adbHost: opts.adbHost, adbPort: opts.adbPort, io: opts.io });
      if (r.peakDbfs < DOCTOR_SILENCE_DBFS) fail('record', `silence (peak ${formatDbfs(r.peakDbfs)})`, silenceAdvice(info.sdk));
      else pass('record', `peak ${formatDbfs(r.peakDbfs)}`);
    } catch (e) {
      fail('record', messageOf(e), 'see the message, then run `dlaudio doctor` again');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  if (!mayRecord) {
    steps.push({ id: 'stream', title: TITLES.stream, status: 'skip', detail: 'this Android cannot record' });
  } else {
    try {
      const heard = await streamOneSecond(serial, opts);
      pass('stream', `${(heard / 16000).toFixed(2)} s arrived over adb's local socket`);
    } catch (e) {
      fail('stream', messageOf(e), '`dlaudio record` does not need the stream, `dlaudio live` does: see the message, then run `dlaudio doctor` again');
    }
  }

  if (!opts.play) {
    steps.push({ id: 'play', title: TITLES.play, status: 'skip', detail: 'skipped (--no-play)' });
  } else {
    try {
      const { playOnDevice } = await import('./play.js');
      await playOnDevice({ serial, samples: testTone(), sampleRate: 16000, adbHost: opts.adbHost, adbPort: opts.adbPort, io: opts.io });
      pass('play', 'played 0.6 s at 880 Hz: you should have heard a beep (if not, raise the media volume)');
    } catch (e) {
      fail('play', messageOf(e), 'see the message, then run `dlaudio doctor` again');
    }
  }

  try {
    const left = (await shellOutput(device, "find /data/local/tmp -maxdepth 1 -name 'dlaudio-*' '!' -name 'dlaudio-recorder.dex'"))
      .split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/data/local/tmp/dlaudio-'));
    if (left.length === 0) pass('cleanup', 'no dlaudio file in /data/local/tmp but the recorder');
    else fail('cleanup', `left on the phone: ${left.join(', ')}`, `remove them with \`adb -s ${serial} shell rm -f ${left.join(' ')}\` (dlaudio also removes them after ten minutes)`);
  } catch (e) {
    fail('cleanup', messageOf(deviceError(e, label, 'listing /data/local/tmp')), 'run again');
  }
  return steps;
}

/**
 * What `dlaudio live` does, for one second: the stream mode has its own ways to fail (a policy
 * refusing adb's local sockets, a vendor's socket rules) that a recording does not meet.
 */
async function streamOneSecond(serial: string, opts: DoctorOptions): Promise<number> {
  const { openPhoneStream } = await import('./live-stream.js');
  const stream = await openPhoneStream({ serial, adbHost: opts.adbHost, adbPort: opts.adbPort, io: opts.io });
  let heard = 0;
  let late = false;
  const timer = setTimeout(() => { late = true; void stream.close(); }, STREAM_CHECK_MS);
  try {
    for await (const block of stream.blocks()) {
      heard += block.length;
      if (heard >= stream.sampleRate) break;
    }
  } finally {
    clearTimeout(timer);
    await stream.close();
  }
  if (heard < stream.sampleRate) {
    throw new UserError(`only ${(heard / stream.sampleRate).toFixed(2)} s of sound arrived ${late ? `in ${STREAM_CHECK_MS / 1000} s` : 'before the stream ended'}: keep the phone unlocked and the cable in`);
  }
  return heard;
}

/** Debian 12's adb is platform-tools 29: fine over USB, but `adb pair` (Android 11+ wireless debugging) came with 30. */
export function pairingNote(adbVersion: string): string {
  const m = /Version (\d+)\./.exec(adbVersion);
  return m && Number(m[1]) < 30 ? ' (fine over USB; Wi-Fi pairing with `adb pair` needs platform-tools 30 or newer)' : '';
}

/** One line per step, for people: ✅/❌/➖, the title, what was found, and the next step. */
export function renderDoctor(steps: readonly DoctorStep[]): string {
  const mark: Record<StepStatus, string> = { pass: '✅', fail: '❌', skip: '➖' };
  return steps.map((s) => `${mark[s.status]} ${s.title}: ${s.detail}${s.next ? ` → ${s.next}` : ''}`).join('\n') + '\n';
}

export function doctorPassed(steps: readonly DoctorStep[]): boolean {
  return steps.every((s) => s.status === 'pass' || (s.status === 'skip' && s.id === 'play' && s.detail.includes('--no-play')));
}
