/**
 * The path a student walks (issue 11): the first exercise learns something, "record, then train"
 * trains on the recording, the summary says how to listen, Adam gets its own default lr, and every
 * summary line fits in 80 columns.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, utimesSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runBin } from './helpers/run.js';
import { SAMPLE, SAMPLE_FRAMES, sampleInt16 } from './helpers/sample.js';
import { runCli } from './sim/run-cli.js';
import { encodeWav16 } from '../src/audio/wav.js';
import { silenceWarning, silentRuns, toFrames } from '../src/audio/frames.js';
import { renderLossChart, fitColumns } from '../src/cli/render.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'dlaudio-lesson-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const env = { ...process.env, NO_COLOR: '1' };
const chars = (s: string): number => [...s].length;

describe('the bundled sample starts like a real take', () => {
  it('5.0 s (the course\'s 500 frames), room noise from the first sample, no frame of digital silence', () => {
    const s = sampleInt16();
    expect(SAMPLE_FRAMES).toBe(500);
    for (let f = 0; f < SAMPLE_FRAMES; f++) {
      let any = false;
      for (let i = 0; i < 160; i++) if (s[f * 160 + i] !== 0) { any = true; break; }
      expect(any, `frame ${f + 1} is digital silence`).toBe(true);
    }
    // The first 35 frames are room noise (quiet: "silent" for training), the voice starts at 0.35 s.
    expect(silentRuns(s, { first: 0, count: 40 })[0]).toEqual([0, 34]);
  });
});

describe('silent frames and --start', () => {
  const zeros = (n: number): Int16Array => new Int16Array(n);

  it('warns when most frames trained on are silent, and says which --start skips them', () => {
    const s = sampleInt16();
    const one = toFrames(s, { scale: 32000, maxFrames: 1 });
    expect(silenceWarning(s, one)).toBe('frame 1 is silent (below -50 dBFS): nothing to learn there: add --start 0.35 to begin at the first frame with sound');
    const six = toFrames(s, { scale: 32000, maxFrames: 6 });
    expect(silenceWarning(s, six)).toMatch(/^frames 1–6 are silent .*--start 0\.35 /);
    // The whole take has pauses between words: no warning for that.
    expect(silenceWarning(s, toFrames(s, { scale: 32000 }))).toBeNull();
    expect(silenceWarning(s, toFrames(s, { scale: 32000, start: 0.4, maxFrames: 1 }))).toBeNull();
    // Nothing with sound anywhere: no --start can help.
    const dead = zeros(1600);
    expect(silenceWarning(dead, toFrames(dead, { scale: 32000 }))).toBe('frames 1–10 are silent (below -50 dBFS): nothing to learn there: give a --wav with sound');
  });

  it('--start picks a window: with --frames N the N frames from there, with --seconds S the S seconds', () => {
    const s = sampleInt16();
    const f = toFrames(s, { scale: 32000, start: 0.4, maxFrames: 2 });
    expect([f.first, f.count]).toEqual([40, 2]);
    expect(f.data[0]).toBe(s[40 * 160] / 32000);
    const w = toFrames(s, { scale: 32000, start: 1, seconds: 0.5 });
    expect([w.first, w.count]).toEqual([100, 50]);
    expect(() => toFrames(s, { scale: 32000, start: 5 })).toThrow(/--start 5 is past the end/);
  });

  it('train --start 0.4 --frames 1 (the first exercise) learns: the loss falls to ~0, and the summary names the frame', async () => {
    const r = await runBin(['train', '--start', '0.4', '--frames', '1', '--seed', '42']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/silent/);
    expect(r.stdout).toMatch(/^frames: +1 of 160 samples \(0\.01 s\), frame 41 \(from 0\.40 s\)$/m);
    const first = Number(/^first loss: +([\d.e-]+)/m.exec(r.stdout)![1]);
    const final = Number(/^final loss: +([\d.e-]+)/m.exec(r.stdout)![1]);
    expect(first).toBeGreaterThan(1);
    expect(final).toBeLessThan(1e-4);
  });

  it('train --frames 1 on the room noise says so on stderr (the run still happens)', async () => {
    const r = await runBin(['train', '--frames', '1', '--epochs', '2', '--seed', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: frame 1 is silent .*add --start 0\.35/m);
  });

  it('--start past the end is a usage error (exit 2), one line', async () => {
    const r = await runBin(['train', '--start', '9', '--seed', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^dlaudio: --start 9 is past the end of .*sample\.wav \(5\.00 s\): give a smaller --start$/);
  });
});

describe('record, then train', () => {
  it('train with no --wav trains on recording.wav in the current folder, and says so; the sample otherwise', async () => {
    const folder = mkdtempSync(join(dir, 'take-'));
    const none = await runCli(['train', '--epochs', '1', '--seed', '1'], env, folder).done;
    expect(none.code, none.stderr).toBe(0);
    expect(none.stderr).toMatch(/^no --wav given: training on the bundled sample \(.*fixtures\/sample\.wav\)$/m);
    // A folder whose fixtures/ is the checkout's (as the docs' examples run): the short name, wherever the checkout is.
    const linked = mkdtempSync(join(dir, 'linked-'));
    symlinkSync(dirname(SAMPLE), join(linked, 'fixtures'));
    const short = await runCli(['train', '--epochs', '1', '--seed', '1'], env, linked).done;
    expect(short.stderr).toMatch(/^no --wav given: training on the bundled sample \(fixtures\/sample\.wav\)$/m);

    const rec = join(folder, 'recording.wav');
    writeFileSync(rec, encodeWav16(sampleInt16().subarray(0, 160 * 123), 16000));
    const past = (Date.now() - 3 * 60_000 - 5_000) / 1000;
    utimesSync(rec, past, past);
    const r = await runCli(['train', '--epochs', '1', '--seed', '1'], env, folder).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^training on recording\.wav \(recorded 3 min ago\); --wav .*fixtures\/sample\.wav for the bundled sample$/m);
    expect(r.stdout).toMatch(/^frames: +123 of 160 samples/m);
    const s = await runCli(['sweep', '--lr', '0.01', '--epochs', '1', '--seed', '1'], env, folder).done;
    expect(s.stderr).toMatch(/^sweeping on recording\.wav/m);
    const given = await runCli(['train', '--wav', SAMPLE, '--epochs', '1', '--seed', '1'], env, folder).done;
    expect(given.stdout).toMatch(/^frames: +500 of 160 samples/m);
    // reconstruct follows the same default: the model was just trained on the recording.
    const model = join(folder, 'm.json');
    expect((await runCli(['train', '--epochs', '1', '--seed', '1', '--save', model], env, folder).done).code).toBe(0);
    const rc = await runCli(['reconstruct', '--model', model], env, folder).done;
    expect(rc.code, rc.stderr).toBe(0);
    expect(rc.stderr).toMatch(/^reconstructing on recording\.wav \(recorded 3 min ago\)/m);
    expect(rc.stdout).toMatch(/123 frames/);
    // --device records a new take (default 5 s: the course's 500 frames): the option's help says so.
    const help = await runBin(['train', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('record S seconds, default 5');
    const recordHelp = await runBin(['record', '--help']);
    expect(recordHelp.stdout).toMatch(/-o, --out <file>/);
    expect(recordHelp.stdout).toMatch(/\(default: 5\)/);
  });
});

describe('after training, how to listen', () => {
  const listen = (out: string): string => /^listen: +(.*)$/m.exec(out.replace(/\n {13}(?=\S)/g, ' '))?.[1] ?? ''; // unwrapped

  it('names --report and --out-wav when neither was asked, only the missing one otherwise', async () => {
    const plain = await runBin(['train', '--epochs', '2', '--seed', '1']);
    expect(listen(plain.stdout)).toBe('--report report.html (open it in a browser) or --out-wav recon.wav');
    const wav = join(dir, 'l.wav');
    const html = join(dir, 'l.html');
    const a = await runBin(['train', '--epochs', '2', '--seed', '1', '--out-wav', wav]);
    expect(listen(a.stdout)).toBe(`play ${wav} (--report report.html: compare in a browser)`);
    const b = await runBin(['train', '--epochs', '2', '--seed', '1', '--report', html]);
    expect(listen(b.stdout)).toBe(`open ${html} in a browser (--out-wav recon.wav: the sound alone)`);
    const both = await runBin(['train', '--epochs', '2', '--seed', '1', '--report', html, '--out-wav', wav]);
    expect(listen(both.stdout)).toBe(`open ${html} in a browser, or play ${wav}`);
  });
});

describe("Adam's default learning rate", () => {
  it('is 0.001 with --optimizer adam and no --lr (0.01 for sgd and momentum); summary and --json say which ran', async () => {
    const adam = await runBin(['train', '--optimizer', 'adam', '--epochs', '2', '--seed', '1', '--json']);
    expect(JSON.parse(adam.stdout).config.lr).toBe(0.001);
    const text = await runBin(['train', '--optimizer', 'adam', '--epochs', '2', '--seed', '1']);
    expect(text.stdout).toMatch(/^training: +2 epochs, lr 0\.001, per-sample, adam/m);
    const sgd = await runBin(['train', '--epochs', '2', '--seed', '1', '--json']);
    expect(JSON.parse(sgd.stdout).config.lr).toBe(0.01);
    const given = await runBin(['train', '--optimizer', 'adam', '--lr', '0.005', '--epochs', '2', '--seed', '1', '--json']);
    expect(JSON.parse(given.stdout).config.lr).toBe(0.005);
  });
});

describe('80 columns', () => {
  it('fitColumns moves a long explanation under the value and wraps what is left', () => {
    const line = 'first loss:  1.11   (epoch 1: mean over frames of Σ(Y−X)², each before its update)';
    expect(fitColumns(line)).toBe('first loss:  1.11\n             (epoch 1: mean over frames of Σ(Y−X)², each before its update)');
    const long = `training:    ${'word '.repeat(30).trim()}`;
    for (const l of fitColumns(long).split('\n')) {
      expect(chars(l)).toBeLessThanOrEqual(80);
      expect(l).toMatch(/^(training: {4}| {13})\S/);
    }
    expect(fitColumns('short line')).toBe('short line');
  });

  it('every line of train, sweep, reconstruct, compress, decompress and gradcheck output fits (not a terminal: 80)', async () => {
    const model = join(dir, 'w.json');
    const runs = [
      await runBin(['train', '--seed', '3', '--epochs', '20', '--save', model, '--out-wav', join(dir, 'w.wav')]),
      await runBin(['train', '--seed', '3', '--epochs', '3', '--layers', '160,64,10,64,160', '--bias', '--batch', '32', '--optimizer', 'adam']),
      await runBin(['sweep', '--seed', '3', '--epochs', '5', '--lr', '0.001,0.01,0.3']),
      await runBin(['reconstruct', '--model', model]),
      await runBin(['compress', SAMPLE, '--model', model, '-o', join(dir, 'w.dla')]),
      await runBin(['decompress', join(dir, 'w.dla'), '-o', join(dir, 'w2.wav'), '--ref', SAMPLE]),
      await runBin(['gradcheck', '--seed', '3']),
    ];
    for (const r of runs) {
      for (const l of r.stdout.split('\n')) expect(chars(l), l).toBeLessThanOrEqual(80);
    }
  });
});

describe('the chart starts where training started', () => {
  it('with more epochs than columns, the first column is epoch 1 and each column spans its epochs\' range', () => {
    // 1000 epochs: a fast fall in the first few, then flat. Column 1's mean would hide epoch 1.
    const losses = Array.from({ length: 1000 }, (_, e) => (e === 0 ? 1.24 : e < 5 ? 1.24 - e * 0.1 : 0.5));
    const chart = renderLossChart(losses, { width: 80 });
    const rows = chart.split('\n').filter((l) => /[┤┼]/.test(l));
    expect(rows[0]).toMatch(/^ +1\.24 ┼/); // top label is epoch 1's loss, drawn in the first column
    expect(rows.at(-1)).toMatch(/^ +0\.5 ┤/);
    expect(chart).toMatch(/\n +1 +\d+/); // the axis starts at epoch 1
  });

  it('train --epochs 2000 --seed 42: the curve starts at the first loss', async () => {
    const r = await runBin(['train', '--epochs', '2000', '--seed', '42']);
    const first = /^first loss: +([\d.]+)/m.exec(r.stdout)![1];
    const top = r.stdout.split('\n').find((l) => l.includes('┼'))!;
    expect(top.trim().split(' ')[0]).toBe(first);
  });
});

describe('help that starts somewhere', () => {
  const examples = (out: string): string[] => {
    const lines = out.trimEnd().split('\n');
    const at = lines.lastIndexOf('Examples:');
    return at < 0 ? [] : lines.slice(at + 1);
  };

  it('dlaudio alone prints the help on stdout, exit 0; it and dlaudio --help end with three examples', async () => {
    const bare = await runBin([]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/^Usage: dlaudio /);
    expect(bare.stderr).toBe('');
    const help = await runBin(['--help']);
    expect(help.stdout).toBe(bare.stdout);
    expect(examples(help.stdout)).toHaveLength(3);
    for (const l of examples(help.stdout)) expect(l).toMatch(/^ {2}dlaudio \S+/);
    expect(help.stdout).toContain('docs/cours.md');
  });

  it('dlaudio train --help ends with three examples, the first exercise first', async () => {
    const help = await runBin(['train', '--help']);
    const ex = examples(help.stdout);
    expect(ex).toHaveLength(3);
    expect(ex[0]).toMatch(/^ {2}dlaudio train --start 0\.4 --frames 1 /);
  });
});

describe('consistent options: every command that writes one file takes -o, --out', () => {
  it('convert, reconstruct, compress, decompress and record show -o, --out in their help', async () => {
    for (const c of ['convert', 'reconstruct', 'compress', 'decompress', 'record']) {
      const h = await runBin([c, '--help']);
      expect(h.stdout, c).toMatch(/^ {2}-o, --out <[^>]+>/m);
      expect(h.stdout, c).not.toMatch(/--output/);
    }
  });

  it('convert still accepts its old --output; with neither it says what to give (exit 2)', async () => {
    const out = join(dir, 'old-spelling.wav');
    const r = await runBin(['convert', SAMPLE, '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${out}: 5.00 s, 80000 samples, 16000 Hz mono 16-bit\n`);
    const none = await runBin(['convert', SAMPLE]);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toMatch(/^dlaudio: required option '-o, --out <out\.wav>' not specified/);
  });
});

describe('divergence advice that works the first time', () => {
  it('the lr suggested was tried: training with it from the same seed does not diverge; the summary says "1 of 200 epochs (stopped: diverged)"', async () => {
    const r = await runBin(['train', '--lr', '0.5', '--seed', '3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^training: +1 of 200 epochs \(stopped: diverged\), lr 0\.5/m);
    const suggested = /: try --lr ([\d.]+) \(tried: it did not diverge in 20 epochs from the same weights\)$/m.exec(r.stderr);
    expect(suggested, r.stderr).not.toBeNull();
    const again = await runBin(['train', '--lr', suggested![1], '--seed', '3', '--epochs', '20']);
    expect(again.code, again.stderr).toBe(0);
    // The largest that works: the next larger one tried (×3 or so) diverges.
    expect(Number(suggested![1])).toBeLessThan(0.5);
  });

  it('the report of diverged weights shows — for SNR and clipping, not 0.00 dB', async () => {
    const html = join(dir, 'div.html');
    const r = await runBin(['train', '--lr', '5', '--seed', '1', '--report', html]);
    expect(r.code).toBe(3);
    const page = (await import('node:fs')).readFileSync(html, 'utf8');
    for (const key of ['snrDb', 'segmentalSnrDb', 'clipped']) {
      expect(page).toMatch(new RegExp(`<tr data-key="${key}"><th>[^<]+</th><td class="v" data-value="">—</td>`));
    }
    expect(page).not.toMatch(/0\.00 dB/);
  });
});
