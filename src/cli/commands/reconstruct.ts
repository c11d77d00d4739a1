import { Command } from 'commander';
import { loadAudio } from '../../audio/wav.js';
import { SAMPLE_RATE } from '../../audio/frames.js';
import { loadModel } from '../../model/model-file.js';
import { checkLimit, inferenceWork } from '../../util/limits.js';
import { describeNetwork } from '../../model/network.js';
import { pcaShapeOf } from '../../model/pca.js';
import { makeIo, info, warn } from '../../util/output.js';
import { fmt, count, fitColumns } from '../render.js';
import { defaultAudioPath } from './train.js';
import { checkDistinctOutputs, checkOutputPath, clippedText, fmtDb, pcaLossLine, reconstructAndMeasure, references, referenceLines, referencesJson, snrJson, subspaceJson, subspaceLine, writeWav } from '../quality.js';
import { codeSubspace } from '../../model/subspace.js';

interface ReconstructFlags {
  model: string;
  wav?: string;
  out?: string;
  json?: boolean;
  report?: string;
}

export const label = (s: string): string => s.padEnd(18);

export function registerReconstruct(program: Command): void {
  program
    .command('reconstruct')
    .description('put every frame of a WAV file through a trained model and write what comes out (to listen to it), with its SNR')
    .requiredOption('--model <model.json>', 'the model to use (written by `dlaudio train --save`)')
    .option('--wav <file>', 'audio to reconstruct (any WAV; converted to 16 kHz mono); default: recording.wav if here, else the bundled sample')
    .option('-o, --out <out.wav>', 'write the reconstruction here (16 kHz mono 16-bit WAV); without it only the numbers are printed')
    .option('--json', 'print one JSON object instead of the summary')
    .option('--report <file.html>', 'also write one self-contained HTML page: original and reconstruction to listen to, waveforms, the numbers')
    .action(async (flags: ReconstructFlags, cmd: Command) => {
      const io = makeIo(cmd.optsWithGlobals<{ verbose?: boolean }>().verbose);
      // Same default as train: the model was most likely just trained on the student's recording.
      const fallback = flags.wav === undefined ? defaultAudioPath('reconstructing') : undefined;
      const wav = flags.wav ?? fallback!.path;
      if (flags.out !== undefined) checkOutputPath(flags.out, '--out', [wav, flags.model]);
      if (flags.report !== undefined) {
        await (await import('../report/data.js')).checkReportPath(flags.report);
        checkOutputPath(flags.report, '--report', [wav, flags.model]);
      }
      checkDistinctOutputs([['--out', flags.out], ['--report', flags.report]]);
      const { net, scale } = loadModel(flags.model);
      if (fallback !== undefined && !flags.json) info(io, fallback.note);
      const audio = await loadAudio(wav);
      if (audio.conversion) info(io, `converted ${wav}: ${audio.conversion}`);
      for (const w of audio.warnings) warn(io, w);
      checkLimit('work', inferenceWork(net.sizes, Math.floor(audio.samples.length / net.sizes[0])), `reconstructing ${wav} with ${flags.model} would need`, { fix: 'cut the audio or use a smaller model' });

      const r = reconstructAndMeasure(net, scale, audio.samples);
      const dropped = audio.samples.length - r.original.length;
      if (dropped > 0) info(io, `dropped a trailing partial frame of ${dropped} samples (frames are ${net.sizes[0]} samples)`);
      if (flags.out !== undefined) await writeWav(flags.out, r.samples, SAMPLE_RATE);
      const refs = await references(r.original, scale, SAMPLE_RATE, pcaShapeOf(net));
      const s = r.summary;
      const fit = codeSubspace(net, refs.pca.ref);
      if (flags.report !== undefined) {
        // Loaded on use, as in train.
        const [{ writeHtmlReport }, { buildReportData }] = await Promise.all([import('../report/html.js'), import('../report/data.js')]);
        await writeHtmlReport(flags.report, buildReportData({
          title: `dlaudio reconstruct: ${net.sizes.join(' → ')}`,
          source: wav,
          config: { model: flags.model, network: describeNetwork(net), scale, frames: s.frames, sampleRate: SAMPLE_RATE },
          seed: null,
          finalLoss: null,
          modelLoss: s.loss,
          net,
          scale,
          samples: audio.samples,
          sampleRate: SAMPLE_RATE,
          pca: refs.pca.ref,
          reconstruction: { samples: r.samples, original: r.original, clipped: s.clipped, snr: s.snr },
        }));
        info(io, `report written to ${flags.report}`);
      }

      if (flags.json) {
        io.out.write(JSON.stringify({
          input: wav,
          model: flags.model,
          network: net.sizes,
          scale,
          output: flags.out ?? null,
          frames: s.frames,
          sampleRate: SAMPLE_RATE,
          ...snrJson(s.snr),
          clipped: s.clipped,
          loss: s.loss,
          ...referencesJson(refs, s.loss),
          subspace: fit && subspaceJson(fit),
        }) + '\n');
        return;
      }
      const secs = (s.frames * net.sizes[0]) / SAMPLE_RATE;
      const lines = [
        `${label('input:')}${wav}, ${count(s.frames, 'frame')} (${secs.toFixed(2)} s)`,
        `${label('model:')}${flags.model} (${describeNetwork(net)})`,
        `${label('output:')}${flags.out !== undefined ? `${flags.out} (16 kHz mono 16-bit)` : 'none (add --out recon.wav to listen to it)'}`,
        `${label('SNR:')}${fmtDb(s.snr.snr)}   segmental ${fmtDb(s.snr.segmental)}`,
        `${label('clipped:')}${clippedText(s.clipped, r.samples.length)}`,
        `${label('loss:')}${fmt(s.loss)}   (mean Σ(Y−X)² per frame; ${pcaLossLine(refs.pca.ref, s.loss)})`,
        ...(fit ? [subspaceLine(fit, label('subspace:'))] : []),
        ...referenceLines(refs, label),
      ];
      io.out.write(fitColumns(lines.join('\n')) + '\n');
    });
}
