import type { FloatArray, Tensor } from '@tapegrad/core';
import { Optimizer, hyper, unitInterval } from './optimizer.js';
import { optionsOf } from '../layers/checks.js';

export interface NesterovOptions {
  /** Default 0.01. */
  lr?: number;
  /** Default 0.9; in [0, 1). */
  momentum?: number;
}

/**
 * Nesterov's accelerated gradient in the reformulation of Bengio et al. (arXiv:1212.0901), the one
 * torch.optim.SGD(momentum=μ, nesterov=True) implements: v ← μ·v − lr·g; p ← p + μ·v − lr·g
 * (= p + μ²·v_old − (1+μ)·lr·g). The book's code applies μ² to the already updated v instead; this
 * class follows the paper and PyTorch.
 * @example new Nesterov(model.parameters(), { lr: 0.01, momentum: 0.9 })
 */
export class Nesterov extends Optimizer {
  momentum: number;
  private readonly velocity: Tensor[];

  constructor(params: Iterable<Tensor>, options: NesterovOptions = {}) {
    super('Nesterov', params, optionsOf('Nesterov', options).lr ?? 0.01);
    this.momentum = hyper('Nesterov', 'momentum', options.momentum ?? 0.9, unitInterval, 'a number in [0, 1)');
    this.velocity = this.addBuffer('velocity');
  }

  protected update(i: number, p: FloatArray, g: FloatArray): void {
    const v = this.velocity[i]!.data;
    const { lr, momentum } = this;
    for (let j = 0; j < p.length; j++) {
      const vj = momentum * v[j]! - lr * g[j]!;
      v[j] = vj;
      p[j] = p[j]! + momentum * vj - lr * g[j]!;
    }
  }

  protected hyperparameters(): Record<string, number> {
    return { momentum: this.momentum };
  }

  protected setHyperparameters(values: Record<string, number>): void {
    this.momentum = hyper('Nesterov', 'momentum', values.momentum, unitInterval, 'a number in [0, 1)');
  }
}
