import { type Tensor, ValueError, argError, localResponseNorm } from '@tapegrad/core';
import { Module } from '../module/module.js';
import { checkLayerInput, positiveInt } from './checks.js';

function checked(arg: string, v: unknown, ok: (v: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw argError(ValueError, 'LocalResponseNorm', arg, what, String(v));
  return v;
}

export interface LocalResponseNormLayerOptions {
  /** Neighbouring channels in the window. */
  size: number;
  /** Default 1e-4 (divided by size, as PyTorch). */
  alpha?: number;
  /** Default 0.75. */
  beta?: number;
  /** Default 1. */
  k?: number;
}

/**
 * Local response normalization across channels with PyTorch's formula:
 * x / (k + alpha/size · Σ window x²)^beta. AlexNet uses `{ size: 5, alpha: 1e-4, beta: 0.75, k: 2 }`.
 * @example new LocalResponseNorm({ size: 5, k: 2 }).forward(x) // same shape as x (N,C,H,W)
 */
export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;

  constructor(options: LocalResponseNormLayerOptions) {
    super();
    if (typeof options !== 'object' || options === null) {
      throw argError(ValueError, 'LocalResponseNorm', 'options', 'an object { size, alpha?, beta?, k? }', String(options));
    }
    this.size = positiveInt('LocalResponseNorm', 'size', options.size);
    this.alpha = checked('alpha', options.alpha ?? 1e-4, (v) => v >= 0, 'a finite number ≥ 0');
    this.beta = checked('beta', options.beta ?? 0.75, () => true, 'a finite number');
    this.k = checked('k', options.k ?? 1, (v) => v > 0, 'a finite number > 0');
  }

  forward(x: Tensor): Tensor {
    checkLayerInput('LocalResponseNorm', x, { rank: 4, layout: '(N,C,H,W)' });
    return localResponseNorm(x, { size: this.size, alpha: this.alpha, beta: this.beta, k: this.k });
  }
}
