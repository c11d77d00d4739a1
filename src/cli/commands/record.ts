import { Option, type Command } from '../commander.js';
import { makeIo, warn } from '../../util/output.js';
import { positiveNumber, intInRange } from '../options.js';
import { addDeviceOptions, serialFrom, type DeviceFlags } from '../device-options.js';

interface RecordFlags extends DeviceFlags {
  seconds: number;
  rate: number;
  out: string;
  json?: boolean;
}

export function registerRecord(program: Command): void {
  const cmd = program
    .command('record')
    .description('record your voice with the phone\'s microphone (Android 11+, over adb) into a WAV file')
    .addOption(new Option('--seconds <s>', 'how long to record (at most 60)').default(5).argParser(positiveNumber))
    .addOption(new Option('--rate <hz>', 'sample rate').default(16000).argParser(intInRange(8000, 48000)))
    .addOption(new Option('-o, --out <file>', 'where to write the WAV (dlaudio train with no --wav trains on recording.wav)').default('recording.wav'))
    .option('--json', 'print one JSON object describing the recording');
  addDeviceOptions(cmd).action(async (flags: RecordFlags, c: Command) => {
    const io = makeIo(c.optsWithGlobals<{ verbose?: boolean }>().verbose);
    // Loaded on use: adbkit costs ~0.1-0.2 s of start-up that other commands should not pay.
    const { recordToFile } = await import('../../device/record.js');
    const { formatDbfs } = await import('../../device/check-wav.js');
    const r = await recordToFile({
      serial: serialFrom(flags), seconds: flags.seconds, rate: flags.rate, out: flags.out,
      adbHost: flags.adbHost, adbPort: flags.adbPort, io,
    });
    for (const w of r.warnings) warn(io, w);
    if (flags.json) {
      io.out.write(JSON.stringify({ ...r, peakDbfs: Number.isFinite(r.peakDbfs) ? r.peakDbfs : null }) + '\n');
    } else {
      io.out.write(`${flags.out}: ${r.seconds.toFixed(2)} s at ${r.sampleRate} Hz from ${r.model}, peak ${formatDbfs(r.peakDbfs)}\n`);
    }
  });
}
