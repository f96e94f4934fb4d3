import type { FloatArray, Tensor } from '@tapegrad/core';
import { Optimizer, hyper, positive } from './optimizer.js';
import { optionsOf } from '../layers/checks.js';

export interface AdaGradOptions {
  /** Default 0.01. */
  lr?: number;
  /** Added to √h; default 1e-10 (PyTorch's; the book uses 1e-7); > 0 (eps 0 makes a zero gradient's update 0/0 = NaN). */
  eps?: number;
}

/**
 * AdaGrad as torch.optim.Adagrad (no lr decay): h ← h + g²; p ← p − lr·g / (√h + eps).
 * @example new AdaGrad(model.parameters(), { lr: 0.01 })
 */
export class AdaGrad extends Optimizer {
  eps: number;
  private readonly sum: Tensor[];

  constructor(params: Iterable<Tensor>, options: AdaGradOptions = {}) {
    super('AdaGrad', params, optionsOf('AdaGrad', options).lr ?? 0.01);
    this.eps = hyper('AdaGrad', 'eps', options.eps ?? 1e-10, positive, 'a finite number > 0');
    this.sum = this.addBuffer('sum');
  }

  protected update(i: number, p: FloatArray, g: FloatArray): void {
    const h = this.sum[i]!.data;
    const { lr, eps } = this;
    for (let j = 0; j < p.length; j++) {
      const gj = g[j]!;
      h[j] = h[j]! + gj * gj;
      p[j] = p[j]! - lr * (gj / (Math.sqrt(h[j]!) + eps));
    }
  }

  protected hyperparameters(): Record<string, number> {
    return { eps: this.eps };
  }

  protected setHyperparameters(values: Record<string, number>): void {
    this.eps = hyper('AdaGrad', 'eps', values.eps, positive, 'a finite number > 0');
  }
}
