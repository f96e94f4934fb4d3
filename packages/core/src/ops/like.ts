import { allocate } from '../dtype.js';
import { Tensor } from '../tensor.js';

/** A constant tensor of x's shape and dtype filled with `value` (never recorded). */
export function fullLike(x: Tensor, value: number): Tensor {
  const data = allocate(x.dtype, x.size);
  if (value !== 0) data.fill(value);
  return new Tensor(data, x.shape, x.dtype);
}

export function onesLike(x: Tensor): Tensor {
  return fullLike(x, 1);
}

export function zerosLike(x: Tensor): Tensor {
  return fullLike(x, 0);
}
