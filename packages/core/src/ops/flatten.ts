import { ShapeError, argError } from '../errors.js';
import { sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkTensor, describe } from './checks.js';
import { reshape } from './reshape.js';

/**
 * Flattens all but the first axis (a composite view): (N, d1, d2, …) → (N, d1·d2·…).
 * @example flatten(x) // (N,30,12,12) → (N,4320)
 */
export function flatten(x: Tensor): Tensor {
  checkTensor('flatten', 'x', x);
  if (x.ndim < 1) throw argError(ShapeError, 'flatten', 'x', 'at least 1-D (N,...)', describe(x));
  return reshape(x, [x.shape[0]!, sizeOf(x.shape.slice(1))]);
}
