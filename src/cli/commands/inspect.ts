/**
 * `dlaudio inspect MODEL.json [--wav FILE]`: what a saved network learnt, in the terminal. The
 * network and its parameters; each code unit on one line (strongest frequency, share of the
 * signal, a sketch of the waveform it adds); the loss, SNR and subspace figure on a sound.
 */
import { Command } from '../commander.js';
import { loadAudio } from '../../audio/wav.js';
import { FRAME_SIZE, SAMPLE_RATE } from '../../audio/frames.js';
import { loadModel } from '../../model/model-file.js';
import { codeSize, describeNetwork, networkParameterCount } from '../../model/network.js';
import type { UnitWave } from '../../model/inspect.js';
import { codeSubspace } from '../../model/subspace.js';
import { pcaShapeOf } from '../../model/pca.js';
import { makeIo, info, warn } from '../../util/output.js';
import { fmt, count } from '../render.js';
import { parameterSummary, samplePath } from './train.js';
import { fmtDb, pcaJson, pcaLossLine, reconstructAndMeasure, references, snrJson, subspaceJson, subspaceLine } from '../quality.js';

interface InspectFlags {
  wav?: string;
  json?: boolean;
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/**
 * `width` characters for a waveform: each character stands for its share of the samples and shows
 * the one of largest magnitude (with its sign), so a short spike is not averaged away.
 */
export function sparkline(s: ArrayLike<number>, width = 40): string {
  let peak = 0;
  for (let i = 0; i < s.length; i++) peak = Math.max(peak, Math.abs(s[i]!));
  let out = '';
  for (let c = 0; c < width; c++) {
    const a = Math.floor((c * s.length) / width);
    const b = Math.max(a + 1, Math.floor(((c + 1) * s.length) / width));
    let v = 0;
    for (let i = a; i < Math.min(b, s.length); i++) if (Math.abs(s[i]!) > Math.abs(v)) v = s[i]!;
    const level = peak > 0 ? Math.round(((v / peak + 1) / 2) * (BLOCKS.length - 1)) : Math.floor(BLOCKS.length / 2);
    out += BLOCKS[level];
  }
  return out;
}

const hz = (u: UnitWave): string => `${Math.round(u.hz)} Hz`.padStart(7);
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`.padStart(7);

function unitLines(units: readonly UnitWave[]): string[] {
  return units.map((u, i) => `  ${String(i + 1).padStart(2)}  ${String(u.index + 1).padStart(4)}  ${hz(u)}  ${pct(u.share)}  ${`${Math.round(u.active * 100)} %`.padStart(5)}  ${sparkline(u.samples)}`);
}

const label = (s: string): string => s.padEnd(13);

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show what a saved model learnt: its units (strongest frequency, share of the signal, waveform), and its loss, SNR and subspace figure on a sound')
    .argument('<model.json>', 'the model (written by `dlaudio train --save`)')
    .option('--wav <file>', 'the sound to measure on (any WAV; converted to 16 kHz mono); default: the bundled sample')
    .option('--json', 'print one JSON object (the units with their waveforms, the numbers)')
    .action(async (modelPath: string, flags: InspectFlags, cmd: Command) => {
      // Loaded on use: the FFT package is for this command, not for every start of dlaudio.
      const { inspectUnits } = await import('../../model/inspect.js');
      const io = makeIo(cmd.optsWithGlobals<{ verbose?: boolean }>().verbose);
      const { net, scale } = loadModel(modelPath);
      const wav = flags.wav ?? samplePath();
      if (flags.wav === undefined && !flags.json) info(io, `no --wav given: measuring on the bundled sample (${wav})`);
      const audio = await loadAudio(wav);
      if (audio.conversion) info(io, `converted ${wav}: ${audio.conversion}`);
      for (const w of audio.warnings) warn(io, w);

      const n = net.sizes[0]!;
      const r = reconstructAndMeasure(net, scale, audio.samples);
      // Read from the 16-bit samples, divided as they are read (model/frame-data.ts): no float64 copy.
      const frames = { data: { samples: r.original, scale }, count: Math.floor(r.original.length / n) };
      const refs = await references(r.original, scale, SAMPLE_RATE, pcaShapeOf(net));
      const fit = codeSubspace(net, refs.pca.ref);
      const units = inspectUnits(net, frames.data, frames.count, SAMPLE_RATE);
      const s = r.summary;

      if (flags.json) {
        const unitJson = (u: UnitWave) => ({ unit: u.index + 1, share: u.share, active: u.active, hz: u.hz, waveform: Array.from(u.samples) });
        io.out.write(JSON.stringify({
          model: modelPath,
          network: describeNetwork(net),
          layers: net.sizes,
          parameters: networkParameterCount(net),
          compression: n / codeSize(net),
          scale,
          input: wav,
          frames: s.frames,
          loss: s.loss,
          ...snrJson(s.snr),
          pca: pcaJson(refs.pca.ref, s.loss),
          subspace: fit && subspaceJson(fit),
          units: {
            course: units.course,
            atoms: units.atoms.map(unitJson),
            filters: units.filters.map(unitJson),
            atomUnits: units.atomUnits,
            filterUnits: units.filterUnits,
          },
        }) + '\n');
        return;
      }

      const secs = (s.frames * n) / SAMPLE_RATE;
      const lines = [
        `${label('model:')}${modelPath}`,
        `${label('network:')}${describeNetwork(net)}`,
        `${label('parameters:')}${networkParameterCount(net)} = ${parameterSummary(net)}, compression ×${fmt(n / codeSize(net))}`,
        `${label('measured on:')}${wav}, ${count(s.frames, 'frame')} (${secs.toFixed(2)} s)`,
        `${label('loss:')}${fmt(s.loss)}   (mean Σ(Y−X)² per frame)`,
        `${label('')}${pcaLossLine(refs.pca.ref, s.loss)}`,
        ...(fit ? [subspaceLine(fit, label('subspace:'))] : []),
        `${label('SNR:')}${fmtDb(s.snr.snr)}   segmental ${fmtDb(s.snr.segmental)}`,
        '',
      ];
      const head = `   #  unit     peak    share     on  waveform (${FRAME_SIZE} samples)`;
      if (units.course) {
        lines.push(`the ${units.atoms.length} sounds of the code (columns of V), largest share of the signal first:`, head, ...unitLines(units.atoms));
      } else {
        const of = (shown: number, total: number): string => (shown < total ? `the ${shown} largest of ${total}` : `all ${total}`);
        lines.push(`last layer's output atoms (${of(units.atoms.length, units.atomUnits)}), largest share of the output first:`, head, ...unitLines(units.atoms), '');
        lines.push(`first layer's filters (${of(units.filters.length, units.filterUnits)}), largest share of the layer's activity first:`, head, ...unitLines(units.filters));
      }
      lines.push('', 'share: the part of the output each unit makes (Σ z²·‖column‖² over the frames)', 'on: the frames in which its ReLU is above 0 (never on: a dead unit)');
      io.out.write(lines.join('\n') + '\n');
    });
}
