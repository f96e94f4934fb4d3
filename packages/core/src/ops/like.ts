import { allocate } from '../dtype.js';
import { ValueError, argError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { checkTensor } from './checks.js';

/** The *Like constants, with errors naming the op the user called. */
function filledLike(op: string, x: Tensor, value: number): Tensor {
  checkTensor(op, 'x', x);
  if (typeof value !== 'number') throw argError(ValueError, op, 'value', 'a number', typeof value);
  if (x.dtype === 'int32' && !(Number.isInteger(value) && value >= -2147483648 && value <= 2147483647)) {
    throw argError(ValueError, op, 'value', 'an integer in the int32 range for an int32 x', String(value));
  }
  const data = allocate(x.dtype, x.size);
  if (value !== 0) data.fill(value);
  return new Tensor(data, x.shape, x.dtype);
}

/**
 * A constant tensor of x's shape and dtype filled with `value` (never recorded).
 * @example fullLike(x, 0.5)
 */
export function fullLike(x: Tensor, value: number): Tensor {
  return filledLike('fullLike', x, value);
}

/** @example onesLike(x) */
export function onesLike(x: Tensor): Tensor {
  return filledLike('onesLike', x, 1);
}

/** @example zerosLike(x) */
export function zerosLike(x: Tensor): Tensor {
  return filledLike('zerosLike', x, 0);
}
