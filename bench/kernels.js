// Frame-steps per second of the TypeScript and WebAssembly SGD kernels on the bundled sample
// (450 frames, lr 0.01, frame order, float32 weights; the workload of bench/reference.c).
// Usage: node bench/kernels.js [epochs=200] [repeats=5]   (after `npm run build`)
// Also importable: benchKernels() returns the numbers for `npm run bench` to print.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createAutoEncoder, initUniform } from '../dist/model/autoencoder.js';
import { Rng } from '../dist/model/rng.js';
import { SgdKernel } from '../dist/model/sgd-kernel.js';
import { WasmSgdKernel, wasmKernelAvailable } from '../dist/model/wasm-kernel.js';

const N = 160;

/** The sample's frames as the trainer sees them: int16 / 32000, 160 per frame, float64. */
export function sampleFrames() {
  const wav = readFileSync(new URL('../fixtures/sample.wav', import.meta.url));
  const pcm = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
  const count = Math.floor(pcm.length / N);
  const frames = new Float64Array(count * N);
  for (let i = 0; i < frames.length; i++) frames[i] = pcm[i] / 32000;
  return { frames, count };
}

function run(makeKernel, frames, count, epochs) {
  const net = createAutoEncoder(N, 10, 'float32');
  initUniform(net, new Rng(1));
  const kernel = makeKernel(net);
  const t0 = performance.now();
  let loss = 0;
  for (let e = 0; e < epochs; e++) loss = kernel.epoch(frames, null, count, 0.01) / count;
  const seconds = (performance.now() - t0) / 1000;
  kernel.finish();
  return { stepsPerSecond: (epochs * count) / seconds, finalLoss: loss };
}

/** Best and median steps/s of each kernel over `repeats` runs (best is the least disturbed by other load). */
export function benchKernels(epochs = 200, repeats = 5) {
  const { frames, count } = sampleFrames();
  const kernels = { typescript: (net) => new SgdKernel(net) };
  if (wasmKernelAvailable()) kernels.wasm = (net) => new WasmSgdKernel(net, frames, count);
  const results = {};
  for (const [name, make] of Object.entries(kernels)) {
    run(make, frames, count, 20); // warm-up: let the JIT tier up
    const runs = Array.from({ length: repeats }, () => run(make, frames, count, epochs));
    const rates = runs.map((r) => r.stepsPerSecond).sort((a, b) => a - b);
    results[name] = { best: rates[rates.length - 1], median: rates[Math.floor(rates.length / 2)], finalLoss: runs[0].finalLoss };
  }
  return { frames: count, epochs, repeats, wasmAvailable: 'wasm' in results, results };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const epochs = Number(process.argv[2] ?? 200);
  const repeats = Number(process.argv[3] ?? 5);
  const r = benchKernels(epochs, repeats);
  console.log(`${r.frames} frames x ${r.epochs} epochs, ${r.repeats} runs each`);
  for (const [name, v] of Object.entries(r.results)) {
    console.log(`${name.padEnd(10)} best ${Math.round(v.best).toLocaleString('en')} steps/s  median ${Math.round(v.median).toLocaleString('en')}  final loss ${v.finalLoss.toPrecision(6)}`);
  }
  if (!r.wasmAvailable) console.log('wasm       unavailable (no WebAssembly SIMD, or the .wasm did not load)');
}
