/**
 * The update rules. Each step gets, for every parameter array θ (a layer's W or b), the gradient
 * G summed over a batch and `scale` = 1/B, so g = scale·G is the batch's mean gradient.
 * One rule per class, each a few lines under its formula.
 */
import type { Vec } from './autoencoder.js';

export type OptimizerSpec =
  /** θ ← θ − lr·g: the course's rule. */
  | { kind: 'sgd' }
  /** v ← μ·v + g; θ ← θ − lr·v (heavy ball; v starts at 0). */
  | { kind: 'momentum'; momentum: number }
  /** Adam (Kingma & Ba 2015), bias-corrected, ε = 1e-8 unless given. */
  | { kind: 'adam'; beta1: number; beta2: number; epsilon?: number };

export type OptimizerKind = OptimizerSpec['kind'];

export const SGD: OptimizerSpec = { kind: 'sgd' };

/**
 * For a unit that stays off, m and v shrink geometrically until they are subnormal numbers, which
 * the CPU handles ~100× slower (per-sample adam went from 59 ms to 1.2 s an epoch). Far below any
 * value that moves a weight, so they are set to 0 there (the WASM kernel does the same in float32).
 */
const TINY = 1e-290;
const flush = (x: number): number => (x < TINY && x > -TINY ? 0 : x);

export interface Optimizer {
  /** Updates params[p] in place from grads[p] (same lengths): one step per batch. */
  step(params: readonly Vec[], grads: readonly Float64Array[], lr: number, scale: number): void;
}

/** θ ← θ − lr·g */
class Sgd implements Optimizer {
  step(params: readonly Vec[], grads: readonly Float64Array[], lr: number, scale: number): void {
    const c = lr * scale;
    for (let p = 0; p < params.length; p++) {
      const th = params[p];
      const G = grads[p];
      // scale is 1 for per-sample SGD: θ −= lr·G is then exactly the course's update.
      if (scale === 1) for (let i = 0; i < th.length; i++) th[i] -= lr * G[i];
      else for (let i = 0; i < th.length; i++) th[i] -= c * G[i];
    }
  }
}

/** v ← μ·v + g;  θ ← θ − lr·v */
class Momentum implements Optimizer {
  private readonly v: Float64Array[];
  constructor(sizes: readonly number[], private readonly mu: number) {
    this.v = sizes.map((n) => new Float64Array(n));
  }
  step(params: readonly Vec[], grads: readonly Float64Array[], lr: number, scale: number): void {
    const mu = this.mu;
    for (let p = 0; p < params.length; p++) {
      const th = params[p];
      const G = grads[p];
      const v = this.v[p];
      for (let i = 0; i < th.length; i++) {
        const vi = flush(mu * v[i] + scale * G[i]);
        v[i] = vi;
        th[i] -= lr * vi;
      }
    }
  }
}

/**
 * t ← t + 1;  m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²;
 * θ ← θ − lr · m̂ / (√v̂ + ε)  with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)  (m, v start at 0).
 */
class Adam implements Optimizer {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;
  constructor(sizes: readonly number[], private readonly b1: number, private readonly b2: number, private readonly eps: number) {
    this.m = sizes.map((n) => new Float64Array(n));
    this.v = sizes.map((n) => new Float64Array(n));
  }
  step(params: readonly Vec[], grads: readonly Float64Array[], lr: number, scale: number): void {
    const { b1, b2, eps } = this;
    this.t++;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (let p = 0; p < params.length; p++) {
      const th = params[p];
      const G = grads[p];
      const m = this.m[p];
      const v = this.v[p];
      for (let i = 0; i < th.length; i++) {
        const g = scale * G[i];
        const mi = flush(b1 * m[i] + (1 - b1) * g);
        const vi = flush(b2 * v[i] + (1 - b2) * g * g);
        m[i] = mi;
        v[i] = vi;
        th[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
      }
    }
  }
}

/** `sizes`: the length of each parameter array, in the order step() will receive them. */
export function makeOptimizer(spec: OptimizerSpec, sizes: readonly number[]): Optimizer {
  switch (spec.kind) {
    case 'sgd':
      return new Sgd();
    case 'momentum':
      return new Momentum(sizes, spec.momentum);
    case 'adam':
      return new Adam(sizes, spec.beta1, spec.beta2, spec.epsilon ?? 1e-8);
  }
}

/** "sgd", "momentum 0.9", "adam β1 0.9 β2 0.999" */
export function describeOptimizer(spec: OptimizerSpec): string {
  switch (spec.kind) {
    case 'sgd':
      return 'sgd';
    case 'momentum':
      return `momentum ${spec.momentum}`;
    case 'adam':
      return `adam β1 ${spec.beta1} β2 ${spec.beta2}`;
  }
}
