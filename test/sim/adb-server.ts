/**
 * Runs the real adb server (Debian package `adb`) on a private port, isolated
 * from any phone or user server: own -P port, temporary HOME, no USB/emulator/mDNS
 * scanning (an older adb finding a newer server on 5037 would kill it).
 */
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AdbServer {
  port: number;
  /** Environment for a CLI child process that must talk to this server only. */
  env: NodeJS.ProcessEnv;
  /** `adb connect 127.0.0.1:<port>`, then waits until the server lists it in `state`. */
  connect(devicePort: number, state?: string): Promise<string>;
  disconnect(devicePort: number): Promise<void>;
  /** `serial\tstate` lines, as `adb devices` gives them. */
  devices(): Promise<Map<string, string>>;
  stop(): Promise<void>;
}

/** Why the device tests cannot run here, or undefined. In CI a missing adb is a failure, not a skip. */
export function adbMissingReason(): string | undefined {
  const r = spawnSync('adb', ['version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const reason = 'the `adb` binary is not installed (Debian/Ubuntu: sudo apt install adb)';
    if (process.env.CI === 'true') throw new Error(`${reason}; it is required in CI`);
    return reason;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a !== 'string' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function isolatedEnv(home: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ADB_USB: '0', ADB_EMU: '0', ADB_MDNS: '0', ANDROID_ADB_SERVER_PORT: String(port) };
  for (const k of ['ADB_SERVER_SOCKET', 'ANDROID_SERIAL', 'ANDROID_ADB_SERVER_ADDRESS', 'ANDROID_SDK_HOME', 'ANDROID_USER_HOME', 'ADB_VENDOR_KEYS', 'ADB_TRACE', 'DEBUG']) delete env[k];
  return env;
}

/** One request on the adb host protocol ("host:version", …): OKAY/FAIL + hex-length payload. */
function hostRequest(port: number, request: string): { reply: Promise<string>; cancel(): void } {
  const sock = netConnect(port, '127.0.0.1');
  const reply = new Promise<string>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    sock.on('connect', () => sock.write(request.length.toString(16).padStart(4, '0') + request));
    sock.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); });
    sock.on('error', reject);
    sock.on('close', () => {
      const status = buf.toString('ascii', 0, 4);
      const body = buf.length >= 8 ? buf.toString('utf8', 8, 8 + parseInt(buf.toString('ascii', 4, 8), 16)) : '';
      if (status === 'OKAY') resolve(body); else reject(new Error(`adb ${request}: ${status || 'no reply'} ${body}`));
    });
  });
  return { reply, cancel: () => sock.destroy() };
}

/** Stops whatever adb server listens on `port` (one the CLI started itself, say). */
export async function killServerAt(port: number): Promise<void> {
  await hostRequest(port, 'host:kill').reply.catch(() => undefined);
}

const running = new Set<ChildProcess>();
process.once('exit', () => { for (const c of running) c.kill('SIGKILL'); });

export async function startAdbServer(): Promise<AdbServer> {
  const home = mkdtempSync(join(tmpdir(), 'dlaudio-adb-home-'));
  const port = await freePort();
  const env = isolatedEnv(home, port);
  // `nodaemon` keeps the server our own child, so we can always stop it.
  const child = spawn('adb', ['-P', String(port), 'nodaemon', 'server'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let log = '';
  child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { running.delete(child); resolve(); }));

  const deadline = Date.now() + 10_000;
  for (;;) {
    try { await hostRequest(port, 'host:version').reply; break; } catch (e) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`adb server did not start on port ${port}: ${(e as Error).message}\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const devices = async () => {
    const text = await hostRequest(port, 'host:devices').reply;
    return new Map(text.split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]));
  };
  const adb = (...args: string[]) => new Promise<string>((resolve, reject) => {
    execFile('adb', ['-P', String(port), ...args], { env }, (err, stdout, stderr) => (err ? reject(err) : resolve(stdout + stderr)));
  });

  return {
    port,
    env,
    devices,
    async connect(devicePort, state = 'device') {
      const serial = `127.0.0.1:${devicePort}`;
      // `adb connect` waits up to 10 s for a device that never answers (offline), and reports
      // failures as text with exit status 0: ask the server directly and watch the device list.
      const request = hostRequest(port, `host:connect:${serial}`);
      let said = '';
      request.reply.then((r) => { said = r; }, (e: Error) => { said = e.message; });
      try {
        const until = Date.now() + 10_000;
        for (;;) {
          const st = (await devices()).get(serial);
          if (st === state) return serial;
          if (Date.now() > until) throw new Error(`${serial} is "${st ?? 'absent'}", not "${state}" (adb connect said: ${said.trim()})`);
          await new Promise((r) => setTimeout(r, 25));
        }
      } finally {
        request.cancel();
      }
    },
    async disconnect(devicePort) {
      const serial = `127.0.0.1:${devicePort}`;
      await adb('disconnect', serial);
      const until = Date.now() + 5_000;
      while ((await devices()).has(serial) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    },
    async stop() {
      try { await hostRequest(port, 'host:kill').reply; } catch { /* already gone */ }
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
