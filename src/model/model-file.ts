/**
 * The saved model, version 1 — a plain JSON file other tools can read and write:
 * {"format":"dlaudio-autoencoder","version":1,"frameSize":160,"hidden":10,"scale":32000,
 *  "W":[[160 numbers] × hidden rows],"V":[[hidden numbers] × 160 rows]}
 * W[j][k] connects input k to hidden unit j; V[i][j] connects hidden j to output i.
 * Numbers are float32 values, written in full (shortest round-trip) precision.
 */
import { readFileSync, statSync } from 'node:fs';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import type { AutoEncoder } from './autoencoder.js';
import { createAutoEncoder } from './autoencoder.js';

export const MODEL_FORMAT = 'dlaudio-autoencoder';

export interface SavedModel {
  net: AutoEncoder;
  scale: number;
}

export function modelToJson(net: AutoEncoder, scale: number): string {
  // One matrix row per line: readable diffs, still a single JSON document.
  const matrix = (a: ArrayLike<number>, nRows: number, nCols: number): string => {
    const lines: string[] = [];
    for (let r = 0; r < nRows; r++) {
      const row: number[] = [];
      for (let c = 0; c < nCols; c++) row.push(Math.fround(a[r * nCols + c]));
      lines.push('  ' + JSON.stringify(row));
    }
    return '[\n' + lines.join(',\n') + '\n ]';
  };
  const head = { format: MODEL_FORMAT, version: 1, frameSize: net.frameSize, hidden: net.hidden, scale };
  const fields = Object.entries(head).map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  fields.push(` "W": ${matrix(net.W, net.hidden, net.frameSize)}`, ` "V": ${matrix(net.V, net.frameSize, net.hidden)}`);
  return '{\n' + fields.join(',\n') + '\n}\n';
}

export async function saveModel(path: string, net: AutoEncoder, scale: number): Promise<void> {
  try {
    await writeFileAtomic(path, modelToJson(net, scale));
  } catch (e) {
    throw new UserError(`cannot write the model to ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (check the folder exists and is writable)`, 1, { cause: e });
  }
}

export function loadModel(path: string): SavedModel {
  const bad = (why: string): UserError => new UserError(`${path} is not a valid dlaudio model: ${why}`);
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new UserError(`${path} is a folder, not a model file: give the .json written by \`dlaudio train --save\``);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`model file not found: ${path} (write one with \`dlaudio train --save ${path}\`)`);
    throw new UserError(`cannot read the model ${path}: ${code ?? (e as Error).message}`, 1, { cause: e });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('expected a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.format !== MODEL_FORMAT) throw bad(`"format" is ${JSON.stringify(d.format)}, expected "${MODEL_FORMAT}"`);
  if (d.version !== 1) throw bad(`"version" is ${JSON.stringify(d.version)}; this dlaudio reads version 1`);
  const posInt = (k: string): number => {
    const v = d[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw bad(`"${k}" must be a positive integer (got ${JSON.stringify(v)})`);
    return v;
  };
  const frameSize = posInt('frameSize');
  const hidden = posInt('hidden');
  if (frameSize !== 160) throw bad(`"frameSize" is ${frameSize}; dlaudio frames are 160 samples`);
  const scale = d.scale;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) throw bad(`"scale" must be a positive number (got ${JSON.stringify(scale)})`);
  const net = createAutoEncoder(frameSize, hidden);
  readMatrix(d.W, 'W', hidden, frameSize, net.W, bad);
  readMatrix(d.V, 'V', frameSize, hidden, net.V, bad);
  return { net, scale };
}

function readMatrix(m: unknown, name: string, nRows: number, nCols: number, into: Float32Array | Float64Array, bad: (why: string) => UserError): void {
  if (!Array.isArray(m) || m.length !== nRows) throw bad(`"${name}" must be ${nRows} rows of ${nCols} numbers (got ${Array.isArray(m) ? m.length + ' rows' : typeof m})`);
  m.forEach((row: unknown, r) => {
    if (!Array.isArray(row) || row.length !== nCols) throw bad(`"${name}" row ${r} must have ${nCols} numbers (got ${Array.isArray(row) ? row.length : typeof row})`);
    row.forEach((v: unknown, c) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`"${name}"[${r}][${c}] is ${JSON.stringify(v)}, not a finite number`);
      into[r * nCols + c] = v;
    });
  });
}
