import type { DeviceClient } from '@devicefarmer/adbkit';
import { shQuote } from './quote.js';
import { appProcessCommand, startSession, type RecorderSession } from './start-recorder.js';

/** The recorder's play mode (docs/recorder.md), wrapped like recording so we learn its pid. */
export function playerCommand(remoteWav: string): string {
  return appProcessCommand(`play --in ${shQuote(remoteWav)}`, remoteWav);
}

export function startPlayer(device: DeviceClient, remoteWav: string): Promise<RecorderSession> {
  return startSession(device, playerCommand(remoteWav));
}
