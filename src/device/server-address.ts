import { UsageError } from '../errors.js';

export interface AdbServerAddress {
  host: string;
  port: number;
  /** Where the address came from, for error messages. */
  source: string;
}

export interface AdbAddressOptions {
  adbHost?: string;
  adbPort?: number;
}

function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new UsageError(`${what}: "${text}" is not a TCP port (1-65535)`);
  return port;
}

/**
 * The adb server to talk to, with the same precedence as adb itself:
 * --adb-host/--adb-port, then ADB_SERVER_SOCKET=tcp:host:port, then
 * ANDROID_ADB_SERVER_ADDRESS / ANDROID_ADB_SERVER_PORT, then 127.0.0.1:5037.
 */
export function resolveAdbServer(opts: AdbAddressOptions, env: NodeJS.ProcessEnv = process.env): AdbServerAddress {
  let host = '127.0.0.1';
  let port = 5037;
  let source = 'the default adb server';
  const envHost = env.ANDROID_ADB_SERVER_ADDRESS;
  const envPort = env.ANDROID_ADB_SERVER_PORT;
  if (envHost) { host = envHost; source = 'ANDROID_ADB_SERVER_ADDRESS'; }
  if (envPort) { port = parsePort(envPort, 'ANDROID_ADB_SERVER_PORT'); source = 'ANDROID_ADB_SERVER_PORT'; }
  const socket = env.ADB_SERVER_SOCKET;
  if (socket) {
    const m = /^tcp:(?:(.+):)?(\d+)$/.exec(socket);
    if (!m) throw new UsageError(`ADB_SERVER_SOCKET="${socket}" is not of the form tcp:HOST:PORT`);
    host = m[1] ?? 'localhost';
    port = parsePort(m[2], 'ADB_SERVER_SOCKET');
    source = 'ADB_SERVER_SOCKET';
  }
  if (opts.adbHost !== undefined) { host = opts.adbHost; source = '--adb-host'; }
  if (opts.adbPort !== undefined) { port = opts.adbPort; source = '--adb-port'; }
  return { host, port, source };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
