/**
 * Device side of the SYNC protocol (AOSP adb/SYNC.TXT): requests are a 4-byte
 * id + 4-byte little-endian length (+ payload); STAT, LIST, SEND, RECV, QUIT.
 */
import type { SimFile } from './shell.js';

const MAX_DATA = 64 * 1024;

export interface SyncStreamOut {
  write(data: Buffer): void;
  /** Cut the whole device connection once everything queued before it was delivered. */
  dropConnection(): void;
  end(): void;
}

export interface SyncOptions {
  fs: Map<string, SimFile>;
  /** Cut the connection after this many file bytes of a RECV (a cable pulled mid-transfer). */
  dropPullAfterBytes?: number;
  pulls: string[];
  pushes: string[];
  /** SEND is refused like adbd does when it cannot create the file: FAIL after the data. */
  pushRefused?: boolean;
}

function u32(n: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; }
function reply(id: string, ...parts: Buffer[]): Buffer { return Buffer.concat([Buffer.from(id, 'ascii'), ...parts]); }
function fail(message: string): Buffer { return reply('FAIL', u32(Buffer.byteLength(message)), Buffer.from(message)); }

export class SyncSession {
  private buf = Buffer.alloc(0);
  private sending?: { path: string; mode: number; chunks: Buffer[] };

  constructor(private readonly out: SyncStreamOut, private readonly opts: SyncOptions) {}

  onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 8) {
      const id = this.buf.toString('ascii', 0, 4);
      const len = this.buf.readUInt32LE(4);
      // DONE carries an mtime, not a length.
      const bodyLen = id === 'DONE' || id === 'QUIT' ? 0 : len;
      if (this.buf.length < 8 + bodyLen) return;
      const body = this.buf.subarray(8, 8 + bodyLen);
      this.buf = this.buf.subarray(8 + bodyLen);
      this.handle(id, len, body);
    }
  }

  private handle(id: string, len: number, body: Buffer): void {
    const { fs } = this.opts;
    if (this.sending) {
      if (id === 'DATA') { this.sending.chunks.push(Buffer.from(body)); return; }
      if (id === 'DONE') {
        if (this.opts.pushRefused) {
          this.sending = undefined;
          this.out.write(fail("couldn't create file: Permission denied"));
          return;
        }
        fs.set(this.sending.path, { data: Buffer.concat(this.sending.chunks), mode: this.sending.mode, mtime: len });
        this.opts.pushes.push(this.sending.path);
        this.sending = undefined;
        this.out.write(reply('OKAY', u32(0)));
        return;
      }
      this.out.write(fail(`unexpected ${id} during SEND`));
      return;
    }
    const path = body.toString('utf8');
    switch (id) {
      case 'STAT': {
        const f = fs.get(path);
        this.out.write(reply('STAT', u32(f ? f.mode : 0), u32(f ? f.data.length : 0), u32(f ? f.mtime : 0)));
        return;
      }
      case 'LIST': {
        const dir = path.endsWith('/') ? path : path + '/';
        const parts: Buffer[] = [];
        for (const [p, f] of fs) {
          if (!p.startsWith(dir) || p.slice(dir.length).includes('/')) continue;
          const name = Buffer.from(p.slice(dir.length));
          parts.push(reply('DENT', u32(f.mode), u32(f.data.length), u32(f.mtime), u32(name.length), name));
        }
        parts.push(reply('DONE', Buffer.alloc(16)));
        this.out.write(Buffer.concat(parts));
        return;
      }
      case 'SEND': {
        const comma = path.lastIndexOf(',');
        this.sending = { path: path.slice(0, comma), mode: Number(path.slice(comma + 1)), chunks: [] };
        return;
      }
      case 'RECV': {
        const f = fs.get(path);
        this.opts.pulls.push(path);
        if (!f) { this.out.write(fail('No such file or directory')); return; }
        const limit = this.opts.dropPullAfterBytes;
        const data = limit === undefined ? f.data : f.data.subarray(0, limit);
        for (let off = 0; off < data.length; off += MAX_DATA) {
          const chunk = data.subarray(off, off + MAX_DATA);
          this.out.write(reply('DATA', u32(chunk.length), chunk));
        }
        if (limit !== undefined && limit < f.data.length) { this.out.dropConnection(); return; }
        this.out.write(reply('DONE', u32(0)));
        return;
      }
      case 'QUIT':
        this.out.end();
        return;
      default:
        this.out.write(fail(`unsupported sync request ${id}`));
    }
  }
}
