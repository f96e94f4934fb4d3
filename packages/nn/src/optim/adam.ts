import { type FloatArray, type Tensor, getBackend } from '@tapegrad/core';
import { Optimizer, hyper, positive, unitInterval } from './optimizer.js';
import { optionsOf } from '../layers/checks.js';

export interface AdamOptions {
  /** Default 0.001. */
  lr?: number;
  /** Default 0.9, in [0, 1). */
  beta1?: number;
  /** Default 0.999, in [0, 1). */
  beta2?: number;
  /** Added to the bias-corrected √v̂; default 1e-8; > 0 (eps 0 makes a zero gradient's update 0/0 = NaN). */
  eps?: number;
}

/**
 * Adam exactly as torch.optim.Adam (no weight decay, no amsgrad), step t counted per parameter from 1:
 * m ← m + (1−β1)(g − m); v ← β2·v + (1−β2)·g²; p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + eps).
 * eps is added to the bias-corrected √v̂ — unlike the book's Adam, which adds 1e-7 to the uncorrected √v.
 * @example const opt = new Adam(model.parameters(), { lr: 0.001 });
 */
export class Adam extends Optimizer {
  beta1: number;
  beta2: number;
  eps: number;
  private readonly expAvg: Tensor[];
  private readonly expAvgSq: Tensor[];

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super('Adam', params, optionsOf('Adam', options).lr ?? 0.001);
    this.beta1 = hyper('Adam', 'beta1', options.beta1 ?? 0.9, unitInterval, 'a number in [0, 1)');
    this.beta2 = hyper('Adam', 'beta2', options.beta2 ?? 0.999, unitInterval, 'a number in [0, 1)');
    this.eps = hyper('Adam', 'eps', options.eps ?? 1e-8, positive, 'a finite number > 0');
    // the moments live where the backend's adamUpdate reads them without a copy
    this.expAvg = this.addBuffer('exp_avg', true);
    this.expAvgSq = this.addBuffer('exp_avg_sq', true);
  }

  protected update(i: number, p: FloatArray, g: FloatArray, step: number): void {
    const { lr, beta1, beta2, eps } = this;
    // The loop is a backend kernel: the reference backend runs it in TypeScript, the wasm one in float64
    // SIMD lanes across its threads — the same bits either way.
    getBackend().adamUpdate(p, g, this.expAvg[i]!.data as FloatArray, this.expAvgSq[i]!.data as FloatArray, {
      w: 1 - beta1,
      beta2,
      eps,
      stepSize: lr / (1 - beta1 ** step),
      bias2Sqrt: Math.sqrt(1 - beta2 ** step),
    });
  }

  protected hyperparameters(): Record<string, number> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps };
  }

  protected setHyperparameters(values: Record<string, number>): void {
    const beta1 = hyper('Adam', 'beta1', values.beta1, unitInterval, 'a number in [0, 1)');
    const beta2 = hyper('Adam', 'beta2', values.beta2, unitInterval, 'a number in [0, 1)');
    this.eps = hyper('Adam', 'eps', values.eps, positive, 'a finite number > 0');
    this.beta1 = beta1;
    this.beta2 = beta2;
  }
}
