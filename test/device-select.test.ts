/**
 * Which phone `record` uses and what it says when it cannot, plus `dlaudio devices`,
 * through the real adb server and simulated devices.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adbMissingReason, killServerAt } from './sim/adb-server.js';
import type { SimDevice, SimDeviceOptions } from './sim/device.js';
import { usePhoneLab } from './sim/lab.js';
import { runCli } from './sim/run-cli.js';

const skipReason = adbMissingReason();

async function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(a && typeof a !== 'string' ? a.port : 1));
    });
  });
}

describe.skipIf(skipReason !== undefined)(`device choice and \`dlaudio devices\`${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const lab = usePhoneLab();
  const phone = (opts: SimDeviceOptions = {}): Promise<SimDevice> => lab.phone(opts);
  let dir = '';
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  function record(...args: string[]) {
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-sel-'));
    return runCli(['record', '--out', join(dir, 'r.wav'), ...args], lab.server.env).done;
  }
  const errorLine = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('dlaudio: '));

  it('no device: says how to enable USB debugging', async () => {
    const r = await record();
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toEqual([expect.stringMatching(/^dlaudio: no Android device found: plug the phone in .*tap "Build number" 7 times.*USB debugging \(or, on the same Wi-Fi, Developer options → Wireless debugging and `adb pair`\)$/)]);
  });

  it('two devices: lists them and asks for --device; --device and ANDROID_SERIAL choose', async () => {
    const a = await phone({ model: 'Pixel 7' });
    const b = await phone({ model: 'Pixel 8' });
    const r = await record();
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)[0]).toMatch(/^dlaudio: 2 devices are connected \(.*\): choose one with --device SERIAL \(or set ANDROID_SERIAL\)$/);
    expect(r.stderr).toContain(`${a.serial} (device)`);
    expect(r.stderr).toContain(`${b.serial} (device)`);

    const chosen = await record('--device', b.serial);
    expect(chosen.code).toBe(0);
    expect(chosen.stdout).toContain('from Pixel 8');
    expect(b.processes).toHaveLength(1);
    expect(a.processes).toHaveLength(0);

    const viaEnv = await runCli(['record', '--out', join(dir, 'e.wav')], { ...lab.server.env, ANDROID_SERIAL: a.serial }).done;
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toContain('from Pixel 7');

    const missing = await record('--device', 'R58M000000');
    expect(missing.code).toBe(1);
    expect(errorLine(missing.stderr)[0]).toMatch(/^dlaudio: device "R58M000000" \(from --device\) is not connected; connected: /);
  });

  it('unauthorized: asks to accept the prompt on the phone', async () => {
    await phone({ state: 'unauthorized' });
    const r = await record();
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)[0]).toMatch(/accept the "Allow USB debugging\?" prompt/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('offline: asks to replug', async () => {
    await phone({ state: 'offline' });
    const r = await record();
    expect(r.code).toBe(1);
    // The simulator is reached over TCP, like a phone over Wi-Fi: reconnecting is the advice.
    expect(errorLine(r.stderr)[0]).toMatch(/is offline: reconnect it with `adb disconnect 127\.0\.0\.1:\d+` then `adb connect 127\.0\.0\.1:\d+`/);
  });

  it('`devices` lists serial, state, model, Android version and whether it can record (table and --json)', async () => {
    const ok = await phone({ model: 'Pixel 7', sdk: 34 });
    const old = await phone({ model: 'Galaxy A10', sdk: 29 });
    const locked = await phone({ state: 'unauthorized' });
    const ancient = await phone({ model: 'Nexus 5', sdk: 21 });
    const r = await runCli(['devices'], lab.server.env).done;
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SERIAL\s+STATE\s+MODEL\s+ANDROID\s+CAN RECORD\s+CAN PLAY$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${ok.serial}\\s+device\\s+Pixel 7\\s+14 \\(API 34\\)\\s+yes\\s+yes$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${old.serial}\\s+device\\s+Galaxy A10\\s+10 \\(API 29\\)\\s+no\\s+yes$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${locked.serial}\\s+unauthorized\\s+-\\s+-\\s+no\\s+no$`)));

    const j = await runCli(['devices', '--json'], lab.server.env).done;
    const rows = JSON.parse(j.stdout) as { serial: string }[];
    const bySerial = new Map(rows.map((x) => [x.serial, x]));
    expect(bySerial.get(ok.serial)).toEqual({ serial: ok.serial, state: 'device', model: 'Pixel 7', android: '14', sdk: 34, canRecord: true, canPlay: true, reason: null, aliases: [] });
    expect(bySerial.get(old.serial)).toMatchObject({ model: 'Galaxy A10', sdk: 29, canRecord: false, canPlay: true, reason: expect.stringMatching(/older than Android 11 \(API 30\): it can play but not record$/) });
    expect(bySerial.get(locked.serial)).toMatchObject({ state: 'unauthorized', model: null, canRecord: false });
    expect(bySerial.get(ancient.serial)).toMatchObject({ sdk: 21, canRecord: false, canPlay: false, reason: expect.stringMatching(/older than Android 6 \(API 23\): it can neither record nor play$/) });
  });

  it('a missing output folder is refused before anything runs on the phone', async () => {
    const d = await phone();
    dir = mkdtempSync(join(tmpdir(), 'dlaudio-sel-'));
    const r = await runCli(['record', '--out', join(dir, 'missing', 'r.wav')], lab.server.env).done;
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toEqual([`dlaudio: cannot write ${join(dir, 'missing', 'r.wav')}: the folder ${join(dir, 'missing')} does not exist`]);
    expect(d.commands).toEqual([]);
  });

  it('bad options are usage errors; a missing recorder says to reinstall', async () => {
    const long = await record('--seconds', '61');
    expect(long.code).toBe(2);
    expect(errorLine(long.stderr)).toEqual(['dlaudio: --seconds 61: expected a duration above 0 and at most 60 seconds']);
    const rate = await record('--rate', '96000');
    expect(rate.code).toBe(2);
    const noDex = await runCli(['record', '--out', join(dir, 'r.wav')], { ...lab.server.env, DLAUDIO_RECORDER_DEX: join(dir, 'none.dex') }).done;
    expect(noDex.code).toBe(1);
    expect(errorLine(noDex.stderr)[0]).toMatch(/^dlaudio: the phone recorder .*none\.dex is missing from this dlaudio install: reinstall dlaudio/);
  });

  it('starts a local adb server when none answers', async () => {
    const port = await unusedPort();
    try {
      const r = await runCli(['devices', '--json'], { ...lab.server.env, ANDROID_ADB_SERVER_PORT: String(port) }).done;
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
      expect(r.stderr).toMatch(/no Android device found/);
    } finally {
      await killServerAt(port);
    }
  });

  it('no adb server and no adb binary: says how to install adb', async () => {
    const port = await unusedPort();
    const r = await runCli(['devices'], { ...lab.server.env, ANDROID_ADB_SERVER_PORT: String(port), ADB: '/nonexistent/adb' }).done;
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^dlaudio: no adb server is running at 127\\.0\\.0\\.1:${port} and the \`adb\` program was not found .*sudo apt install adb`))]);
  });

  it('--adb-host/--adb-port and ADB_SERVER_SOCKET reach the same server', async () => {
    const d = await phone();
    const env = { ...lab.server.env, ANDROID_ADB_SERVER_PORT: '1' };
    const flags = await runCli(['devices', '--json', '--adb-host', '127.0.0.1', '--adb-port', String(lab.server.port)], env).done;
    expect(flags.code).toBe(0);
    expect(JSON.parse(flags.stdout)).toMatchObject([{ serial: d.serial }]);
    const socket = await runCli(['devices', '--json'], { ...env, ADB_SERVER_SOCKET: `tcp:127.0.0.1:${lab.server.port}` }).done;
    expect(JSON.parse(socket.stdout)).toMatchObject([{ serial: d.serial }]);
  });
});
