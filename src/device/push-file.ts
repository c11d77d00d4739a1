import type { DeviceClient } from '@devicefarmer/adbkit';
import { PassThrough } from 'node:stream';

/**
 * Writes bytes held in memory to a file on the phone (sync SEND). A byte stream, not
 * Readable.from(buffer): adbkit reads it 64 KiB at a time, while an object-mode stream
 * would go out as one oversized DATA. Ctrl-C cancels the transfer and closes the sync
 * connection before rejecting, so the file cannot be completed after a later `rm`.
 */
export async function pushBuffer(device: DeviceClient, data: Buffer, remotePath: string, signal?: AbortSignal, mode = 0o644): Promise<void> {
  signal?.throwIfAborted();
  const sync = await device.syncService();
  try {
    const source = new PassThrough();
    const transfer = sync.pushStream(source, remotePath, mode);
    source.end(data);
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => { transfer.cancel(); reject(signal?.reason); };
      signal?.addEventListener('abort', onAbort, { once: true });
      transfer.once('end', () => { signal?.removeEventListener('abort', onAbort); resolve(); });
      transfer.once('error', (e: Error) => { signal?.removeEventListener('abort', onAbort); reject(e); });
    });
  } finally {
    sync.end();
  }
}
