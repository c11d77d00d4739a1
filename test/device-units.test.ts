/** The device code's pure parts: quoting, server address, device choice, WAV checks, shell lines. */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { shQuote } from '../src/device/quote.js';
import { resolveAdbServer } from '../src/device/server-address.js';
import { chooseDevice } from '../src/device/choose-device.js';
import { checkRecording } from '../src/device/check-wav.js';
import { recorderCommand } from '../src/device/start-recorder.js';
import { cleanupCommand, commandLinePattern } from '../src/device/remote-cleanup.js';
import { sweepCommand } from '../src/device/sweep-leftovers.js';
import { isNetworkSerial, mergeSamePhone } from '../src/device/list-devices.js';
import { pairingNote } from '../src/device/doctor.js';
import { silenceAdvice } from '../src/device/check-wav.js';
import { UserError, UsageError } from '../src/errors.js';
import { parseShell } from './sim/shell.js';
import { simulatedWav } from './sim/signal.js';

const NASTY = [`it's`, `a b`, `$(reboot)`, '`id`', `x'; rm -rf /; echo '`, `"\\"`, `;|&<>*?~#`, `\n`, ''];

describe('shQuote', () => {
  it.each(NASTY)('a POSIX shell reads %j back as exactly one literal word', (word) => {
    const r = spawnSync('sh', ['-c', `printf '%s|' ${shQuote(word)}`], { encoding: 'utf8' });
    expect(r.stdout).toBe(`${word}|`);
  });
});

describe('shell lines sent to the phone', () => {
  it('the recorder line is the contract command, with the path as one quoted word', () => {
    const path = `/data/local/tmp/it's here; reboot.wav`;
    const line = recorderCommand(4, 16000, path);
    expect(line).toBe(`echo PID $$; CLASSPATH='/data/local/tmp/dlaudio-recorder.dex' exec app_process / dlaudio.Recorder --seconds 4 --rate 16000 --out '/data/local/tmp/it'\\''s here; reboot.wav' 2>'/data/local/tmp/it'\\''s here; reboot.wav.log'`);
    expect(parseShell(line, 77)).toEqual([
      ['echo', 'PID', '77'],
      ['CLASSPATH=/data/local/tmp/dlaudio-recorder.dex', 'exec', 'app_process', '/', 'dlaudio.Recorder', '--seconds', '4', '--rate', '16000', '--out', path, `\u00002>${path}.log`],
    ]);
  });
  it('cleanup kills the recorder only when it may still run (by pid, else by command line), then removes the file, its .part and its log', () => {
    const rm = `rm -f '/data/local/tmp/a.wav' '/data/local/tmp/a.wav.part' '/data/local/tmp/a.wav.log'`;
    expect(cleanupCommand(123, '/data/local/tmp/a.wav')).toBe(`kill 123 2>/dev/null; ${rm}`);
    expect(cleanupCommand(undefined, '/data/local/tmp/a.wav')).toBe(rm);
    expect(cleanupCommand('command-line', '/data/local/tmp/a.wav')).toBe(`pkill -f 'dlaudio[.]Recorder .*a[.]wav'; ${rm}`);
  });
  it('the pkill pattern matches the recorder\'s command line but not the shell line that runs pkill', () => {
    const file = '/data/local/tmp/dlaudio-0123456789ab.wav';
    const pattern = new RegExp(commandLinePattern(file));
    expect(pattern.test(`app_process / dlaudio.Recorder --seconds 4 --rate 16000 --out ${file}`)).toBe(true);
    expect(pattern.test(`app_process / dlaudio.Recorder play --in /data/local/tmp/dlaudio-play-0123456789ab.wav`)).toBe(false);
    expect(pattern.test(`sh -c ${cleanupCommand('command-line', file)}`)).toBe(false);
  });
  it('the leftover sweep spares the recorder and anything younger than ten minutes', () => {
    expect(sweepCommand()).toBe(`find /data/local/tmp -maxdepth 1 -name 'dlaudio-*' '!' -name 'dlaudio-recorder.dex' -mmin +10 -print -delete`);
  });
  it('one phone over USB and Wi-Fi is merged under its USB serial; different phones stay apart', () => {
    const devices = [
      { serial: '192.168.1.20:5555', state: 'device' },
      { serial: 'R58M12345', state: 'device' },
      { serial: 'adb-R58M99999-AbCdEf._adb-tls-connect._tcp', state: 'device' },
      { serial: 'emulator-5554', state: 'offline' },
    ];
    const hw = new Map([['192.168.1.20:5555', 'R58M12345'], ['R58M12345', 'R58M12345'], ['adb-R58M99999-AbCdEf._adb-tls-connect._tcp', 'R58M99999']]);
    expect(mergeSamePhone(devices, hw)).toEqual([
      { serial: 'R58M12345', state: 'device', aliases: ['192.168.1.20:5555'] },
      { serial: 'adb-R58M99999-AbCdEf._adb-tls-connect._tcp', state: 'device' },
      { serial: 'emulator-5554', state: 'offline' },
    ]);
    expect(isNetworkSerial('192.168.1.20:5555')).toBe(true);
    expect(isNetworkSerial('adb-R58M99999-AbCdEf._adb-tls-connect._tcp')).toBe(true);
    expect(isNetworkSerial('R58M12345')).toBe(false);
    expect(chooseDevice(mergeSamePhone(devices, hw).slice(0, 1), {}).serial).toBe('R58M12345');
    expect(chooseDevice(mergeSamePhone(devices, hw), { serial: '192.168.1.20:5555' }).serial).toBe('192.168.1.20:5555');
  });
});

describe('resolveAdbServer', () => {
  it('follows adb: flags, then ADB_SERVER_SOCKET, then ANDROID_ADB_SERVER_PORT, then 127.0.0.1:5037', () => {
    expect(resolveAdbServer({}, {})).toEqual({ host: '127.0.0.1', port: 5037, source: 'the default adb server' });
    expect(resolveAdbServer({}, { ANDROID_ADB_SERVER_PORT: '5099' })).toMatchObject({ host: '127.0.0.1', port: 5099 });
    expect(resolveAdbServer({}, { ANDROID_ADB_SERVER_PORT: '5099', ADB_SERVER_SOCKET: 'tcp:farm.lan:7000' })).toMatchObject({ host: 'farm.lan', port: 7000 });
    expect(resolveAdbServer({ adbHost: 'lab', adbPort: 6000 }, { ADB_SERVER_SOCKET: 'tcp:farm.lan:7000' })).toEqual({ host: 'lab', port: 6000, source: '--adb-port' });
    expect(() => resolveAdbServer({}, { ADB_SERVER_SOCKET: 'localfilesystem:/x' })).toThrow(UsageError);
    expect(() => resolveAdbServer({}, { ANDROID_ADB_SERVER_PORT: '99999' })).toThrow(/not a TCP port/);
  });
});

describe('chooseDevice', () => {
  const ready = { serial: 'A1', state: 'device' };
  it('takes --device, then ANDROID_SERIAL, then the only ready device', () => {
    const two = [ready, { serial: 'B2', state: 'device' }];
    expect(chooseDevice(two, { serial: 'B2', env: { ANDROID_SERIAL: 'A1' } }).serial).toBe('B2');
    expect(chooseDevice(two, { env: { ANDROID_SERIAL: 'A1' } }).serial).toBe('A1');
    expect(chooseDevice([ready, { serial: 'C3', state: 'offline' }], { env: {} }).serial).toBe('A1');
  });
  it('explains each refusal', () => {
    expect(() => chooseDevice([], { env: {} })).toThrow(/no Android device found: .*Build number/);
    expect(() => chooseDevice([ready, { serial: 'B2', state: 'device' }], { env: {} })).toThrow(/2 devices are connected \(A1 \(device\), B2 \(device\)\): choose one with --device/);
    expect(() => chooseDevice([{ serial: 'A1', state: 'unauthorized' }], { env: {} })).toThrow(/Allow USB debugging/);
    expect(() => chooseDevice([{ serial: 'A1', state: 'no permissions (user in plugdev group)' }], { env: {} })).toThrow(/udev/);
    expect(() => chooseDevice([ready], { env: { ANDROID_SERIAL: 'Z9' } })).toThrow(/"Z9" \(from ANDROID_SERIAL\) is not connected; connected: A1 \(device\)/);
    expect(() => chooseDevice([{ serial: 'A1', state: 'offline' }, { serial: 'B2', state: 'unauthorized' }], { env: {} })).toThrow(/no device is ready .*offline/);
  });
});

describe('checkRecording', () => {
  const expectFor = (seconds: number, rate: number) => ({ seconds, rate, samples: Math.round(seconds * rate) });
  it('measures the peak of the contract WAV', () => {
    const c = checkRecording(simulatedWav(1, 16000), expectFor(1, 16000));
    expect(c).toMatchObject({ samples: 16000, sampleRate: 16000, seconds: 1, warnings: [] });
    expect(c.peakDbfs).toBeCloseTo(20 * Math.log10(16000 / 32768), 3);
  });
  it('warns about silence and clipping', () => {
    expect(checkRecording(simulatedWav(1, 8000, 'silent'), expectFor(1, 8000)).warnings).toEqual([expect.stringMatching(/almost silent/)]);
    expect(checkRecording(simulatedWav(1, 8000, 'clipped'), expectFor(1, 8000)).warnings).toEqual([expect.stringMatching(/clipped \(8000 samples at full scale\)/)]);
  });
  it('rejects files that break the contract', () => {
    const wav = simulatedWav(1, 16000);
    expect(() => checkRecording(wav.subarray(0, 40), expectFor(1, 16000))).toThrow(UserError);
    expect(() => checkRecording(wav, expectFor(1, 8000))).toThrow(/16000 Hz instead of 8000 Hz/);
    expect(() => checkRecording(wav.subarray(0, wav.length - 2), expectFor(1, 16000))).toThrow(/data bytes/);
    expect(() => checkRecording(wav, { seconds: 2, rate: 16000, samples: 16000 })).toThrow(/1\.00 s instead of 2 s/);
    const stereo = Buffer.from(wav); stereo.writeUInt16LE(2, 22);
    expect(() => checkRecording(stereo, expectFor(1, 16000))).toThrow(/2 channel/);
  });
});

describe('advice that depends on versions', () => {
  it('the wireless pairing note appears for platform-tools older than 30 only', () => {
    expect(pairingNote('Android Debug Bridge version 1.0.41; Version 29.0.6-debian')).toMatch(/needs platform-tools 30 or newer/);
    expect(pairingNote('Android Debug Bridge version 1.0.41; Version 34.0.5-10900879')).toBe('');
    expect(pairingNote('not found (ENOENT)')).toBe('');
  });
  it('silence advice names the privacy toggle on 12+, the lock screen on 11, and neither before', () => {
    expect(silenceAdvice(31)).toMatch(/"Microphone access" is off/);
    expect(silenceAdvice(30)).toMatch(/locked/);
    expect(silenceAdvice(30)).not.toMatch(/Microphone access/);
    expect(silenceAdvice(29)).toBe('check that nothing covers the microphone and speak closer to the phone');
  });
});
