import { type Size2, type Tensor, ValueError, argError, conv2d } from '@tapegrad/core';
import { Module } from '../module/module.js';
import { type Initializer, makeParameter, pytorchDefault, zerosInit } from '../init/init.js';
import { type SeedOptions, rngFrom } from '../init/seeding.js';
import { booleanOption, checkLayerInput, floatDType, optionsOf, positiveInt } from './checks.js';

export interface Conv2dLayerOptions extends SeedOptions {
  /** Default 1. */
  stride?: Size2;
  /** Zero padding on each side; default 0. */
  pad?: Size2;
  /** Learn one bias per output channel (default true). */
  bias?: boolean;
  /** Weight initializer; when given, the bias starts at zero (the book's way). Default: PyTorch's uniform ±1/√(in·kh·kw). */
  init?: Initializer;
  dtype?: 'float32' | 'float64';
}

function kernelPair(k: Size2): [number, number] {
  if (Array.isArray(k)) {
    if (k.length !== 2) throw argError(ValueError, 'Conv2d', 'kernel', 'a positive integer or an [h, w] pair', `an array of length ${k.length}`);
    return [positiveInt('Conv2d', 'kernel[0]', k[0]), positiveInt('Conv2d', 'kernel[1]', k[1])];
  }
  const n = positiveInt('Conv2d', 'kernel', k);
  return [n, n];
}

/**
 * A 2-D convolution layer (cross-correlation, NCHW): weight (out, in, kh, kw) and bias (out) as in PyTorch.
 * Stride and pad are checked by core's conv2d when the layer runs.
 * @example const conv1 = new Conv2d(1, 30, 5, { init: normal(0.01), seed: 0 }); conv1.forward(x) // (N,30,24,24)
 */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: [number, number];
  readonly stride: Size2;
  readonly pad: Size2;

  constructor(inChannels: number, outChannels: number, kernel: Size2, options: Conv2dLayerOptions = {}) {
    super();
    options = optionsOf('Conv2d', options);
    this.inChannels = positiveInt('Conv2d', 'inChannels', inChannels);
    this.outChannels = positiveInt('Conv2d', 'outChannels', outChannels);
    this.kernel = kernelPair(kernel);
    this.stride = options.stride ?? 1;
    this.pad = options.pad ?? 0;
    const dtype = floatDType('Conv2d', options.dtype);
    const rng = rngFrom('Conv2d', options);
    const shape = [outChannels, inChannels, ...this.kernel];
    const init = options.init ?? pytorchDefault(shape);
    // checked before the weight is allocated: a refusal must not first fill gigabytes
    const withBias = booleanOption('Conv2d', 'bias', options.bias, true);
    this.weight = makeParameter('Conv2d', init, shape, { rng, dtype });
    this.bias = !withBias ? null : makeParameter('Conv2d', options.init ? zerosInit : pytorchDefault(shape), [outChannels], { rng, dtype });
  }

  forward(x: Tensor): Tensor {
    checkLayerInput('Conv2d', x, { rank: 4, layout: '(N,C,H,W)', fixed: { 1: this.inChannels }, dtype: this.weight.dtype });
    return conv2d(x, this.weight, this.bias, { stride: this.stride, pad: this.pad });
  }
}
