import type { FloatArray, Tensor } from '@tapegrad/core';
import { Optimizer, hyper, positive, unitInterval } from './optimizer.js';
import { optionsOf } from '../layers/checks.js';

export interface RMSpropOptions {
  /** Default 0.01. */
  lr?: number;
  /** Decay of the squared-gradient average (the book's decay_rate); default 0.99, in [0, 1). */
  alpha?: number;
  /** Added to √v; default 1e-8 (PyTorch's; the book uses 1e-7); > 0 (eps 0 makes a zero gradient's update 0/0 = NaN). */
  eps?: number;
}

/**
 * RMSprop as torch.optim.RMSprop (not centered, no momentum): v ← α·v + (1−α)·g²; p ← p − lr·g / (√v + eps).
 * @example new RMSprop(model.parameters(), { lr: 0.01, alpha: 0.99 })
 */
export class RMSprop extends Optimizer {
  alpha: number;
  eps: number;
  private readonly squareAvg: Tensor[];

  constructor(params: Iterable<Tensor>, options: RMSpropOptions = {}) {
    super('RMSprop', params, optionsOf('RMSprop', options).lr ?? 0.01);
    this.alpha = hyper('RMSprop', 'alpha', options.alpha ?? 0.99, unitInterval, 'a number in [0, 1)');
    this.eps = hyper('RMSprop', 'eps', options.eps ?? 1e-8, positive, 'a finite number > 0');
    this.squareAvg = this.addBuffer('square_avg');
  }

  protected update(i: number, p: FloatArray, g: FloatArray): void {
    const v = this.squareAvg[i]!.data;
    const { lr, alpha, eps } = this;
    for (let j = 0; j < p.length; j++) {
      const gj = g[j]!;
      v[j] = v[j]! * alpha + (1 - alpha) * gj * gj;
      p[j] = p[j]! - lr * (gj / (Math.sqrt(v[j]!) + eps));
    }
  }

  protected hyperparameters(): Record<string, number> {
    return { alpha: this.alpha, eps: this.eps };
  }

  protected setHyperparameters(values: Record<string, number>): void {
    const alpha = hyper('RMSprop', 'alpha', values.alpha, unitInterval, 'a number in [0, 1)');
    this.eps = hyper('RMSprop', 'eps', values.eps, positive, 'a finite number > 0');
    this.alpha = alpha;
  }
}
