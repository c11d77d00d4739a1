import { connect as netConnect } from 'node:net';

/** How a TCP address answered a `host:version` request, adb's smallest one. */
export type ServerProbe =
  | { kind: 'adb' }
  | { kind: 'refused' }
  /** Accepted the connection (or not) but said nothing within the time limit. */
  | { kind: 'silent' }
  /** Answered with something that is not adb's OKAY/FAIL: its first printable characters. */
  | { kind: 'other'; said: string }
  | { kind: 'error'; code: string; message: string };

/** A few seconds: a local server answers in milliseconds, a remote one over Wi-Fi in well under a second. */
export const PROBE_TIMEOUT_MS = 3000;

/**
 * Sends `host:version` and reads the first four bytes. adbkit has no connect or reply
 * timeout, so without this a port where something silent listens hangs forever.
 */
export function probeAdbServer(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<ServerProbe> {
  return new Promise((resolve) => {
    const socket = netConnect(port, host);
    let got = Buffer.alloc(0);
    const done = (p: ServerProbe) => { clearTimeout(timer); socket.destroy(); resolve(p); };
    const timer = setTimeout(() => done(got.length ? other(got) : { kind: 'silent' }), timeoutMs);
    socket.once('connect', () => socket.write('000chost:version'));
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length < 4) return;
      const status = got.toString('latin1', 0, 4);
      done(status === 'OKAY' || status === 'FAIL' ? { kind: 'adb' } : other(got));
    });
    socket.once('end', () => done(got.length ? other(got) : { kind: 'silent' }));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? '';
      done(code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'error', code, message: e.message });
    });
  });
}

function other(got: Buffer): ServerProbe {
  // Printable ASCII only, on one line: the message quotes it.
  const said = got.subarray(0, 60).toString('latin1').split(/[\r\n]/)[0].replace(/[^\x20-\x7e]/g, '?').trim();
  return { kind: 'other', said };
}
