import { type Tensor, flatten } from '@tapegrad/core';
import { Module } from '../module/module.js';
import { checkLayerInput } from './checks.js';

/**
 * Flattens all but the batch axis: (N, d1, d2, …) → (N, d1·d2·…), a view of the same data.
 * @example new Flatten().forward(x) // (N,30,12,12) → (N,4320)
 */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    checkLayerInput('Flatten', x, { minRank: 1, layout: '(N,…)' });
    return flatten(x);
  }
}
