import { createRequire } from 'node:module';
import type * as MlMatrix from 'ml-matrix';

const requireCjs = createRequire(import.meta.url);

/**
 * ml-matrix, loaded on first use and as CommonJS: through its ESM wrapper Node would first scan the
 * whole 200 KB bundle for its exports (~30–50 ms of `train`, before anything is computed), and only
 * the commands that decompose matrices need it at all.
 */
export function mlMatrix(): typeof MlMatrix {
  return requireCjs('ml-matrix') as typeof MlMatrix;
}
