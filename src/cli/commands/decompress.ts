import { Command } from '../commander.js';
import { loadAudio } from '../../audio/wav.js';
import { readDla, type DlaFile } from '../../audio/dla.js';
import { snr } from '../../audio/snr.js';
import { codeKbps, decompressDla, pcmKbps } from '../../model/codec.js';
import { pcaShapeOfDecoder } from '../../model/pca.js';
import { UserError } from '../../errors.js';
import { readInputFile } from '../../util/input-file.js';
import { outputToStdout } from '../../util/atomic.js';
import { makeIo, info, warn } from '../../util/output.js';
import { checkOutputPath, clippedText, fmtDb, references, referenceLines, referencesJson, snrJson, writeWav } from '../quality.js';
import { bitrateText, fileRatio, fileRatioText, fileSizeText } from './compress.js';
import { label } from './reconstruct.js';
import { fmt, fmtInt, count, fitColumns } from '../render.js';

interface DecompressFlags {
  out: string;
  ref?: string;
  json?: boolean;
}

export function readDlaFile(path: string): DlaFile {
  const bytes = readInputFile(path, {
    kind: '.dla file',
    hint: 'give the file written by `dlaudio compress`',
    notFound: `${path}: no such file (write one with \`dlaudio compress in.wav --model model.json -o ${path}\`)`,
  });
  return readDla(bytes, path);
}

function decoderText(f: DlaFile): string {
  const sizes = [f.decoder[0].inSize, ...f.decoder.map((l) => l.outSize)];
  return sizes.join(' → ') + (f.decoder[0].b ? ', with biases' : '');
}

export function registerDecompress(program: Command): void {
  program
    .command('decompress')
    .description('decode a .dla file (written by `dlaudio compress`) back to a 16 kHz mono WAV; it needs no model: the decoder is in the file')
    .argument('<in.dla>', 'the compressed file')
    .requiredOption('-o, --out <out.wav>', 'where to write the decoded audio (16 kHz mono 16-bit WAV; -: to stdout, for a pipe)')
    .option('--ref <original.wav>', 'the original audio: print the SNR of the decoded audio against it (a .dla does not keep the original)')
    .option('--json', 'print one JSON object instead of the summary')
    .action(async (input: string, flags: DecompressFlags, cmd: Command) => {
      const io = makeIo(cmd.optsWithGlobals<{ verbose?: boolean }>().verbose);
      const toStdout = outputToStdout(flags.out, '-o', flags.json);
      if (!toStdout) checkOutputPath(flags.out, '--out', [input, ...(flags.ref !== undefined ? [flags.ref] : [])]);
      const dla = readDlaFile(input);
      const decoded = decompressDla(dla);

      // --ref is read before writing: a bad one must not leave an output behind with an error.
      let compared: { snr: ReturnType<typeof snr>; refs: Awaited<ReturnType<typeof references>>; frames: number } | null = null;
      if (flags.ref !== undefined) {
        const audio = await loadAudio(flags.ref);
        if (audio.conversion) info(io, `converted ${flags.ref}: ${audio.conversion}`);
        for (const w of audio.warnings) warn(io, w);
        if (audio.sampleRate !== dla.sampleRate) throw new UserError(`${flags.ref} is at ${audio.sampleRate} Hz but ${input} at ${dla.sampleRate} Hz: they cannot be compared`);
        const refFrames = Math.floor(audio.samples.length / dla.frameSize);
        const frames = Math.min(refFrames, dla.frameCount);
        if (refFrames !== dla.frameCount) warn(io, `${flags.ref} has ${refFrames} frames and ${input} ${dla.frameCount}: comparing the first ${frames} (is it the file that was compressed?)`);
        const original = audio.samples.slice(0, frames * dla.frameSize);
        compared = {
          snr: snr(original, decoded.samples.subarray(0, original.length)),
          refs: await references(original, dla.scale, dla.sampleRate, pcaShapeOfDecoder(dla.decoder)),
          frames,
        };
      }
      await writeWav(flags.out, decoded.samples, dla.sampleRate);
      const kbps = codeKbps(dla.codeSize, dla.bits, dla.sampleRate, dla.frameSize);
      const { wavBytes, ratio } = fileRatio(dla);

      if (flags.json) {
        io.out.write(JSON.stringify({
          input,
          output: flags.out,
          bits: dla.bits,
          range: dla.range,
          frames: dla.frameCount,
          codeSize: dla.codeSize,
          decoder: [dla.decoder[0].inSize, ...dla.decoder.map((l) => l.outSize)],
          scale: dla.scale,
          sampleRate: dla.sampleRate,
          kbps,
          pcmKbps: pcmKbps(dla.sampleRate),
          ratio: pcmKbps(dla.sampleRate) / kbps,
          wavBytes,
          fileRatio: ratio,
          clipped: decoded.clipped,
          ref: flags.ref ?? null,
          ...(compared ? { comparedFrames: compared.frames, ...snrJson(compared.snr), ...referencesJson(compared.refs) } : {}),
        }) + '\n');
        return;
      }
      const secs = (dla.frameCount * dla.frameSize) / dla.sampleRate;
      const lines = [
        `${label('input:')}${input}, ${fileSizeText(dla)}`,
        `${label('codes:')}${count(dla.frameCount, 'frame')} (${secs.toFixed(2)} s) of ${dla.codeSize} codes at ${dla.bits} bits, ${dla.range === 'unit' ? 'per-unit' : 'per-file'} range; decoder ${decoderText(dla)}`,
        `${label('output:')}${toStdout ? 'stdout' : flags.out} (${fmt(dla.sampleRate / 1000)} kHz mono 16-bit)`,
        `${label('bitrate:')}${bitrateText(dla)}`,
        `${label('file:')}${fileRatioText(ratio, wavBytes)}`,
        `${label('clipped:')}${clippedText(decoded.clipped, decoded.samples.length)}`,
      ];
      if (compared) {
        lines.push(`${label('SNR:')}${fmtDb(compared.snr.snr)}   segmental ${fmtDb(compared.snr.segmental)}   (against ${flags.ref})`);
        lines.push(...referenceLines(compared.refs, label));
      } else {
        lines.push(`${label('SNR:')}add --ref original.wav to compare with the original (a .dla does not keep it)`);
      }
      (toStdout ? io.err : io.out).write(fitColumns(lines.join('\n')) + '\n');
    });
}
