import adbkit, { type Client } from '@devicefarmer/adbkit';
import { UserError } from '../errors.js';
import { isLoopback, resolveAdbServer, type AdbAddressOptions, type AdbServerAddress } from './server-address.js';
import { probeAdbServer, PROBE_TIMEOUT_MS } from './probe-server.js';

export interface AdbConnection {
  client: Client;
  server: AdbServerAddress;
}

const INSTALL_ADB = 'install adb (Debian/Ubuntu: `sudo apt install adb`; other systems: Android SDK Platform-Tools) ' +
  'or point to a running server with --adb-host/--adb-port';

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/**
 * A client for the adb server. A local server that is not running is started
 * with the `adb` binary (adbkit runs `adb -P <port> start-server`; $ADB names
 * another binary); a remote one is never started from here.
 */
export async function connectAdb(opts: AdbAddressOptions): Promise<AdbConnection> {
  const server = resolveAdbServer(opts);
  const where = `${server.host}:${server.port}`;
  const probe = await probeAdbServer(server.host, server.port);
  if (probe.kind === 'refused' && !isLoopback(server.host)) {
    throw new UserError(`no adb server answers at ${where} (from ${server.source}): start it there with \`adb -a -P ${server.port} server nodaemon\`, or check the address`);
  }
  if (probe.kind === 'silent') {
    throw new UserError(`nothing answered like an adb server at ${where} (from ${server.source}) within ${PROBE_TIMEOUT_MS / 1000} s: ` +
      `check the address and port (the adb server's default port is 5037); if it is your own server, restart it with \`adb kill-server\` then \`adb start-server\``);
  }
  if (probe.kind === 'other') {
    throw new UserError(`${where} (from ${server.source}) answered but is not an adb server (it said '${probe.said}'): ` +
      'another program uses that port; give the adb server\'s port with --adb-port (default 5037)');
  }
  if (probe.kind === 'error') {
    throw new UserError(`cannot reach the adb server at ${where} (from ${server.source}): ${probe.message} (check the address, or the network for a remote server)`);
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
