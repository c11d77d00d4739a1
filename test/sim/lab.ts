/**
 * The device tests' bench: one real adb server per test file, simulated phones attached to it
 * per test, and after each test the phones unplugged and checked for shell lines the
 * simulator could not parse (a CLI command it does not know would otherwise pass silently).
 */
import { beforeAll, afterAll, afterEach, expect } from 'vitest';
import { startAdbServer, type AdbServer } from './adb-server.js';
import { startSimulatedDevice, type SimDevice, type SimDeviceOptions } from './device.js';

export interface PhoneLab {
  readonly server: AdbServer;
  /** A simulated phone (time scaled ×0.05 unless given), attached and listed in `state` (default "device"). */
  phone(opts?: SimDeviceOptions): Promise<SimDevice>;
}

export function usePhoneLab(): PhoneLab {
  let server: AdbServer | undefined;
  const devices: SimDevice[] = [];
  beforeAll(async () => { server = await startAdbServer(); });
  afterAll(async () => { await server?.stop(); });
  afterEach(async () => {
    for (const d of devices.splice(0)) {
      await server?.disconnect(d.port);
      await d.close();
      expect(d.shellErrors, 'shell lines the simulator could not parse').toEqual([]);
    }
  });
  return {
    get server(): AdbServer {
      if (!server) throw new Error('the adb server is not started yet (use the lab inside a test)');
      return server;
    },
    async phone(opts: SimDeviceOptions = {}): Promise<SimDevice> {
      const d = await startSimulatedDevice({ timeScale: 0.05, ...opts });
      devices.push(d);
      await this.server.connect(d.port, opts.state ?? 'device');
      return d;
    },
  };
}
