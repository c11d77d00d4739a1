import { Command } from 'commander';
import { resolve } from 'node:path';
import { convertAudio } from '../../audio/wav.js';
import { writeOutputStream } from '../../util/atomic.js';
import { UsageError } from '../../errors.js';
import { makeIo, info, warn } from '../../util/output.js';

interface ConvertFlags {
  output: string;
  json?: boolean;
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('write a WAV file as training sees it: 16 kHz mono 16-bit (to listen to it, or compare with other tools)')
    .argument('<in.wav>', 'any WAV file (PCM 8/16/24/32-bit, float, µ-law, A-law, IMA ADPCM), MP3, FLAC, Ogg Opus/Vorbis, or M4A/AAC with ffmpeg installed; any rate, channels and length')
    .requiredOption('-o, --output <out.wav>', 'where to write the 16 kHz mono 16-bit WAV')
    .option('--json', 'print one JSON object (source format, conversion, warnings, output) instead of text')
    .action(async (input: string, flags: ConvertFlags, cmd: Command) => {
      const io = makeIo(cmd.optsWithGlobals<{ verbose?: boolean }>().verbose);
      if (resolve(flags.output) === resolve(input)) {
        throw new UsageError(`the output ${flags.output} is the input file: give another name with -o`);
      }
      // Block by block, straight to the output: any length in a few megabytes.
      const audio = await writeOutputStream(flags.output, (write) => convertAudio(input, write));
      info(io, audio.conversion ? `converted ${input}: ${audio.conversion}` : `${input} already is 16 kHz mono 16-bit: samples copied unchanged`);
      for (const w of audio.warnings) warn(io, w);

      const seconds = audio.sampleCount / audio.sampleRate;
      if (flags.json) {
        io.out.write(JSON.stringify({
          input,
          output: flags.output,
          source: audio.source,
          conversion: audio.conversion,
          warnings: audio.warnings,
          sampleRate: audio.sampleRate,
          channels: 1,
          bitsPerSample: 16,
          samples: audio.sampleCount,
          seconds,
        }) + '\n');
      } else {
        io.out.write(`${flags.output}: ${seconds.toFixed(2)} s, ${audio.sampleCount} samples, 16000 Hz mono 16-bit\n`);
      }
    });
}
