/**
 * `dlaudio doctor` end to end: the real CLI, a real adb server and the simulated phone,
 * passing, then failing at each step with the next step to take.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adbMissingReason } from './sim/adb-server.js';
import type { SimDevice, SimDeviceOptions } from './sim/device.js';
import { usePhoneLab } from './sim/lab.js';
import { runCli } from './sim/run-cli.js';

const skipReason = adbMissingReason();
const REMOTE_DEX = '/data/local/tmp/dlaudio-recorder.dex';
const IDS = ['adb', 'server', 'authorised', 'android', 'recorder', 'app_process', 'record', 'stream', 'play', 'cleanup'];

interface Step { id: string; title: string; status: 'pass' | 'fail' | 'skip'; detail: string; next?: string }

async function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(a && typeof a !== 'string' ? a.port : 1));
    });
  });
}

describe.skipIf(skipReason !== undefined)(`dlaudio doctor${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const lab = usePhoneLab();
  let dir = '';
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = ''; });

  async function doctor(phoneOpts: SimDeviceOptions | null, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-doctor-'));
    const d = phoneOpts ? await lab.phone(phoneOpts) : undefined;
    const r = await runCli(['doctor', '--json', ...args], { ...lab.server.env, ...env }, dir).done;
    const j = JSON.parse(r.stdout) as { ok: boolean; steps: Step[] };
    const status = Object.fromEntries(j.steps.map((s) => [s.id, s.status]));
    const step = (id: string) => j.steps.find((s) => s.id === id) as Step;
    return { r, j, d: d as SimDevice, status, step };
  }
  const statuses = (...s: string[]) => Object.fromEntries(IDS.map((id, i) => [id, s[i]]));

  it('a phone ready for class: every step ✅, exit 0, nothing left on the phone or here', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-doctor-'));
    const d = await lab.phone();
    const r = await runCli(['doctor'], lab.server.env, dir).done;
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines.slice(0, 10).every((l) => l.startsWith('✅ '))).toBe(true);
    expect(lines[0]).toMatch(/^✅ adb found: .*[Vv]ersion/);
    // Debian 12's adb (platform-tools 29) gets the wireless pairing note; a newer one does not.
    if (/Version 29\./.test(lines[0])) expect(lines[0]).toContain('Wi-Fi pairing with `adb pair` needs platform-tools 30 or newer');
    expect(lines[2]).toBe(`✅ phone connected and authorised: ${d.serial}`);
    expect(lines[3]).toBe('✅ Android version can record and play: Pixel 7: Android 14 (API 34): can record and play');
    expect(lines[5]).toBe('✅ app_process starts the recorder (ART accepted it): looper=ok activity-thread=ok configuration-controller=ok bound-application=ok system-context=ok initial-application=ok');
    expect(lines[6]).toBe('✅ 1-second test recording returns sound: peak -6.2 dBFS');
    expect(lines[7]).toBe('✅ 1 second of live sound streams to this computer (dlaudio live): 1.00 s arrived over adb\'s local socket');
    expect(lines[10]).toBe('All checks passed: this phone is ready for class.');
    expect(r.stderr).toContain('say something (or clap)');
    expect([...d.fs.keys()]).toEqual([REMOTE_DEX]);
    expect(d.played).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);

    const again = await runCli(['doctor', '--json', '--no-play'], lab.server.env, dir).done;
    expect(again.code, again.stderr).toBe(0);
    const j = JSON.parse(again.stdout) as { ok: boolean; steps: Step[] };
    expect(j.ok).toBe(true);
    expect(j.steps.map((s) => [s.id, s.status])).toEqual(IDS.map((id) => [id, id === 'play' ? 'skip' : 'pass']));
    expect(j.steps.find((s) => s.id === 'recorder')?.detail).toMatch(/^sha256 [0-9a-f]{12}… matches$/);
    expect(d.played).toHaveLength(1);
  });

  it('adb missing on this computer (the server runs anyway): ❌ adb, exit 1', async () => {
    const { r, status, step } = await doctor({}, ['--no-play'], { ADB: '/nonexistent/adb' });
    expect(r.code).toBe(1);
    expect(status).toEqual(statuses('fail', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'skip', 'pass'));
    expect(step('adb').next).toMatch(/sudo apt install adb/);
  });

  it('no adb server at the address: ❌ server, the rest skipped', async () => {
    const port = await unusedPort();
    const { r, status, step } = await doctor(null, [], { ANDROID_ADB_SERVER_PORT: String(port), ADB: '/nonexistent/adb' });
    expect(r.code).toBe(1);
    expect(status).toEqual(statuses('fail', 'fail', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip'));
    expect(step('server').detail).toMatch(/no adb server is running at 127\.0\.0\.1:\d+/);
  });

  it('phone not authorised: ❌ with the prompt to accept', async () => {
    const { r, status, step } = await doctor({ state: 'unauthorized' });
    expect(r.code).toBe(1);
    expect(status.authorised).toBe('fail');
    expect(step('authorised').detail).toMatch(/accept the "Allow USB debugging\?" prompt/);
    expect(status.android).toBe('skip');
  });

  it('Android 10: ❌ cannot record; the recorder and the tone are still checked', async () => {
    const { r, status, step } = await doctor({ sdk: 29, model: 'Galaxy A10' });
    expect(r.code).toBe(1);
    expect(status).toEqual(statuses('pass', 'pass', 'pass', 'fail', 'pass', 'pass', 'skip', 'skip', 'pass', 'pass'));
    expect(step('android').detail).toBe('Galaxy A10: Android 10 (API 29): can play but not record (Android 11, API 30, is needed)');
  });

  it('push refused: ❌ recorder with what to try on Xiaomi', async () => {
    const { r, status, step } = await doctor({ pushRefused: true });
    expect(r.code).toBe(1);
    expect(status.recorder).toBe('fail');
    expect(step('recorder').detail).toMatch(/refused the copy to \/data\/local\/tmp .*USB debugging \(Security settings\)/);
    expect(status.app_process).toBe('skip');
  });

  it('ART refuses the recorder: ❌ app_process, with a report file holding the runtime\'s message', async () => {
    const { r, status, step, d } = await doctor({ recorder: 'art-reject' });
    expect(r.code).toBe(1);
    expect(status.app_process).toBe('fail');
    expect(step('app_process').detail).toMatch(/app_process did not run the recorder .*; details in dlaudio-report-127\.0\.0\.1_\d+\.txt: attach it when asking for help$/);
    const report = readFileSync(join(dir, `dlaudio-report-${d.serial.replace(':', '_')}.txt`), 'utf8');
    expect(report).toContain('failed while: doctor: starting the recorder');
    expect(report).toContain('java.lang.ClassNotFoundException: Didn\'t find class "dlaudio.Recorder"');
    expect(status.record).toBe('skip');
    expect([...d.fs.keys()]).toEqual([REMOTE_DEX]);
  });

  it('a silent microphone: ❌ record, naming the privacy toggle', async () => {
    const { r, status, step } = await doctor({ recorder: 'silent', sdk: 33 });
    expect(r.code).toBe(1);
    expect(status).toEqual(statuses('pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'fail', 'pass', 'pass', 'pass'));
    expect(step('record').detail).toBe('silence (peak -inf dBFS)');
    expect(step('record').next).toMatch(/Quick Settings → "Microphone access"/);
  });

  it('the microphone cannot be opened: ❌ record with the recorder\'s error and report', async () => {
    const { r, status, step } = await doctor({ recorder: 'error:AUDIO_INIT' }, ['--no-play']);
    expect(r.code).toBe(1);
    expect(status.record).toBe('fail');
    expect(step('record').detail).toMatch(/could not be opened \(simulated failure\).*details in dlaudio-report-/);
    expect(status.cleanup).toBe('pass');
  });

  it('the audio output cannot be opened: ❌ play', async () => {
    const { r, status, step } = await doctor({ player: 'error:AUDIO_INIT' });
    expect(r.code).toBe(1);
    expect(status).toEqual(statuses('pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'fail', 'pass'));
    expect(step('play').detail).toMatch(/could not open its audio output/);
  });

  it('adb refuses the phone\'s local sockets (a device policy): ❌ stream, recording still ✅', async () => {
    const { r, status, step } = await doctor({ refuseSockets: true }, ['--no-play']);
    expect(r.code).toBe(1);
    expect(status).toEqual(statuses('pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'fail', 'skip', 'pass'));
    expect(step('stream').detail).toMatch(/refused the connection to the recorder's stream/);
    expect(step('stream').next).toMatch(/`dlaudio record` does not need the stream, `dlaudio live` does/);
  });

  it('a dlaudio file left on the phone: ❌ cleanup with the command that removes it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-doctor-'));
    const d = await lab.phone();
    d.fs.set('/data/local/tmp/dlaudio-0123456789ab.wav', { data: Buffer.from('x'), mode: 0o100644, mtime: Math.floor(Date.now() / 1000) });
    const r = await runCli(['doctor', '--no-play'], lab.server.env, dir).done;
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`❌ nothing left on the phone: left on the phone: /data/local/tmp/dlaudio-0123456789ab.wav → remove them with \`adb -s ${d.serial} shell rm -f /data/local/tmp/dlaudio-0123456789ab.wav\``);
    expect(r.stdout).toContain('➖ test tone plays: skipped (--no-play)');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Some checks failed: fix the first ❌ above, then run `dlaudio doctor` again.');
  });
});
