/**
 * The saved model — a plain JSON file other tools can read and write. Two versions:
 *
 * Version 1, the course's network [160, h, 160] without biases (still written for that shape, so
 * course tools keep reading our files):
 * {"format":"dlaudio-autoencoder","version":1,"frameSize":160,"hidden":10,"scale":32000,
 *  "W":[[160 numbers] × hidden rows],"V":[[hidden numbers] × 160 rows]}
 * W[j][k] connects input k to hidden unit j; V[i][j] connects hidden j to output i.
 *
 * Version 2, any depth (written for every other network):
 * {"format":"dlaudio-autoencoder","version":2,"frameSize":160,"scale":32000,"sizes":[160,64,10,64,160],
 *  "layers":[{"in":160,"out":64,"activation":"relu","W":[[160 numbers] × 64 rows],"b":[64 numbers]}, …]}
 * "b" is present only when the network has biases; the last layer's activation is "linear".
 *
 * Numbers are float32 values, written in full (shortest round-trip) precision.
 */
import { UserError } from '../errors.js';
import { writeOutput } from '../util/atomic.js';
import { readInputFile } from '../util/input-file.js';
import { checkLimit, checkNetworkSize, groupDigits, limitOf, quoteValue, raiseHint } from '../util/limits.js';
import { createAutoEncoder } from './autoencoder.js';
import { asAutoEncoder, createNetwork, fromAutoEncoder, type Network } from './network.js';

export const MODEL_FORMAT = 'dlaudio-autoencoder';
const FRAME = 160;

export interface SavedModel {
  net: Network;
  scale: number;
}

// One matrix row per line: readable diffs, still a single JSON document.
function matrixJson(a: ArrayLike<number>, nRows: number, nCols: number, indent: string): string {
  const lines: string[] = [];
  for (let r = 0; r < nRows; r++) {
    const row: number[] = [];
    for (let c = 0; c < nCols; c++) row.push(Math.fround(a[r * nCols + c]));
    lines.push(indent + ' ' + JSON.stringify(row));
  }
  return '[\n' + lines.join(',\n') + '\n' + indent + ']';
}

export function modelToJson(net: Network, scale: number): string {
  const ae = asAutoEncoder(net);
  if (ae) {
    const head = { format: MODEL_FORMAT, version: 1, frameSize: ae.frameSize, hidden: ae.hidden, scale };
    const fields = Object.entries(head).map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
    fields.push(` "W": ${matrixJson(ae.W, ae.hidden, ae.frameSize, ' ')}`, ` "V": ${matrixJson(ae.V, ae.frameSize, ae.hidden, ' ')}`);
    return '{\n' + fields.join(',\n') + '\n}\n';
  }
  const head = { format: MODEL_FORMAT, version: 2, frameSize: net.sizes[0], scale, sizes: net.sizes };
  const fields = Object.entries(head).map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  const layers = net.layers.map((l) => {
    const parts = [`"in": ${l.inSize}`, `"out": ${l.outSize}`, `"activation": "${l.relu ? 'relu' : 'linear'}"`, `"W": ${matrixJson(l.W, l.outSize, l.inSize, '   ')}`];
    if (l.b) parts.push(`"b": ${JSON.stringify(Array.from(l.b, (v) => Math.fround(v)))}`);
    return '  {\n   ' + parts.join(',\n   ') + '\n  }';
  });
  fields.push(` "layers": [\n${layers.join(',\n')}\n ]`);
  return '{\n' + fields.join(',\n') + '\n}\n';
}

export async function saveModel(path: string, net: Network, scale: number): Promise<void> {
  await writeOutput(path, modelToJson(net, scale), 'the model');
}

/** A scale so small that frames overflow float64 (x⁴ appears in PCA's eigen-solver) is no model's. */
export function scaleOverflows(scale: number): boolean {
  return !Number.isFinite(FRAME * (32768 / scale) ** 4);
}

export function loadModel(path: string): SavedModel {
  const bad = (why: string): UserError => new UserError(`${path} is not a valid dlaudio model: ${why} (give a .json written by \`dlaudio train --save\`)`);
  const bytes = readInputFile(path, {
    kind: 'model file',
    hint: 'give the .json written by `dlaudio train --save`',
    notFound: `model file not found: ${path} (write one with \`dlaudio train --save ${path}\`)`,
  });
  // Before JSON.parse: 500 MB of "0," would become 2 GB of arrays. A model has about one comma per weight.
  let commas = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x2c) commas++;
  if (commas > limitOf('parameters') + 100_000) {
    throw new UserError(`${path} holds ${groupDigits(commas)} values, more than a model within dlaudio's limit of ${groupDigits(limitOf('parameters'))} parameters has (is it a model written by dlaudio train --save?); ${raiseHint('parameters')}`);
  }
  const text = new TextDecoder().decode(bytes);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // V8 quotes the start of the text, newlines and all: one line it must stay.
    throw bad(`not JSON (${(e as Error).message.replace(/\s+/g, ' ')})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('expected a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.format !== MODEL_FORMAT) throw bad(`"format" is ${quoteValue(d.format)}, expected "${MODEL_FORMAT}"`);
  if (d.version !== 1 && d.version !== 2) throw bad(`"version" is ${quoteValue(d.version)}; this dlaudio reads versions 1 and 2`);
  const posInt = (v: unknown, what: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw bad(`${what} must be a positive integer (got ${quoteValue(v)})`);
    return v;
  };
  const frameSize = posInt(d.frameSize, '"frameSize"');
  if (frameSize !== FRAME) throw bad(`"frameSize" is ${frameSize}; dlaudio frames are ${FRAME} samples`);
  const scale = d.scale;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) throw bad(`"scale" must be a positive number (got ${quoteValue(scale)})`);
  if (scaleOverflows(scale)) throw bad(`"scale" is ${scale}, so small that the frames would overflow the arithmetic (the course's is 32000)`);
  if (d.version === 1) {
    const hidden = posInt(d.hidden, '"hidden"');
    checkNetworkSize([frameSize, hidden, frameSize], false, `${path} has`);
    const ae = createAutoEncoder(frameSize, hidden);
    readMatrix(d.W, 'W', hidden, frameSize, ae.W, bad);
    readMatrix(d.V, 'V', frameSize, hidden, ae.V, bad);
    return { net: fromAutoEncoder(ae), scale };
  }
  return { net: readLayers(d, path, bad, posInt), scale };
}

/** Version 2: the layers must chain 160 → … → 160; a break is named with the sizes that disagree. */
function readLayers(d: Record<string, unknown>, path: string, bad: (why: string) => UserError, posInt: (v: unknown, what: string) => number): Network {
  const list = d.layers;
  if (!Array.isArray(list) || list.length < 1) throw bad('"layers" must be a list of at least one layer');
  // Before reading any layer: 100 000 layers must be refused, not walked.
  checkLimit('layers', list.length, `${path} has`, { fix: 'is it a model written by dlaudio train --save?' });
  const sizes: number[] = [];
  const specs = list.map((item: unknown, l) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw bad(`layers[${l}] must be an object with "in", "out", "activation", "W"`);
    const o = item as Record<string, unknown>;
    const inSize = posInt(o.in, `layers[${l}].in`);
    const outSize = posInt(o.out, `layers[${l}].out`);
    const last = l === list.length - 1;
    const expected = last ? 'linear' : 'relu';
    if (o.activation !== expected) throw bad(`layers[${l}].activation is ${quoteValue(o.activation)}, expected "${expected}" (ReLU after every layer but the last)`);
    // Shapes that do not chain are a usage mistake (exit 2): the file is readable, the network is impossible.
    const chainError = (why: string): UserError => new UserError(`${path}: the layers do not chain: ${why}`, 2);
    if (l === 0 && inSize !== FRAME) throw chainError(`layers[0].in is ${inSize}, expected ${FRAME} (the frame size)`);
    if (l > 0 && inSize !== sizes[sizes.length - 1]) throw chainError(`layers[${l}].in is ${inSize} but layers[${l - 1}].out is ${sizes[sizes.length - 1]}; they must be equal`);
    if (last && outSize !== FRAME) throw chainError(`the last layer's out is ${outSize}, expected ${FRAME} (the frame size)`);
    if (l === 0) sizes.push(inSize);
    sizes.push(outSize);
    return o;
  });
  const sameSizes = Array.isArray(d.sizes) && d.sizes.length === sizes.length && d.sizes.every((n, i) => n === sizes[i]);
  if (d.sizes !== undefined && !sameSizes) throw bad(`"sizes" is ${Array.isArray(d.sizes) && d.sizes.length <= 20 ? `[${d.sizes.map((v) => quoteValue(v, 12)).join(',')}]` : quoteValue(d.sizes)} but the layers give ${JSON.stringify(sizes)}`);
  const withBias = specs.map((o) => o.b !== undefined);
  if (withBias.some((x) => x !== withBias[0])) throw bad('either every layer has "b" or none does');
  checkNetworkSize(sizes, withBias[0], `${path} has`);
  const net = createNetwork(sizes, { bias: withBias[0] });
  net.layers.forEach((layer, l) => {
    readMatrix(specs[l].W, `layers[${l}].W`, layer.outSize, layer.inSize, layer.W, bad);
    if (layer.b) readMatrix([specs[l].b], `layers[${l}].b`, 1, layer.outSize, layer.b, bad);
  });
  return net;
}

function readMatrix(m: unknown, name: string, nRows: number, nCols: number, into: Float32Array | Float64Array, bad: (why: string) => UserError): void {
  if (!Array.isArray(m) || m.length !== nRows) throw bad(`"${name}" must be ${nRows} rows of ${nCols} numbers (got ${Array.isArray(m) ? m.length + ' rows' : typeof m})`);
  m.forEach((row: unknown, r) => {
    if (!Array.isArray(row) || row.length !== nCols) throw bad(`"${name}" row ${r} must have ${nCols} numbers (got ${Array.isArray(row) ? row.length : typeof row})`);
    row.forEach((v: unknown, c) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`"${name}"[${r}][${c}] is ${quoteValue(v)}, not a finite number`);
      // Weights are float32: 1e39 would silently become Infinity.
      if (!Number.isFinite(Math.fround(v))) throw bad(`"${name}"[${r}][${c}] is ${v}, beyond the float32 range (±3.4e38) weights are kept in`);
      into[r * nCols + c] = v;
    });
  });
}
