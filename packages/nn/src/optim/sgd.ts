import type { FloatArray, Tensor } from '@tapegrad/core';
import { Optimizer } from './optimizer.js';
import { optionsOf } from '../layers/checks.js';

export interface SGDOptions {
  /** Default 0.01 (the book's). */
  lr?: number;
}

/**
 * Plain stochastic gradient descent: p ← p − lr·g.
 * @example const opt = new SGD(model.parameters(), { lr: 0.1 }); loss.backward(); opt.step(); opt.zeroGrad();
 */
export class SGD extends Optimizer {
  constructor(params: Iterable<Tensor>, options: SGDOptions = {}) {
    super('SGD', params, optionsOf('SGD', options).lr ?? 0.01);
  }

  protected update(_i: number, p: FloatArray, g: FloatArray): void {
    const lr = this.lr;
    for (let j = 0; j < p.length; j++) p[j] = p[j]! - lr * g[j]!;
  }

  protected hyperparameters(): Record<string, number> {
    return {};
  }

  protected setHyperparameters(): void {}
}
