/**
 * ADB transport messages (AOSP adb/protocol.txt): a 24-byte little-endian
 * header (command, arg0, arg1, data length, data checksum, command ^ 0xffffffff)
 * followed by the payload.
 */
export const A_CNXN = 0x4e584e43;
export const A_AUTH = 0x48545541;
export const A_OPEN = 0x4e45504f;
export const A_OKAY = 0x59414b4f;
export const A_CLSE = 0x45534c43;
export const A_WRTE = 0x45545257;

export const AUTH_TOKEN = 1;
export const AUTH_SIGNATURE = 2;
export const AUTH_RSAPUBLICKEY = 3;

export const A_VERSION_SKIP_CHECKSUM = 0x01000001;

export interface Packet {
  command: number;
  arg0: number;
  arg1: number;
  data: Buffer;
}

function checksum(data: Buffer): number {
  let sum = 0;
  for (const b of data) sum = (sum + b) >>> 0;
  return sum;
}

export function encodePacket(p: Packet): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(p.command, 0);
  header.writeUInt32LE(p.arg0 >>> 0, 4);
  header.writeUInt32LE(p.arg1 >>> 0, 8);
  header.writeUInt32LE(p.data.length, 12);
  // Always sent: an old host that still verifies checksums accepts it, a new one ignores it.
  header.writeUInt32LE(checksum(p.data), 16);
  header.writeUInt32LE((p.command ^ 0xffffffff) >>> 0, 20);
  return Buffer.concat([header, p.data]);
}

/** Accumulates socket bytes and yields whole packets. Checksums are not verified (hosts send 0 once negotiated). */
export class PacketReader {
  private buf = Buffer.alloc(0);

  push(chunk: Buffer): Packet[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Packet[] = [];
    while (this.buf.length >= 24) {
      const command = this.buf.readUInt32LE(0);
      const magic = this.buf.readUInt32LE(20);
      if (((command ^ 0xffffffff) >>> 0) !== magic) throw new Error(`bad ADB packet magic for command 0x${command.toString(16)}`);
      const len = this.buf.readUInt32LE(12);
      if (this.buf.length < 24 + len) break;
      out.push({ command, arg0: this.buf.readUInt32LE(4), arg1: this.buf.readUInt32LE(8), data: this.buf.subarray(24, 24 + len) });
      this.buf = this.buf.subarray(24 + len);
    }
    return out;
  }
}

export function commandName(command: number): string {
  return Buffer.from(Uint32Array.of(command).buffer).toString('latin1');
}
