import type { DeviceClient } from '@devicefarmer/adbkit';
import { shellOutput } from './shell.js';

export interface DeviceInfo {
  model: string;
  /** Android version as shown to users (e.g. "14"). */
  release: string;
  /** API level (ro.build.version.sdk); NaN when the phone does not say. */
  sdk: number;
}

/** Android 11 (API 30) is the first that lets the shell user capture the microphone. */
export const MIN_RECORD_SDK = 30;

export function canRecord(info: DeviceInfo): boolean {
  return info.sdk >= MIN_RECORD_SDK;
}

/** AudioTrack.Builder, which the player uses, exists from Android 6 (API 23). */
export const MIN_PLAY_SDK = 23;

export function canPlay(info: DeviceInfo): boolean {
  return info.sdk >= MIN_PLAY_SDK;
}

// Three properties instead of adbkit's getProperties(): a real phone has ~1000 (tens of kB over USB).
const PROPS = ['ro.product.model', 'ro.build.version.release', 'ro.build.version.sdk'] as const;

export async function getDeviceInfo(device: DeviceClient): Promise<DeviceInfo> {
  const out = await shellOutput(device, PROPS.map((p) => `getprop ${p}`).join('; '));
  const [model = '', release = '', sdk = ''] = out.split('\n').map((l) => l.trim());
  return { model: model || 'Android device', release: release || '?', sdk: sdk ? Number(sdk) : Number.NaN };
}
