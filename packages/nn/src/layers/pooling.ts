import { type Size2, type Tensor, avgPool2d, maxPool2d } from '@tapegrad/core';
import { Module } from '../module/module.js';
import { checkLayerInput, optionsOf } from './checks.js';

export interface PoolLayerOptions {
  /** Default: the kernel (non-overlapping windows). */
  stride?: Size2;
  /** Default 0; at most half the kernel. */
  pad?: Size2;
}

/**
 * Max pooling (padding counts as −∞). Kernel, stride and pad are checked by core's maxPool2d.
 * @example new MaxPool2d(2) // (N,C,24,24) → (N,C,12,12); new MaxPool2d(3, { stride: 2 })
 */
export class MaxPool2d extends Module {
  readonly kernel: Size2;
  readonly stride: Size2;
  readonly pad: Size2;

  constructor(kernel: Size2, options: PoolLayerOptions = {}) {
    super();
    options = optionsOf('MaxPool2d', options);
    this.kernel = kernel;
    this.stride = options.stride ?? kernel;
    this.pad = options.pad ?? 0;
  }

  forward(x: Tensor): Tensor {
    checkLayerInput('MaxPool2d', x, { rank: 4, layout: '(N,C,H,W)' });
    return maxPool2d(x, { kernel: this.kernel, stride: this.stride, pad: this.pad });
  }
}

export interface AvgPoolLayerOptions extends PoolLayerOptions {
  /** Count zero padding in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
}

/**
 * Average pooling (LeNet's subsampling).
 * @example new AvgPool2d(2) // (N,6,28,28) → (N,6,14,14)
 */
export class AvgPool2d extends Module {
  readonly kernel: Size2;
  readonly stride: Size2;
  readonly pad: Size2;
  readonly countIncludePad: boolean;

  constructor(kernel: Size2, options: AvgPoolLayerOptions = {}) {
    super();
    options = optionsOf('AvgPool2d', options);
    this.kernel = kernel;
    this.stride = options.stride ?? kernel;
    this.pad = options.pad ?? 0;
    this.countIncludePad = options.countIncludePad ?? true;
  }

  forward(x: Tensor): Tensor {
    checkLayerInput('AvgPool2d', x, { rank: 4, layout: '(N,C,H,W)' });
    return avgPool2d(x, { kernel: this.kernel, stride: this.stride, pad: this.pad, countIncludePad: this.countIncludePad });
  }
}
