/**
 * What real phones do that the simulated phone now does too (issue: scrcpy's lessons), through
 * the real CLI and a real adb server: vendor noise around the protocol, recorder deaths with a
 * report file, leftovers, refused pushes, a Ctrl-C before the PID line, one phone over USB and
 * Wi-Fi, a secondary user on Android 11, and addresses where no adb server listens.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adbMissingReason } from './sim/adb-server.js';
import type { SimDevice, SimDeviceOptions } from './sim/device.js';
import { usePhoneLab } from './sim/lab.js';
import { simulatedWav } from './sim/signal.js';
import { runCli } from './sim/run-cli.js';

const skipReason = adbMissingReason();
const REMOTE_DEX = '/data/local/tmp/dlaudio-recorder.dex';
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('dlaudio: '));
const reportName = (d: SimDevice) => `dlaudio-report-${d.serial.replace(':', '_')}.txt`;

const LOGCAT = [
  '11-29 10:00:00.100  1234  1250 I ActivityManager: Start proc 4321:com.example.game/u0a123',
  '11-29 10:00:01.200   987  1001 E AudioFlinger: createRecord() checkRecordThread_l failed',
  '11-29 10:00:01.210   987  1001 W AudioPolicyIntefaceImpl: getInputForAttr permission denied: recording not allowed for uid 2000',
  '11-29 10:00:01.220  1234  1300 E AppOps  : Request denied by app op: 27, uid 2000, package com.android.shell',
  '11-29 10:00:02.000  5555  5555 D WifiService: scan results 12',
];

describe.skipIf(skipReason !== undefined)(`real-phone behaviour against the simulator${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const lab = usePhoneLab();
  let dir = '';
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });
  async function phone(opts: SimDeviceOptions = {}): Promise<SimDevice> {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-real-'));
    return lab.phone(opts);
  }
  const record = (...args: string[]) => runCli(['record', '--seconds', '1', '--out', join(dir, 'r.wav'), ...args], lab.server.env, dir);
  const remoteFiles = (d: SimDevice) => [...d.fs.keys()].filter((p) => p !== REMOTE_DEX);

  it('vendor stack traces and a localized message between protocol lines cut mid-line: the take is still exact', async () => {
    const d = await phone({ recorder: 'noisy' });
    const r = await record().done;
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'r.wav')).equals(simulatedWav(1, 16000))).toBe(true);
    expect(remoteFiles(d)).toEqual([]);
    expect(readdirSync(dir)).toEqual(['r.wav']);
  });

  it('a stray "ERROR …" line does not fake a failure; the real ERROR is reported with a complete report file', async () => {
    const d = await phone({ recorder: 'noisy-error:AUDIO_INIT', logcat: LOGCAT });
    const r = await record().done;
    expect(r.code).toBe(1);
    const [line] = errorLines(r.stderr);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(line).toMatch(/^dlaudio: the microphone of Pixel 7 \(127\.0\.0\.1:\d+\) could not be opened \(simulated failure\): .*; details in dlaudio-report-127\.0\.0\.1_\d+\.txt: attach it when asking for help$/);
    expect(readdirSync(dir)).toEqual([reportName(d)]);
    const report = readFileSync(join(dir, reportName(d)), 'utf8');
    expect(report).toContain('failed while: starting the recorder');
    expect(report).toContain(`command: dlaudio record --seconds 1 --out ${join(dir, 'r.wav')}`);
    expect(report).toMatch(/^model: Pixel 7$/m);
    expect(report).toMatch(/^android: 14$/m);
    expect(report).toMatch(/^adb: .*version/m);
    expect(report).toContain('looper=ok activity-thread=ok configuration-controller=ok bound-application=ok system-context=ok initial-application=ok');
    // The localized line cut inside "é" arrives whole (StringDecoder), with the stack trace and the stray line.
    expect(report).toContain("W/VivoAudio: échec de l'initialisation du micro");
    expect(report).toContain('\tat android.media.VivoAudioRecordImpl.<init>(VivoAudioRecordImpl.java:88)');
    expect(report).toContain('ERROR audio hal: set_parameters returned -22');
    expect(report).toContain('ERROR AUDIO_INIT simulated failure');
    expect(report).toContain('W/dlaudio: simulated AUDIO_INIT'); // the recorder's stderr log
    expect(report).toContain('Request denied by app op: 27');
    expect(report).toContain('E AudioFlinger: createRecord() checkRecordThread_l failed');
    expect(report).not.toContain('WifiService');
    expect(report).not.toContain('ActivityManager: Start proc');
    expect(remoteFiles(d)).toEqual([]);
  });

  it.for<[string, RegExp]>([
    ['READ_ERROR', /stopped delivering sound while recording \(simulated failure\): run again; if it persists, restart the phone; details in /],
    ['WRITE_ERROR', /could not save the recording in \/data\/local\/tmp \(simulated failure\): free some storage on the phone, then run again; details in /],
    ['INTERNAL', /the recorder on Pixel 7 \(127\.0\.0\.1:\d+\) crashed \(simulated failure\): run again; if it persists, restart the phone; details in /],
  ])('ERROR %s: one line with the next step and the report file, which holds the protocol lines and the workarounds', async ([code, line]) => {
    const d = await phone({ recorder: `error:${code}` });
    const r = await record().done;
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(line)]);
    const report = readFileSync(join(dir, reportName(d)), 'utf8');
    expect(report).toContain(`ERROR ${code} simulated failure`);
    expect(report).toMatch(/^PID \d+$/m);
    expect(report).toContain('## Recorder workarounds (app_process)\nlooper=ok ');
    expect(report).toContain(`W/dlaudio: simulated ${code}`);
    expect(remoteFiles(d)).toEqual([]);
  });

  it('a recorder that dies without DONE: one line, the report holds its log, --verbose prints the report', async () => {
    const d = await phone({ recorder: 'die' });
    const r = await record('--verbose').done;
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)[0]).toMatch(/stopped before finishing.*; details in dlaudio-report-127\.0\.0\.1_\d+\.txt: attach it when asking for help$/);
    const report = readFileSync(join(dir, reportName(d)), 'utf8');
    expect(report).toContain('java.lang.IllegalStateException: simulated death of the audio server');
    expect(report).toContain('READY');
    expect(r.stderr).toContain('dlaudio diagnostics report');
    expect(r.stderr).toContain('simulated death of the audio server');
    expect(remoteFiles(d)).toEqual([]);
  });

  it('a recorder that never finishes: timeout, killed, report written', async () => {
    const d = await phone({ recorder: 'hang' });
    // A 0.05 s take; the CLI waits 20 s more before calling it stuck.
    const r = await runCli(['record', '--seconds', '0.05', '--out', join(dir, 'r.wav')], lab.server.env, dir).done;
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)[0]).toMatch(/did not finish: unlock the phone, then run again; details in dlaudio-report-/);
    expect(readFileSync(join(dir, reportName(d)), 'utf8')).toContain('failed while: recording');
    expect(d.processes.map((p) => p.state)).toEqual(['killed']);
  }, 40_000);

  it('silence names its causes for the phone\'s Android version', async () => {
    await phone({ recorder: 'silent', sdk: 33 });
    const r12 = await record().done;
    expect(r12.code).toBe(0);
    expect(r12.stderr).toMatch(/warning: the recording is almost silent \(peak -inf dBFS\): Android 12\+ gives silence instead of an error when Quick Settings → "Microphone access" is off .*another app using the microphone/);
    const d11 = await lab.phone({ recorder: 'silent', sdk: 30, model: 'Galaxy A51' });
    const r11 = await runCli(['record', '--seconds', '1', '--device', d11.serial, '--out', join(dir, 's.wav')], lab.server.env, dir).done;
    expect(r11.code).toBe(0);
    expect(r11.stderr).toMatch(/warning: the recording is almost silent \(peak -inf dBFS\): Android 11 gives silence instead of an error when the phone is locked/);
  });

  it('removes dlaudio leftovers older than ten minutes before recording, never the recorder or a recent file', async () => {
    const d = await phone();
    const now = Math.floor(Date.now() / 1000);
    const file = (path: string, ageMinutes: number) => d.fs.set(path, { data: Buffer.from('x'), mode: 0o100644, mtime: now - ageMinutes * 60 });
    file('/data/local/tmp/dlaudio-0123456789ab.wav.part', 30);
    file('/data/local/tmp/dlaudio-play-0123456789ab.wav', 11);
    file('/data/local/tmp/dlaudio-fedcba987654.wav', 2);
    file('/data/local/tmp/other-app.bin', 60);
    const r = await record('--verbose').done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('removed /data/local/tmp/dlaudio-0123456789ab.wav.part (left on the phone by an earlier session)');
    expect([...d.fs.keys()].sort()).toEqual(['/data/local/tmp/dlaudio-fedcba987654.wav', REMOTE_DEX, '/data/local/tmp/other-app.bin'].sort());
  });

  it('a push the phone refuses gets its own message with what to try', async () => {
    const d = await phone({ pushRefused: true, manufacturer: 'Xiaomi' });
    const r = await record().done;
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^dlaudio: Pixel 7 \(127\.0\.0\.1:\d+\) refused the copy to \/data\/local\/tmp while copying the recorder to the phone \(remote couldn't create file: Permission denied\): on Xiaomi\/Redmi\/POCO turn on Developer options → "USB debugging \(Security settings\)"/)]);
    expect(d.processes).toEqual([]);
    expect(readdirSync(dir), 'not a failure of the recorder: no report').toEqual([]);
  });

  it('Ctrl-C before the PID line arrived still kills the recorder, found by its command line', async () => {
    const d = await phone({ recorder: 'hang', hidePid: true });
    const run = record();
    await run.waitForStderr('speak now');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(d.processes.map((p) => p.state)).toEqual(['killed']);
    expect(d.commands.at(-1)).toMatch(/^pkill -f 'dlaudio\[\.\]Recorder \.\*dlaudio-[0-9a-f]{12}\[\.\]wav'; rm -f /);
    expect(remoteFiles(d)).toEqual([]);
  });

  it('Android 11 with a secondary user in the foreground: says so before recording', async () => {
    const d = await phone({ sdk: 30, currentUser: 10 });
    const r = await record().done;
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^dlaudio: Pixel 7 \(127\.0\.0\.1:\d+\) shows another user \(user 10\) in the foreground: Android 11 lets the computer record only for the phone's owner; switch to the owner/)]);
    expect(d.processes).toEqual([]);
    expect(d.commands).toContain('am get-current-user');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('one phone over USB and Wi-Fi (same ro.serialno) is listed once and chosen automatically', async () => {
    const a = await phone({ serialno: 'R58M12345', model: 'Galaxy S21' });
    const b = await lab.phone({ serialno: 'R58M12345', model: 'Galaxy S21' });
    const list = await runCli(['devices', '--json'], lab.server.env).done;
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as { serial: string; aliases: string[] }[];
    expect(rows).toHaveLength(1);
    expect([rows[0].serial, ...rows[0].aliases].sort()).toEqual([a.serial, b.serial].sort());
    const table = await runCli(['devices'], lab.server.env).done;
    expect(table.stdout.trim().split('\n')).toHaveLength(2);
    expect(table.stderr).toMatch(/also connected as 127\.0\.0\.1:\d+ \(the same phone over its other link\)/);
    const r = await record().done;
    expect(r.code, r.stderr).toBe(0);
    expect(a.processes.length + b.processes.length).toBe(1);
    // Asking for the other link by name uses that link.
    const other = rows[0].serial === a.serial ? b : a;
    const named = await runCli(['record', '--seconds', '1', '--device', other.serial, '--out', join(dir, 'n.wav')], lab.server.env, dir).done;
    expect(named.code, named.stderr).toBe(0);
    expect(other.processes).toHaveLength(1);
  });

  describe('an address where no adb server listens', () => {
    let server: Server | undefined;
    afterEach(() => new Promise<void>((r) => { if (server) server.close(() => r()); else r(); server = undefined; }));
    const listen = (onConnection: (s: import('node:net').Socket) => void) => new Promise<number>((resolve) => {
      server = createServer(onConnection).listen(0, '127.0.0.1', () => {
        const a = server?.address();
        resolve(a && typeof a !== 'string' ? a.port : 0);
      });
    });

    it('a listener that accepts and says nothing: a timeout, not a hang', async () => {
      const sockets: import('node:net').Socket[] = [];
      const port = await listen((s) => { sockets.push(s); s.on('error', () => {}); });
      const r = await runCli(['devices', '--adb-port', String(port)], lab.server.env).done;
      for (const s of sockets) s.destroy();
      expect(r.code).toBe(1);
      expect(errorLines(r.stderr)).toEqual([`dlaudio: nothing answered like an adb server at 127.0.0.1:${port} (from --adb-port) within 3 s: check the address and port (the adb server's default port is 5037); if it is your own server, restart it with \`adb kill-server\` then \`adb start-server\``]);
      expect(r.ms).toBeLessThan(20_000);
    });

    it('an HTTP server: says what it answered', async () => {
      const port = await listen((s) => {
        s.on('error', () => {});
        s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
      });
      const r = await runCli(['record', '--adb-port', String(port), '--out', join(mkdtempSync(join(tmpdir(), 'dlaudio-real-')), 'r.wav')], lab.server.env).done;
      expect(r.code).toBe(1);
      expect(errorLines(r.stderr)).toEqual([`dlaudio: 127.0.0.1:${port} (from --adb-port) answered but is not an adb server (it said 'HTTP/1.1 400 Bad Request'): another program uses that port; give the adb server's port with --adb-port (default 5037)`]);
    });
  });
});
