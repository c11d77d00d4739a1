import { Command, Option } from '../commander.js';
import { convertAudio } from '../../audio/wav.js';
import { outputToStdout, specialFileKind, writeOutputStream } from '../../util/atomic.js';
import { sameFile } from '../../util/paths.js';
import { UsageError } from '../../errors.js';
import { makeIo, info, warn } from '../../util/output.js';

interface ConvertFlags {
  out?: string;
  /** The first spelling of --out, still accepted, hidden from help. */
  output?: string;
  json?: boolean;
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('write a WAV file as training sees it: 16 kHz mono 16-bit (to listen to it, or compare with other tools)')
    .argument('<in.wav>', 'any WAV file (PCM 8/16/24/32-bit, float, µ-law, A-law, IMA ADPCM), MP3, FLAC, Ogg Opus/Vorbis, or M4A/AAC with ffmpeg installed; any rate, channels and length')
    .option('-o, --out <out.wav>', 'where to write the 16 kHz mono 16-bit WAV (required; -: to stdout, for a pipe)')
    .addOption(new Option('--output <out.wav>').hideHelp())
    .option('--json', 'print one JSON object (source format, conversion, warnings, output) instead of text')
    .action(async (input: string, flags: ConvertFlags, cmd: Command) => {
      const io = makeIo(cmd.optsWithGlobals<{ verbose?: boolean }>().verbose);
      // Every command that writes one file takes -o, --out; --output was convert's own spelling.
      const out = flags.out ?? flags.output;
      if (out === undefined) throw new UsageError("required option '-o, --out <out.wav>' not specified: where to write the converted WAV");
      const toStdout = outputToStdout(out, '-o', flags.json);
      const summary = toStdout ? io.err : io.out;
      if (!toStdout && sameFile(out, input)) throw new UsageError(`the output ${out} is the input file: give another name with -o`);
      const special = specialFileKind(out);
      if (!toStdout && special !== null && special !== 'a folder') throw new UsageError(`-o ${out} is ${special}, not a regular file: give a file name`);
      // Block by block, straight to the output: any length in a few megabytes.
      const audio = await writeOutputStream(out, (write) => convertAudio(input, write));
      info(io, audio.conversion ? `converted ${input}: ${audio.conversion}` : `${input} already is 16 kHz mono 16-bit: samples copied unchanged`);
      for (const w of audio.warnings) warn(io, w);

      const seconds = audio.sampleCount / audio.sampleRate;
      if (flags.json) {
        io.out.write(JSON.stringify({
          input,
          output: out,
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
        summary.write(`${toStdout ? 'stdout' : out}: ${seconds.toFixed(2)} s, ${audio.sampleCount} samples, 16000 Hz mono 16-bit\n`);
      }
    });
}
