import { Command, InvalidArgumentError, Option } from '../commander.js';
import { loadAudio } from '../../audio/wav.js';
import { SAMPLE_RATE } from '../../audio/frames.js';
import { dlaSizes, writeDla, type CodeBits, type CodeRange, type DlaFile } from '../../audio/dla.js';
import { snr } from '../../audio/snr.js';
import { loadModel } from '../../model/model-file.js';
import { describeNetwork } from '../../model/network.js';
import { pcaShapeOf } from '../../model/pca.js';
import { codeKbps, compressSamples, decompressDla, pcmKbps } from '../../model/codec.js';
import { makeIo, info, warn } from '../../util/output.js';
import { fmt, fmtInt, count, fitColumns } from '../render.js';
import { checkOutputPath, clippedText, fmtDb, reconstructAndMeasure, references, referenceLines, referencesJson, snrJson } from '../quality.js';
import { outputToStdout, writeOutput } from '../../util/atomic.js';
import { checkLimit, inferenceWork } from '../../util/limits.js';
import { label } from './reconstruct.js';

interface CompressFlags {
  model: string;
  out: string;
  bits: CodeBits;
  range: CodeRange;
  json?: boolean;
}

export function bitsValue(v: string): CodeBits {
  if (v === '4' || v === '8' || v === '16') return Number(v) as CodeBits;
  throw new InvalidArgumentError('expected 4, 8 or 16 bits per code.');
}

/** "10 × 8 bits × 100 frames/s = 8 kbit/s (16-bit PCM: 256 kbit/s, ×32 less)" */
export function bitrateText(f: Pick<DlaFile, 'codeSize' | 'bits' | 'sampleRate' | 'frameSize'>): string {
  const kbps = codeKbps(f.codeSize, f.bits, f.sampleRate, f.frameSize);
  const pcm = pcmKbps(f.sampleRate);
  return `${f.codeSize} codes × ${f.bits} bits × ${fmt(f.sampleRate / f.frameSize)} frames/s = ${fmt(kbps)} kbit/s   (16-bit PCM: ${fmt(pcm)} kbit/s, ratio ×${fmt(pcm / kbps)})`;
}

/** "11 284 bytes = header 36 + decoder 6 400 + ranges 40 + codes 4 500 + CRC 4" */
export function fileSizeText(f: DlaFile): string {
  const s = dlaSizes(f);
  return `${fmtInt(s.total)} bytes = header ${s.header} + decoder ${fmtInt(s.decoder)} + ranges ${s.maxima} + codes ${fmtInt(s.codes)} + CRC ${s.crc}`;
}

/** "×13.1 smaller than the 16-bit WAV (144 044 bytes)"; on a short file the decoder can make it larger. */
export function fileRatioText(ratio: number, wavBytes: number): string {
  const wav = `the 16-bit WAV (${fmtInt(wavBytes)} bytes)`;
  return ratio >= 1 ? `×${fmt(ratio)} smaller than ${wav}` : `×${fmt(1 / ratio)} larger than ${wav}: on so short a file the decoder's weights outweigh the codes`;
}

/** The .dla against the 16-bit WAV of the same frames (44-byte header). */
export function fileRatio(f: DlaFile): { wavBytes: number; ratio: number } {
  const wavBytes = 44 + 2 * f.frameCount * f.frameSize;
  return { wavBytes, ratio: wavBytes / dlaSizes(f).total };
}

export function registerCompress(program: Command): void {
  program
    .command('compress')
    .description('encode a WAV file with a trained model: each frame\'s code Z, quantised, plus the decoder, in one .dla file')
    .argument('<in.wav>', 'the audio to compress (any WAV; converted to 16 kHz mono)')
    .requiredOption('--model <model.json>', 'the trained model (written by `dlaudio train --save`)')
    .requiredOption('-o, --out <out.dla>', 'where to write the compressed file (-: to stdout, for a pipe)')
    .addOption(new Option('--bits <n>', 'bits per code: 4, 8 or 16').default(8 as CodeBits).argParser(bitsValue))
    .addOption(new Option('--range <mode>', 'quantisation range: each code unit\'s own maximum (unit) or one maximum for all (file)').choices(['unit', 'file']).default('unit'))
    .option('--json', 'print one JSON object instead of the summary')
    .action(async (input: string, flags: CompressFlags, cmd: Command) => {
      const io = makeIo(cmd.optsWithGlobals<{ verbose?: boolean }>().verbose);
      const toStdout = outputToStdout(flags.out, '-o', flags.json);
      if (!toStdout) checkOutputPath(flags.out, '--out', [input, flags.model]);
      const { net, scale } = loadModel(flags.model);
      const audio = await loadAudio(input);
      if (audio.conversion) info(io, `converted ${input}: ${audio.conversion}`);
      for (const w of audio.warnings) warn(io, w);
      checkLimit('work', inferenceWork(net.sizes, Math.floor(audio.samples.length / net.sizes[0])), `compressing ${input} with ${flags.model} would need`, { fix: 'cut the audio or use a smaller model' });

      const dla = compressSamples(net, scale, audio.samples, { bits: flags.bits, range: flags.range, sampleRate: SAMPLE_RATE });
      const dropped = audio.samples.length - dla.frameCount * dla.frameSize;
      if (dropped > 0) info(io, `dropped a trailing partial frame of ${dropped} samples (frames are ${dla.frameSize} samples)`);
      const bytes = writeDla(dla);

      // What the decoder will make of it, measured now against the input (decompress has no input).
      const decoded = decompressDla(dla);
      const unquantised = reconstructAndMeasure(net, scale, audio.samples);
      const original = unquantised.original;
      const s = snr(original, decoded.samples);
      const refs = await references(original, scale, SAMPLE_RATE, pcaShapeOf(net));
      const kbps = codeKbps(dla.codeSize, dla.bits, dla.sampleRate, dla.frameSize);
      const { wavBytes, ratio } = fileRatio(dla);
      // Written once everything is measured: a failure above must not have replaced an existing file.
      await writeOutput(flags.out, bytes);

      if (flags.json) {
        io.out.write(JSON.stringify({
          input,
          model: flags.model,
          network: net.sizes,
          output: flags.out,
          bits: dla.bits,
          range: dla.range,
          frames: dla.frameCount,
          codeSize: dla.codeSize,
          sampleRate: dla.sampleRate,
          kbps,
          pcmKbps: pcmKbps(dla.sampleRate),
          ratio: pcmKbps(dla.sampleRate) / kbps,
          bytes: dlaSizes(dla),
          wavBytes,
          fileRatio: ratio,
          ...snrJson(s),
          clipped: decoded.clipped,
          unquantised: { ...snrJson(unquantised.summary.snr), clipped: unquantised.summary.clipped },
          ...referencesJson(refs, unquantised.summary.loss),
        }) + '\n');
        return;
      }
      const secs = (dla.frameCount * dla.frameSize) / dla.sampleRate;
      const lines = [
        `${label('input:')}${input}, ${count(dla.frameCount, 'frame')} (${secs.toFixed(2)} s)`,
        `${label('model:')}${flags.model} (${describeNetwork(net)})`,
        `${label('output:')}${toStdout ? 'stdout' : flags.out}, ${fileSizeText(dla)}`,
        `${label('bitrate:')}${bitrateText(dla)}`,
        `${label('file:')}${fileRatioText(ratio, wavBytes)}${ratio >= 1 ? '; the decoder\'s weights travel in the file' : ''}`,
        `${label('SNR:')}${fmtDb(s.snr)}   segmental ${fmtDb(s.segmental)}   (codes at ${dla.bits} bits, ${dla.range === 'unit' ? 'per-unit' : 'per-file'} range; unquantised: ${fmtDb(unquantised.summary.snr.snr)})`,
        `${label('clipped:')}${clippedText(decoded.clipped, decoded.samples.length)}`,
        ...referenceLines(refs, label),
      ];
      (toStdout ? io.err : io.out).write(fitColumns(lines.join('\n')) + '\n');
    });
}
