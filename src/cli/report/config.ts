/**
 * The configuration table's words: each JSON key (as `train --json` prints it) gets a label a student
 * reads without the docs; the key itself stays in the row's data-key and its tooltip.
 */
import type { ConfigValue } from './html.js';

const LABELS: Record<string, string> = {
  frameSize: 'samples per frame',
  sampleRate: 'sample rate (Hz)',
  hidden: 'code size (numbers per frame)',
  layers: 'layer sizes',
  sizes: 'layer sizes',
  lrs: 'learning rates',
  bias: 'biases',
  batch: 'frames per update',
  optimizer: 'optimiser',
  scale: 'each sample divided by',
  lr: 'learning rate',
  epochs: 'epochs asked for',
  shuffle: 'frames shuffled each epoch',
  init: 'started from',
  frames: 'frames trained',
  framesAvailable: 'frames in the recording',
  droppedSamples: 'samples dropped at the end',
  model: 'model file',
  network: 'network',
};

export function configLabel(key: string): string {
  return LABELS[key] ?? key;
}

/** The value as a person reads it: yes/no, "plain SGD", "none" for no --init. */
export function configHuman(key: string, v: ConfigValue, text: (v: ConfigValue) => string): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (key === 'init' && v === null) return 'random weights';
  if (key === 'optimizer' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Readonly<Record<string, ConfigValue>>;
    if (o.kind === 'sgd') return 'plain SGD';
    const rest = Object.entries(o).filter(([k]) => k !== 'kind');
    return `${String(o.kind)}${rest.length ? ` (${rest.map(([k, x]) => `${k} ${text(x)}`).join(', ')})` : ''}`;
  }
  if ((key === 'layers' || key === 'sizes') && Array.isArray(v)) return v.map(text).join(' → ');
  return text(v);
}
