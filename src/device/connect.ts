import adbkit, { type Client } from '@devicefarmer/adbkit';
import { connect as netConnect } from 'node:net';
import { UserError } from '../errors.js';
import { isLoopback, resolveAdbServer, type AdbAddressOptions, type AdbServerAddress } from './server-address.js';

export interface AdbConnection {
  client: Client;
  server: AdbServerAddress;
}

const INSTALL_ADB = 'install adb (Debian/Ubuntu: `sudo apt install adb`; other systems: Android SDK Platform-Tools) ' +
  'or point to a running server with --adb-host/--adb-port';

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect(port, host);
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', (e) => resolve(errorCode(e) === 'ECONNREFUSED'));
  });
}

/**
 * A client for the adb server. A local server that is not running is started
 * with the `adb` binary (adbkit runs `adb -P <port> start-server`; $ADB names
 * another binary); a remote one is never started from here.
 */
export async function connectAdb(opts: AdbAddressOptions): Promise<AdbConnection> {
  const server = resolveAdbServer(opts);
  const where = `${server.host}:${server.port}`;
  if (!isLoopback(server.host) && await refused(server.host, server.port)) {
    throw new UserError(`no adb server answers at ${where} (from ${server.source}): start it there with \`adb -a -P ${server.port} server nodaemon\`, or check the address`);
  }
  const client = adbkit.Adb.createClient({ host: server.host, port: server.port, bin: process.env.ADB || 'adb' });
  try {
    await client.version();
  } catch (e) {
    const code = errorCode(e);
    if (code === 'ENOENT') {
      throw new UserError(`no adb server is running at ${where} and the \`adb\` program was not found to start one: ${INSTALL_ADB}`, 1, { cause: e });
    }
    if (code === 'ECONNREFUSED') {
      throw new UserError(`no adb server answers at ${where} (from ${server.source}) and starting one did not help: run \`adb start-server\` and look at its messages`, 1, { cause: e });
    }
    const detail = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new UserError(`cannot talk to the adb server at ${where}: ${detail} (try \`adb kill-server\`, then run again)`, 1, { cause: e });
  }
  return { client, server };
}
