import type { DeviceClient } from '@devicefarmer/adbkit';

/**
 * Pulls a whole file into memory. adbkit's pull may end its stream before it
 * reports a failure (FAIL, or a cut connection ends the output early), so the
 * bytes received are compared with the size `stat` announced.
 */
export async function pullFile(device: DeviceClient, remotePath: string, signal?: AbortSignal): Promise<Buffer> {
  const sync = await device.syncService();
  try {
    const stats = await sync.stat(remotePath);
    const size = Number(stats.size);
    const transfer = sync.pull(remotePath);
    const chunks: Buffer[] = [];
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => { transfer.cancel(); reject(signal?.reason); };
      signal?.addEventListener('abort', onAbort, { once: true });
      transfer.on('data', (c: Buffer) => { chunks.push(c); received += c.length; });
      transfer.once('end', () => {
        signal?.removeEventListener('abort', onAbort);
        if (received === size) resolve();
        else reject(new Error(`Premature end of stream: received ${received} of ${size} bytes of ${remotePath}`));
      });
      transfer.once('error', (e: Error) => { signal?.removeEventListener('abort', onAbort); reject(e); });
    });
    return Buffer.concat(chunks, received);
  } finally {
    sync.end();
  }
}
