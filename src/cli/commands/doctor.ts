import type { Command } from '../commander.js';
import { EXIT } from '../../errors.js';
import { makeIo } from '../../util/output.js';
import { addDeviceOptions, serialFrom, type DeviceFlags } from '../device-options.js';

interface DoctorFlags extends DeviceFlags {
  json?: boolean;
  play: boolean;
}

export function registerDoctor(program: Command): void {
  const cmd = program
    .command('doctor')
    .description('check a phone before class: adb, authorisation, Android version, the recorder, a 1-second test recording, a 1-second live stream and a test tone (docs/recorder.md)')
    .option('--no-play', 'skip the test tone')
    .option('--json', 'print one JSON object with every step');
  addDeviceOptions(cmd).action(async (flags: DoctorFlags, c: Command) => {
    const io = makeIo(c.optsWithGlobals<{ verbose?: boolean }>().verbose);
    // Loaded on use: adbkit costs ~0.1-0.2 s of start-up that other commands should not pay.
    const { runDoctor, renderDoctor, doctorPassed } = await import('../../device/doctor.js');
    const steps = await runDoctor({ serial: serialFrom(flags), adbHost: flags.adbHost, adbPort: flags.adbPort, play: flags.play, io });
    const ok = doctorPassed(steps);
    if (flags.json) io.out.write(JSON.stringify({ ok, steps }, null, 2) + '\n');
    else io.out.write(renderDoctor(steps) + (ok ? 'All checks passed: this phone is ready for class.\n' : 'Some checks failed: fix the first ❌ above, then run `dlaudio doctor` again.\n'));
    if (!ok) process.exitCode = EXIT.failure;
  });
}
