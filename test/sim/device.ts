/**
 * A simulated Android device: a TCP server speaking the device side of the ADB
 * transport (CNXN/AUTH/OPEN/OKAY/WRTE/CLSE) that a real adb server attaches to
 * with `adb connect 127.0.0.1:<port>`. It offers `shell:` and `sync:` over a
 * small in-memory file system, `localabstract:` sockets, and a fake `app_process`
 * that follows the recorder contract (recording, play and stream mode).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  A_AUTH, A_CLSE, A_CNXN, A_OKAY, A_OPEN, A_WRTE, A_VERSION_SKIP_CHECKSUM, AUTH_RSAPUBLICKEY, AUTH_TOKEN,
  PacketReader, commandName, encodePacket, type Packet,
} from './packet.js';
import { runShell, type PlayerBehaviour, type RecorderBehaviour, type ShellContext, type SimFile, type SimLocalSocket, type SimProcess } from './shell.js';
import { SyncSession } from './sync.js';

export interface SimDeviceOptions {
  model?: string;
  sdk?: number;
  /** 'unauthorized': asks for AUTH and never accepts a key; 'offline': never answers CNXN. */
  state?: 'device' | 'unauthorized' | 'offline';
  recorder?: RecorderBehaviour;
  player?: PlayerBehaviour;
  timeScale?: number;
  dropPullAfterBytes?: number;
  /** ro.serialno: the same value on two simulated devices is one phone over USB and Wi-Fi. */
  serialno?: string;
  /** What `am get-current-user` says (0, the owner, by default). */
  currentUser?: number;
  /** Every SEND fails like adbd's "couldn't create file: Permission denied" (Xiaomi, some rooted phones). */
  pushRefused?: boolean;
  /** The shell's `echo PID $$` output never reaches the host (a Ctrl-C before it arrives). */
  hidePid?: boolean;
  /** Lines `logcat -d` prints (threadtime format). */
  logcat?: string[];
  manufacturer?: string;
  /** Stream mode: how many times faster than real time the microphone gives samples (1 by default). */
  streamSpeed?: number;
  /** adbd refuses every `localabstract:` connection (a policy that blocks adb forwarding). */
  refuseSockets?: boolean;
}

export interface SimDevice {
  port: number;
  /** The serial the adb server gives it. */
  serial: string;
  fs: Map<string, SimFile>;
  processes: SimProcess[];
  /** Every shell command line received, in order. */
  commands: string[];
  /** Shell syntax or commands the simulator does not understand (should stay empty). */
  shellErrors: string[];
  pushes: string[];
  pulls: string[];
  /** Every WAV the fake player accepted (its bytes as pushed). */
  played: Buffer[];
  props: Record<string, string>;
  /** True once a dropPullAfterBytes cut happened (the device then stays unplugged). */
  unplugged(): boolean;
  /** The cable pulled: every connection to the adb server cut, and no new one accepted. */
  unplug(): void;
  close(): Promise<void>;
}

const RELEASES: Record<number, string> = { 28: '9', 29: '10', 30: '11', 31: '12', 32: '12', 33: '13', 34: '14', 35: '15' };
const MAX_PAYLOAD = 256 * 1024;
// SIM_DEBUG=1 prints every packet on stderr.
const debug = process.env.SIM_DEBUG === '1';

interface Stream {
  localId: number;
  remoteId: number;
  queue: (Buffer | 'drop' | 'close')[];
  awaitingOkay: boolean;
  closed: boolean;
  onData(data: Buffer): void;
  /** The host closed the stream, or the transport went away (a local socket's peer then sees EPIPE). */
  onClose?: () => void;
  /** Send queued writes as one WRTE (up to maxData), as adbd does for a socket's bytes. */
  coalesce?: boolean;
}

export async function startSimulatedDevice(opts: SimDeviceOptions = {}): Promise<SimDevice> {
  const model = opts.model ?? 'Pixel 7';
  const sdk = opts.sdk ?? 34;
  const state = opts.state ?? 'device';
  const fs = new Map<string, SimFile>();
  const processes: SimProcess[] = [];
  const commands: string[] = [];
  const shellErrors: string[] = [];
  const pushes: string[] = [];
  const pulls: string[] = [];
  const played: Buffer[] = [];
  const product = model.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  const props: Record<string, string> = {
    'ro.product.model': model,
    'ro.product.manufacturer': opts.manufacturer ?? 'Google',
    'ro.product.brand': (opts.manufacturer ?? 'Google').toLowerCase(),
    'ro.build.version.security_patch': '2024-05-05',
    'ro.build.display.id': 'SIM.240505.001',
    'ro.product.name': product,
    'ro.product.device': product,
    'ro.build.version.sdk': String(sdk),
    'ro.build.version.release': RELEASES[sdk] ?? String(sdk - 20),
    'ro.serialno': opts.serialno ?? `SIM${randomBytes(4).toString('hex').toUpperCase()}`,
  };
  let pid = 4200;
  const ctx: ShellContext = {
    fs, props, processes, commands, shellErrors,
    nextPid: () => ++pid,
    recorder: opts.recorder ?? 'ok',
    player: opts.player ?? 'ok',
    played,
    timeScale: opts.timeScale ?? 1,
    killers: new Map(),
    currentUser: opts.currentUser ?? 0,
    hidePid: opts.hidePid ?? false,
    logcat: opts.logcat ?? [],
    abstractSockets: new Map(),
    streamSpeed: opts.streamSpeed ?? 1,
  };
  let isUnplugged = false;
  let port = 0;
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    // Small packets back to back (OKAY then WRTE) would otherwise wait 40 ms for delayed ACKs.
    socket.setNoDelay(true);
    if (isUnplugged) { socket.destroy(); return; }
    serveConnection(socket);
  });

  function serveConnection(socket: Socket): void {
    const reader = new PacketReader();
    const streams = new Map<number, Stream>();
    let nextLocalId = 1;
    let maxData = 4096;
    let online = false;
    const send = (p: Packet) => {
      if (debug) process.stderr.write(`sim ${port} > ${commandName(p.command)} ${p.arg0} ${p.arg1} ${JSON.stringify(p.data.subarray(0, 60).toString('latin1'))}\n`);
      if (!socket.destroyed) socket.write(encodePacket(p));
    };

    const pump = (s: Stream) => {
      // One WRTE in flight per stream: the host answers each with OKAY.
      while (!s.awaitingOkay && s.queue.length) {
        const item = s.queue.shift() as Buffer | 'drop' | 'close';
        if (item === 'drop') {
          isUnplugged = true;
          for (const sock of sockets) sock.destroy();
          return;
        }
        if (item === 'close') {
          if (!s.closed) { s.closed = true; send({ command: A_CLSE, arg0: s.localId, arg1: s.remoteId, data: Buffer.alloc(0) }); }
          streams.delete(s.localId);
          return;
        }
        if (s.closed) continue;
        let data = item;
        if (s.coalesce) {
          const parts = [item];
          let size = item.length;
          while (Buffer.isBuffer(s.queue[0]) && size + s.queue[0].length <= maxData) { size += s.queue[0].length; parts.push(s.queue.shift() as Buffer); }
          data = parts.length > 1 ? Buffer.concat(parts) : item;
        }
        s.awaitingOkay = true;
        send({ command: A_WRTE, arg0: s.localId, arg1: s.remoteId, data });
      }
    };
    const enqueue = (s: Stream, data: Buffer) => {
      for (let off = 0; off < data.length; off += maxData) s.queue.push(data.subarray(off, off + maxData));
      pump(s);
    };

    const open = (remoteId: number, service: string) => {
      const s: Stream = { localId: nextLocalId++, remoteId, queue: [], awaitingOkay: false, closed: false, onData: () => {} };
      if (service.startsWith('shell:')) {
        streams.set(s.localId, s);
        send({ command: A_OKAY, arg0: s.localId, arg1: remoteId, data: Buffer.alloc(0) });
        void runShell(service.slice('shell:'.length), {
          write: (text) => { if (!s.closed) enqueue(s, Buffer.from(text)); },
          writeBytes: (data) => { if (!s.closed) enqueue(s, data); },
          end: () => { s.queue.push('close'); pump(s); },
        }, ctx);
      } else if (service === 'sync:') {
        streams.set(s.localId, s);
        send({ command: A_OKAY, arg0: s.localId, arg1: remoteId, data: Buffer.alloc(0) });
        const session = new SyncSession({
          write: (data) => enqueue(s, data),
          dropConnection: () => { s.queue.push('drop'); pump(s); },
          end: () => { s.queue.push('close'); pump(s); },
        }, { fs, dropPullAfterBytes: opts.dropPullAfterBytes, pulls, pushes, pushRefused: opts.pushRefused });
        s.onData = (d) => session.onData(d);
      } else if (service.startsWith('localabstract:') && !opts.refuseSockets && ctx.abstractSockets.has(service.slice('localabstract:'.length))) {
        // A process listening on an abstract socket (the recorder's stream mode): adbd connects and relays bytes.
        const accept = ctx.abstractSockets.get(service.slice('localabstract:'.length)) as (socket: SimLocalSocket) => void;
        s.coalesce = true;
        streams.set(s.localId, s);
        send({ command: A_OKAY, arg0: s.localId, arg1: remoteId, data: Buffer.alloc(0) });
        const closers: (() => void)[] = [];
        s.onClose = () => { for (const c of closers.splice(0)) c(); };
        accept({
          write: (data) => { if (!s.closed) enqueue(s, data); },
          queuedBytes: () => s.queue.reduce((n, q) => n + (Buffer.isBuffer(q) ? q.length : 0), 0),
          close: () => { s.queue.push('close'); pump(s); },
          onClose: (cb) => { if (s.closed) cb(); else closers.push(cb); },
        });
      } else {
        // Nothing listens there (or an unknown service): adbd refuses the connection.
        send({ command: A_CLSE, arg0: 0, arg1: remoteId, data: Buffer.alloc(0) });
      }
    };
    socket.on('close', () => {
      for (const st of streams.values()) { st.closed = true; st.onClose?.(); }
      streams.clear();
    });

    socket.on('data', (chunk: Buffer) => {
      let packets: Packet[];
      try { packets = reader.push(chunk); } catch { socket.destroy(); return; }
      for (const p of packets) {
        if (debug) process.stderr.write(`sim ${port} < ${commandName(p.command)} ${p.arg0} ${p.arg1} ${JSON.stringify(p.data.subarray(0, 60).toString('latin1'))}\n`);
        switch (p.command) {
          case A_CNXN: {
            maxData = Math.min(p.arg1, MAX_PAYLOAD);
            if (state === 'offline') break;
            if (state === 'unauthorized') {
              send({ command: A_AUTH, arg0: AUTH_TOKEN, arg1: 0, data: randomBytes(20) });
              break;
            }
            online = true;
            // No features advertised: the host then uses the legacy shell and sync, which is what adbkit speaks.
            const banner = `device::ro.product.name=${product};ro.product.model=${model};ro.product.device=${product};`;
            send({ command: A_CNXN, arg0: Math.min(p.arg0, A_VERSION_SKIP_CHECKSUM), arg1: maxData, data: Buffer.from(banner) });
            break;
          }
          case A_AUTH:
            // Never accept a signature or a public key: the user "has not tapped Allow" yet.
            if (p.arg0 !== AUTH_RSAPUBLICKEY) send({ command: A_AUTH, arg0: AUTH_TOKEN, arg1: 0, data: randomBytes(20) });
            break;
          case A_OPEN:
            if (!online) break;
            open(p.arg0, p.data.toString('utf8').replace(/\0+$/, ''));
            break;
          case A_OKAY: {
            const s = streams.get(p.arg1);
            if (s) { s.awaitingOkay = false; pump(s); }
            break;
          }
          case A_WRTE: {
            const s = streams.get(p.arg1);
            if (!s) break;
            send({ command: A_OKAY, arg0: s.localId, arg1: s.remoteId, data: Buffer.alloc(0) });
            s.onData(p.data);
            break;
          }
          case A_CLSE: {
            // The host side went away; a running process keeps running (as with adbd's raw shell).
            const s = streams.get(p.arg1);
            if (s) { s.closed = true; s.queue.length = 0; streams.delete(s.localId); s.onClose?.(); }
            break;
          }
          default:
            break;
        }
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator: no TCP port');
  port = address.port;

  return {
    port,
    serial: `127.0.0.1:${port}`,
    fs, processes, commands, shellErrors, pushes, pulls, played, props,
    unplugged: () => isUnplugged,
    unplug: () => { isUnplugged = true; for (const s of sockets) s.destroy(); },
    close: () => new Promise<void>((resolve) => {
      for (const kill of ctx.killers.values()) kill();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
