import type { Command } from '../commander.js';
import { loadAudio } from '../../audio/wav.js';
import { SAMPLE_RATE } from '../../audio/frames.js';
import { reconstructSamples } from '../../model/reconstruct.js';
import type { Network } from '../../model/network.js';
import { makeIo, info, warn, type Io } from '../../util/output.js';
import { addDeviceOptions, serialFrom, type DeviceFlags } from '../device-options.js';

interface PlayFlags extends DeviceFlags {
  json?: boolean;
}

export function registerPlay(program: Command): void {
  const cmd = program
    .command('play')
    .description('play a WAV file on the phone\'s speaker (over adb), as 16 kHz mono 16-bit: what training hears')
    .argument('<file.wav>', 'the sound to play (any WAV; converted to 16 kHz mono 16-bit first)')
    .option('--json', 'print one JSON object describing what was played');
  addDeviceOptions(cmd).action(async (file: string, flags: PlayFlags, c: Command) => {
    const io = makeIo(c.optsWithGlobals<{ verbose?: boolean }>().verbose);
    const audio = await loadAudio(file);
    if (audio.conversion) info(io, `converted ${file}: ${audio.conversion}`);
    for (const w of audio.warnings) warn(io, w);
    // Loaded on use: adbkit costs ~0.1-0.2 s of start-up that other commands should not pay.
    const { playOnDevice } = await import('../../device/play.js');
    const r = await playOnDevice({
      serial: serialFrom(flags), samples: audio.samples, sampleRate: audio.sampleRate,
      adbHost: flags.adbHost, adbPort: flags.adbPort, io,
    });
    if (flags.json) io.out.write(JSON.stringify({ path: file, ...r }) + '\n');
    else io.out.write(`${file}: played ${r.seconds.toFixed(2)} s at ${r.sampleRate} Hz on ${r.model}\n`);
  });
}

/**
 * `train --device --play`: what the trained network makes of the recording, played on
 * the phone that recorded it (`serial`).
 */
export async function playReconstruction(io: Io, net: Network, scale: number, samples: Int16Array, device: DeviceFlags): Promise<void> {
  const rec = reconstructSamples(net, scale, samples);
  const clipped = rec.clipped > 0 ? `, ${rec.clipped} samples clipped to 16 bits` : '';
  info(io, `playing the network's reconstruction of the recording (${rec.frames} frames${clipped})`);
  const { playOnDevice } = await import('../../device/play.js');
  await playOnDevice({ serial: serialFrom(device), samples: rec.samples, sampleRate: SAMPLE_RATE, adbHost: device.adbHost, adbPort: device.adbPort, io });
}
