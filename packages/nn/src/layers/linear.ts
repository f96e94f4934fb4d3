import { type Tensor, linear, reshape } from '@tapegrad/core';
import { Module } from '../module/module.js';
import { type Initializer, makeParameter, pytorchDefault, zerosInit } from '../init/init.js';
import { type SeedOptions, rngFrom } from '../init/seeding.js';
import { booleanOption, checkLayerInput, floatDType, optionsOf, positiveInt } from './checks.js';

export interface LinearOptions extends SeedOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Weight initializer; when given, the bias starts at zero (the book's way). Default: PyTorch's uniform ±1/√in for both. */
  init?: Initializer;
  dtype?: 'float32' | 'float64';
}

/**
 * y = x·Wᵀ + b over the last axis of x (…, in) → (…, out). The weight is (out, in) as in PyTorch, so
 * `fc1.weight` of a PyTorch state dict loads as is (the book's Affine keeps the transpose, (in, out)).
 * @example const fc1 = new Linear(4320, 100, { init: normal(0.01), seed: 0 }); fc1.forward(x) // (N,100)
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    options = optionsOf('Linear', options);
    this.inFeatures = positiveInt('Linear', 'inFeatures', inFeatures);
    this.outFeatures = positiveInt('Linear', 'outFeatures', outFeatures);
    const dtype = floatDType('Linear', options.dtype);
    const rng = rngFrom('Linear', options);
    const shape = [outFeatures, inFeatures];
    const init = options.init ?? pytorchDefault(shape);
    // checked before the weight is allocated: a refusal must not first fill gigabytes
    const withBias = booleanOption('Linear', 'bias', options.bias, true);
    this.weight = makeParameter('Linear', init, shape, { rng, dtype });
    this.bias = !withBias ? null : makeParameter('Linear', options.init ? zerosInit : pytorchDefault(shape), [outFeatures], { rng, dtype });
  }

  forward(x: Tensor): Tensor {
    checkLayerInput('Linear', x, { minRank: 1, layout: '(…,in)', fixed: { [-1]: this.inFeatures }, dtype: this.weight.dtype });
    const flat = x.ndim === 2 ? x : reshape(x, [-1, this.inFeatures]);
    // linear multiplies by the (out, in) weight through the GEMM's transposed-operand flag: no copy of
    // the weight transposed each forward, nor of its gradient each backward
    const y = linear(flat, this.weight, this.bias);
    return x.ndim === 2 ? y : reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
  }
}
