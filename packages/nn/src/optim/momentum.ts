import type { FloatArray, Tensor } from '@tapegrad/core';
import { Optimizer, hyper, unitInterval } from './optimizer.js';
import { optionsOf } from '../layers/checks.js';

export interface MomentumOptions {
  /** Default 0.01. */
  lr?: number;
  /** Default 0.9; in [0, 1). */
  momentum?: number;
}

/**
 * SGD with momentum in the book's velocity form: v ← μ·v − lr·g; p ← p + v (v starts at 0). For a
 * constant lr this is exactly torch.optim.SGD(momentum=μ), whose buffer is −v/lr.
 * @example new Momentum(model.parameters(), { lr: 0.01, momentum: 0.9 })
 */
export class Momentum extends Optimizer {
  momentum: number;
  private readonly velocity: Tensor[];

  constructor(params: Iterable<Tensor>, options: MomentumOptions = {}) {
    super('Momentum', params, optionsOf('Momentum', options).lr ?? 0.01);
    this.momentum = hyper('Momentum', 'momentum', options.momentum ?? 0.9, unitInterval, 'a number in [0, 1)');
    this.velocity = this.addBuffer('velocity');
  }

  protected update(i: number, p: FloatArray, g: FloatArray): void {
    const v = this.velocity[i]!.data;
    const { lr, momentum } = this;
    for (let j = 0; j < p.length; j++) {
      v[j] = momentum * v[j]! - lr * g[j]!;
      p[j] = p[j]! + v[j]!;
    }
  }

  protected hyperparameters(): Record<string, number> {
    return { momentum: this.momentum };
  }

  protected setHyperparameters(values: Record<string, number>): void {
    this.momentum = hyper('Momentum', 'momentum', values.momentum, unitInterval, 'a number in [0, 1)');
  }
}
