import type { DeviceClient } from '@devicefarmer/adbkit';
import { shQuote } from './quote.js';
import { REMOTE_DEX } from './recorder-dex.js';
import { startSession, type RecorderSession } from './start-recorder.js';

/** The recorder's play mode (docs/recorder.md), wrapped like recording so we learn its pid. */
export function playerCommand(remoteWav: string): string {
  return `echo PID $$; CLASSPATH=${shQuote(REMOTE_DEX)} exec app_process / dlaudio.Recorder play --in ${shQuote(remoteWav)}`;
}

export function startPlayer(device: DeviceClient, remoteWav: string): Promise<RecorderSession> {
  return startSession(device, playerCommand(remoteWav));
}
