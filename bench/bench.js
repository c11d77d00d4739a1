// `npm run bench`: the course workload — 500 frames × 200 epochs of per-sample SGD,
// 160 → 10 → 160, lr 0.01, float32 weights — in dlaudio's WebAssembly and TypeScript kernels, the
// general back-propagation (WebAssembly and TypeScript) and, where gcc exists, in the C reference
// (bench/reference.c, -O3 -march=native), all from the same initial weights; deeper networks,
// --batch 32 and adam; then the wall time of a whole `dlaudio train` run, Node start-up included;
// start-up against `node -e 0`; and reading long recordings against sox (--recordings: only these two).
// --live: how wide a 160,H,10,H,160 network `dlaudio live` can train in real time (one pass per 5 s chunk).
// Usage: npm run bench [-- --repeats 5] [-- --recordings] [-- --live]      (npm run build first; `npm test` and `npm install` do)
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAutoEncoder, initUniform } from '../dist/model/autoencoder.js';
import { Rng } from '../dist/model/rng.js';
import { SgdKernel } from '../dist/model/sgd-kernel.js';
import { WasmSgdKernel, wasmKernelAvailable } from '../dist/model/wasm-kernel.js';
import { BackpropKernel } from '../dist/model/backprop.js';
import { WasmBackpropKernel, wasmBackpropAvailable } from '../dist/model/wasm-backprop.js';
import { createNetwork, initNetwork, fromAutoEncoder } from '../dist/model/network.js';

const N = 160;
const H = 10;
const FRAMES = 500; // 5 s, the course's workload
const EPOCHS = 200;
const LR = 0.01;
const SEED = 1;
const repeatsArg = process.argv.indexOf('--repeats');
const REPEATS = repeatsArg > 0 ? Number(process.argv[repeatsArg + 1]) : 5;
const root = fileURLToPath(new URL('..', import.meta.url));

/** The 500 frames of the bundled 5 s take (wrapping around if it were ever shorter), as train gives them: 16-bit samples, / 32000. */
function courseFrames() {
  const wav = readFileSync(join(root, 'fixtures/sample.wav'));
  const pcm = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
  const samples = new Int16Array(FRAMES * N);
  for (let i = 0; i < samples.length; i++) samples[i] = pcm[i % (pcm.length - (pcm.length % N))];
  return { samples, scale: 32000 };
}

function initialNet() {
  const net = createAutoEncoder(N, H, 'float32');
  initUniform(net, new Rng(SEED));
  return net;
}

function runKernel(make, frames) {
  const net = initialNet();
  const kernel = make(net);
  const t0 = performance.now();
  let loss = 0;
  for (let e = 0; e < EPOCHS; e++) loss = kernel.epoch(frames, null, FRAMES, LR) / FRAMES;
  const seconds = (performance.now() - t0) / 1000;
  kernel.finish();
  return { seconds, loss };
}

function stats(runs) {
  const secs = runs.map((r) => r.seconds).sort((a, b) => a - b);
  return { best: secs[0], median: secs[Math.floor(secs.length / 2)], loss: runs[0].loss };
}

function runC(frames) {
  const gcc = spawnSync('gcc', ['--version']);
  if (gcc.error || gcc.status !== 0) return { skipped: 'no gcc on this machine' };
  const dir = mkdtempSync(join(tmpdir(), 'dlaudio-bench-'));
  try {
    const exe = join(dir, 'reference');
    const cc = spawnSync('gcc', ['-O3', '-march=native', '-o', exe, join(root, 'bench/reference.c')], { encoding: 'utf8' });
    if (cc.status !== 0) return { skipped: `gcc failed: ${cc.stderr.trim()}` };
    const net = initialNet();
    const weights = new Float32Array(2 * H * N);
    weights.set(net.W, 0);
    weights.set(net.V, H * N);
    writeFileSync(join(dir, 'frames.f32'), Float32Array.from(frames.samples, (x) => x / frames.scale));
    writeFileSync(join(dir, 'weights.f32'), weights);
    const runs = [];
    for (let i = 0; i < REPEATS; i++) {
      const r = spawnSync(exe, [join(dir, 'frames.f32'), String(FRAMES), String(EPOCHS), join(dir, 'weights.f32')], { encoding: 'utf8' });
      if (r.status !== 0) return { skipped: `reference failed: ${r.stderr.trim()}` };
      const [seconds, loss] = r.stdout.trim().split(/\s+/).map(Number);
      runs.push({ seconds, loss });
    }
    return stats(runs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runCli() {
  const runs = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(root, 'bin/dlaudio.js'), 'train', '--wav', 'fixtures/sample.wav', '--epochs', '200', '--seed', '1'], { cwd: root, encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`dlaudio train failed: ${r.stderr}`);
    runs.push({ seconds, loss: 0 });
  }
  return stats(runs);
}

/**
 * `npm run bench -- --live`: live's whole work on one 5 s chunk (the loss before, one pass, the loss
 * after: ChunkTrainerCore, as its worker thread runs it) for 160,H,10,H,160, per-sample SGD and
 * --batch 32. CPU seconds of this process (one thread works) and wall seconds, median of 3 chunks
 * after a first one; real time is kept while a chunk takes under 5 s. CPU time is what an idle
 * core would take; the wall time also counts what other processes took from it.
 */
async function benchLive() {
  const { ChunkTrainerCore } = await import('../dist/cli/live/chunk-trainer.js');
  const wav = readFileSync(join(root, 'fixtures/sample.wav'));
  const chunk = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + 44 + 160000));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log('live: one 5 s chunk (500 frames) of 160,H,10,H,160: loss before, 1 pass, loss after (median of 3)');
  for (const batch of [1, 32]) {
    let largest = null;
    for (const h of [256, 512, 768, 1024, 1280, 1536, 2048, 2560, 3072, 4096]) {
      const core = new ChunkTrainerCore({ sizes: [160, h, 10, h, 160], bias: false, init: null, seed: 1, scale: 32000, lr: 0.001, passes: 1, shuffle: false, learning: { batch, optimizer: { kind: 'sgd' } } });
      const cpu = [];
      const wall = [];
      for (let i = 0; i < 4; i++) {
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        await core.train(i, chunk);
        const c = process.cpuUsage(c0);
        if (i > 0) { cpu.push((c.user + c.system) / 1e6); wall.push((performance.now() - w0) / 1000); }
      }
      const ok = median(cpu) < 5;
      if (ok) largest = h;
      console.log(`  batch ${String(batch).padStart(2)}  H ${String(h).padStart(4)}  ${median(cpu).toFixed(2)} s CPU  ${median(wall).toFixed(2)} s wall  ${ok ? 'keeps up' : 'too slow'}`);
      if (!ok) break;
    }
    console.log(`  batch ${batch}: largest H that keeps up: ${largest ?? 'none'}`);
  }
}

if (process.argv.includes('--live')) {
  await benchLive();
  process.exit(0);
}

// `npm run bench -- --recordings`: only start-up and reading long recordings (the last two parts).
if (process.argv.includes('--recordings')) {
  benchStartup();
  benchConversions();
  process.exit(0);
}

const steps = FRAMES * EPOCHS;
const rate = (s) => Math.round(steps / s).toLocaleString('en-US');
const frames = courseFrames();
console.log(`course workload: ${FRAMES} frames × ${EPOCHS} epochs = ${steps.toLocaleString('en-US')} frame-steps, 160→10→160, lr ${LR}, float32 weights, seed ${SEED}; best (median) of ${REPEATS}`);
const rows = [];
if (wasmKernelAvailable()) {
  runKernel((net) => new WasmSgdKernel(net, frames, FRAMES), frames); // warm-up
  rows.push(['dlaudio, WebAssembly SIMD kernel', stats(Array.from({ length: REPEATS }, () => runKernel((net) => new WasmSgdKernel(net, frames, FRAMES), frames)))]);
} else {
  console.log('WebAssembly SIMD kernel: not available here');
}
runKernel((net) => new SgdKernel(net), frames); // warm-up: let the JIT tier up
rows.push(['dlaudio, TypeScript kernel', stats(Array.from({ length: REPEATS }, () => runKernel((net) => new SgdKernel(net), frames)))]);
// The same network and workload through the general back-propagation (what --layers/--batch/--optimizer use).
if (wasmBackpropAvailable()) {
  const make = (net) => new WasmBackpropKernel(fromAutoEncoder(net), frames, FRAMES);
  runKernel(make, frames);
  rows.push(['dlaudio, back-propagation, WebAssembly', stats(Array.from({ length: REPEATS }, () => runKernel(make, frames)))]);
}
runKernel((net) => new BackpropKernel(fromAutoEncoder(net)), frames);
rows.push(['dlaudio, back-propagation, TypeScript', stats(Array.from({ length: REPEATS }, () => runKernel((net) => new BackpropKernel(fromAutoEncoder(net)), frames)))]);
const c = runC(frames);
if ('skipped' in c) console.log(`C reference: skipped (${c.skipped})`);
else rows.push(['C reference, gcc -O3 -march=native', c]);
for (const [name, s] of rows) {
  const ratio = 'skipped' in c ? '' : `  ${(c.best / s.best).toFixed(2)}× C's speed`;
  console.log(`${name.padEnd(38)} ${s.best.toFixed(3)} s (${s.median.toFixed(3)})  ${rate(s.best).padStart(10)} steps/s${ratio}  final loss ${s.loss.toPrecision(6)}`);
}

// Deeper networks, mini-batches and adam through the general back-propagation, WebAssembly then
// TypeScript, from the same initial weights: 500 frames × 20 epochs each.
const ADAM = { kind: 'adam', beta1: 0.9, beta2: 0.999 };
function runDeep(sizes, batch, optimizer, lr, make) {
  const DEEP_EPOCHS = 20;
  const once = () => {
    const net = createNetwork(sizes);
    initNetwork(net, new Rng(SEED));
    const kernel = make(net, { batch, optimizer });
    const t0 = performance.now();
    let loss = 0;
    for (let e = 0; e < DEEP_EPOCHS; e++) loss = kernel.epoch(frames, null, FRAMES, lr) / FRAMES;
    kernel.finish();
    return { seconds: (performance.now() - t0) / 1000, loss };
  };
  once(); // warm-up
  const s = stats(Array.from({ length: REPEATS }, once));
  return { ...s, rate: Math.round((FRAMES * DEEP_EPOCHS) / s.best) };
}
const engines = [['WebAssembly', (net, o) => new WasmBackpropKernel(net, frames, FRAMES, o)], ['TypeScript', (net, o) => new BackpropKernel(net, o)]]
  .filter(([name]) => name !== 'WebAssembly' || wasmBackpropAvailable());
console.log(`deeper networks, general back-propagation (SGD lr ${LR}, adam lr 0.001): ${FRAMES} frames × 20 epochs; best of ${REPEATS}; steps/s and final loss`);
console.log(`${''.padEnd(38)} ${engines.map(([name]) => name.padStart(26)).join('')}`);
for (const sizes of [[160, 10, 160], [160, 64, 10, 64, 160]]) {
  const configs = [[1, undefined], [32, undefined]];
  if (sizes.length > 3) configs.push([1, ADAM], [32, ADAM]);
  for (const [batch, optimizer] of configs) {
    const label = `${sizes.join(',')}, ${batch === 1 ? 'per-sample' : `--batch ${batch}`}${optimizer ? ', adam' : ''}`;
    const cells = engines.map(([, make]) => {
      const d = runDeep(sizes, batch, optimizer, optimizer ? 0.001 : LR, make);
      return `${d.rate.toLocaleString('en-US').padStart(10)} steps/s ${d.loss.toPrecision(6)}`.padStart(26);
    });
    console.log(`${label.padEnd(38)} ${cells.join('')}`);
  }
}

// A long recording's frames stay 16-bit in the kernels' memory (2 bytes a sample, not float32's 4)
// and are widened frame by frame just before each step: the cost of that, on 30 000 frames (the
// take over and over), against the same frames copied as float32, alternating; best of REPEATS.
{
  const LONG = 30000;
  const samples = new Int16Array(LONG * N);
  for (let i = 0; i < samples.length; i++) samples[i] = frames.samples[i % frames.samples.length];
  const sixteen = { samples, scale: frames.scale };
  const float = Float64Array.from(samples, (x) => x / frames.scale);
  const nets = [['160,10,160, the course kernel', () => initialNet(), (net, f) => new WasmSgdKernel(net, f, LONG)]];
  if (wasmBackpropAvailable()) nets.push(['160,64,10,64,160, per-sample', () => { const net = createNetwork([160, 64, 10, 64, 160]); initNetwork(net, new Rng(SEED)); return net; }, (net, f) => new WasmBackpropKernel(net, f, LONG)]);
  if (wasmKernelAvailable()) {
    console.log(`long recordings: ${LONG} frames, WebAssembly, 16-bit frames (widened per step) against float32 ones; best of ${REPEATS}, one epoch each`);
    for (const [label, fresh, make] of nets) {
      const best = [0, 0];
      for (let r = 0; r <= REPEATS; r++) {
        [sixteen, float].forEach((f, i) => {
          const k = make(fresh(), f);
          const t0 = performance.now();
          k.epoch(f, null, LONG, LR);
          const rate = LONG / ((performance.now() - t0) / 1000);
          if (r > 0) best[i] = Math.max(best[i], rate); // the first round warms up
        });
      }
      console.log(`${label.padEnd(38)} ${Math.round(best[0]).toLocaleString('en-US').padStart(10)} steps/s 16-bit, ${Math.round(best[1]).toLocaleString('en-US').padStart(10)} float32: ${(best[0] / best[1]).toFixed(2)}×`);
    }
  }
}

const cli = runCli();
console.log(`${'dlaudio train --epochs 200, whole run'.padEnd(38)} ${cli.best.toFixed(3)} s (${cli.median.toFixed(3)})  wall time, Node start-up included (500 frames)`);

// Start-up: whole processes, wall time, against `node -e 0` in the same run. Also their CPU time
// (user + system, GNU time), which another job on the machine changes less than the wall time;
// the commands alternate, so a change of load hits them all.
function load() {
  return `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
}
function startupRuns(commands, repeats) {
  const gnuTimeOk = spawnSync('/usr/bin/time', ['-f', '%U %S', 'true'], { encoding: 'utf8' }).status === 0;
  const runs = commands.map(() => ({ wall: [], cpu: [] }));
  for (let i = 0; i < repeats; i++) {
    commands.forEach((args, j) => {
      const t0 = performance.now();
      const r = gnuTimeOk
        ? spawnSync('/usr/bin/time', ['-f', '@@ %U %S', process.execPath, ...args], { cwd: root, encoding: 'utf8' })
        : spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
      runs[j].wall.push({ seconds: (performance.now() - t0) / 1000, loss: 0 });
      const m = /@@ (\S+) (\S+)/.exec(r.stderr ?? '');
      if (m) runs[j].cpu.push({ seconds: Number(m[1]) + Number(m[2]), loss: 0 });
    });
  }
  return runs.map((r) => ({ wall: stats(r.wall), cpu: r.cpu.length > 0 ? stats(r.cpu) : null }));
}
function benchStartup() {
  const repeats = Math.max(REPEATS, 15);
  const rows = [['node -e 0', ['-e', '0']], ['dlaudio --version', [join(root, 'bin/dlaudio.js'), '--version']], ['dlaudio --help', [join(root, 'bin/dlaudio.js'), '--help']], ['dlaudio train (bundled sample, 200 ep.)', [join(root, 'bin/dlaudio.js'), 'train', '--seed', '1']]];
  const before = load();
  const [bare, ...rest] = startupRuns(rows.map(([, args]) => args), repeats);
  console.log(`start-up, best (median) of ${repeats}, alternating; + ms over \`node -e 0\`; ${before} (before), ${load()} (after)`);
  const cpu = (r) => (r.cpu ? `   CPU ${r.cpu.best.toFixed(3)} s (${r.cpu.median.toFixed(3)})` : '');
  const cpuOver = (r) => (r.cpu && bare.cpu ? ` +${((r.cpu.best - bare.cpu.best) * 1000).toFixed(0)} ms` : '');
  console.log(`${'node -e 0'.padEnd(38)} ${bare.wall.best.toFixed(3)} s (${bare.wall.median.toFixed(3)})${cpu(bare)}`);
  rest.forEach((r, i) => {
    console.log(`${rows[i + 1][0].padEnd(38)} ${r.wall.best.toFixed(3)} s (${r.wall.median.toFixed(3)})  +${((r.wall.best - bare.wall.best) * 1000).toFixed(0)} ms${cpu(r)}${cpuOver(r)}`);
  });
}
benchStartup();

// Reading long recordings (docs/performance.md): sox, \`dlaudio convert\` and \`dlaudio train --epochs 1\`
// on the same files, made here with sox: whole processes, wall time and peak memory (GNU time).
benchConversions();

function benchConversions() {
  const soxOk = spawnSync('sox', ['--version']).status === 0;
  if (!soxOk) {
    console.log('reading long recordings: skipped (sox is not installed: apt-get install sox)');
    return;
  }
  const gnuTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
  const dir = mkdtempSync(join(tmpdir(), 'dlaudio-bench-audio-'));
  /** Wall seconds and peak RSS (MB, when GNU time is there) of one command. */
  const measure = (cmd, args) => {
    const t0 = performance.now();
    const r = gnuTime
      ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { cwd: root, encoding: 'utf8' })
      : spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) return { failed: (r.stderr.trim().split('\n').filter((l) => !/^\d+$/.test(l)).pop() ?? '').slice(0, 90) };
    const kb = gnuTime ? Number(r.stderr.trim().split('\n').pop()) : NaN;
    return { seconds, mb: kb / 1024 };
  };
  const best = (cmd, args, n) => {
    let b = null;
    for (let i = 0; i < n; i++) {
      const m = measure(cmd, args);
      if (m.failed) return m;
      if (!b || m.seconds < b.seconds) b = { ...m, mb: Math.max(m.mb, b?.mb ?? 0) };
    }
    return b;
  };
  const show = (m, ref) => (m.failed ? `refused: ${m.failed}` : `${m.seconds.toFixed(2)} s ${Number.isNaN(m.mb) ? '' : `${m.mb.toFixed(0)} MB`}${ref ? ` (×${(m.seconds / ref.seconds).toFixed(1)} sox)` : ''}`);
  const n = Math.min(REPEATS, 3);
  const cases = [
    ['3 min 20 s, 48 kHz stereo 16-bit', ['-r', '48000', '-c', '2', '-b', '16'], 200],
    ['10 min, 48 kHz stereo 16-bit', ['-r', '48000', '-c', '2', '-b', '16'], 600],
    ['1 h, 16 kHz mono 16-bit', ['-r', '16000', '-c', '1', '-b', '16'], 3600],
  ];
  const nodeBare = best(process.execPath, ['-e', '0'], n);
  console.log(`reading long recordings (pink noise made by sox): wall time and peak RSS, best of ${n}; \`node -e 0\`: ${show(nodeBare)}; ${load()}`);
  console.log(`${'input'.padEnd(36)}${'sox -D … -r 16000 -c 1 -b 16'.padEnd(32)}${'dlaudio convert'.padEnd(36)}dlaudio train --epochs 1`);
  try {
    for (const [label, format, seconds] of cases) {
      const input = join(dir, `in-${seconds}.wav`);
      spawnSync('sox', ['-n', ...format, input, 'synth', String(seconds), 'pinknoise', 'vol', '0.3']);
      const s = best('sox', ['-D', input, '-r', '16000', '-c', '1', '-b', '16', join(dir, 'sox.wav')], n);
      const c = best(process.execPath, [join(root, 'bin/dlaudio.js'), 'convert', input, '-o', join(dir, 'ours.wav')], n);
      const t = best(process.execPath, [join(root, 'bin/dlaudio.js'), 'train', '--wav', input, '--epochs', '1', '--seed', '1'], 1);
      console.log(`${label.padEnd(36)}${show(s).padEnd(32)}${show(c, s).padEnd(36)}${show(t, s)}`);
      rmSync(input, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// dlaudio sweep: the same 5 learning rates one after another in the main thread (--workers 1),
// then shared between the main thread and worker threads (default: one thread per core; workers
// start only once the runs left pay for their start-up). The sweep's own wall time from --json
// (Node start-up excluded), the two settings alternating so a load change hits both; then how many
// threads ran runs in the pooled sweeps (1: the sweep was too short for a worker).
function sweepOnce(workers, epochs) {
  const r = spawnSync(process.execPath, [join(root, 'bin/dlaudio.js'), 'sweep', '--lr', '0.001,0.003,0.01,0.03,0.1', '--epochs', String(epochs), '--seed', '42', ...(workers ? ['--workers', String(workers)] : []), '--json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dlaudio sweep failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout);
  return { seconds: j.wallSeconds, loss: 0, threads: new Set(j.runs.map((run) => run.threadId)).size };
}
for (const epochs of [100, 300, 1000]) {
  const serial = [];
  const pooled = [];
  for (let i = 0; i < REPEATS; i++) {
    serial.push(sweepOnce(1, epochs));
    pooled.push(sweepOnce(null, epochs));
  }
  const one = stats(serial);
  const pool = stats(pooled);
  const threads = pooled.map((r) => r.threads).join(',');
  console.log(`${`dlaudio sweep, 5 lrs × ${epochs} epochs`.padEnd(38)} serial ${one.best.toFixed(3)} s (${one.median.toFixed(3)}), pool ${pool.best.toFixed(3)} s (${pool.median.toFixed(3)}): ×${(one.best / pool.best).toFixed(2)}, threads used ${threads}`);
}
