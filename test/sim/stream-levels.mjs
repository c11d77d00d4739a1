// A tiny client of openPhoneStream (built dist/): prints each second's level, as `live` would show it.
// Used by test/device-live-stream.test.ts (Ctrl-C must clean the phone up); by hand, against a phone:
//   npm run build && node test/sim/stream-levels.mjs [SERIAL]
import { openPhoneStream } from '../../dist/device/live-stream.js';
import { makeIo } from '../../dist/util/output.js';

const io = makeIo(process.env.DLAUDIO_VERBOSE === '1');
try {
  const stream = await openPhoneStream({ serial: process.argv[2], io });
  process.stderr.write(`streaming from ${stream.label}\n`);
  let samples = 0;
  let peak = 0;
  let sumSquares = 0;
  for await (const block of stream.blocks()) {
    for (const v of block) { peak = Math.max(peak, Math.abs(v)); sumSquares += v * v; }
    samples += block.length;
    if (samples >= stream.sampleRate) {
      const rms = Math.sqrt(sumSquares / samples) / 32768;
      const dbfs = rms > 0 ? (20 * Math.log10(rms)).toFixed(1) : '-inf';
      process.stdout.write(`${samples} samples, peak ${peak}, rms ${dbfs} dBFS, dropped ${stream.droppedSamples()}\n`);
      samples = 0; peak = 0; sumSquares = 0;
    }
  }
  await stream.close();
} catch (e) {
  process.stderr.write(`dlaudio: ${e.message}\n`);
  process.exit(typeof e.exitCode === 'number' ? e.exitCode : 1);
}
