import { record } from '../autograd/node.js';
import { type DType, DTYPES, allocateUninitialized, isFloat } from '../dtype.js';
import { DTypeError, ValueError, argError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { checkTensor } from './checks.js';
import { registerPrimitive } from './registry.js';

registerPrimitive({ name: 'cast', differentiable: true, vjpDifferentiable: true });

/**
 * Converts x to `dtype` — the one explicit way to combine tensors of different dtypes, since ops never
 * mix them. Float ↔ float is differentiable (the gradient is cast back); to int32 truncates toward zero
 * and carries no gradient (NaN, ±Infinity or values outside the int32 range are a ValueError rather
 * than a silent wrap-around). Casting to x's own dtype returns x itself.
 * @example cast(labels, 'float32'); x.to('float64')
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor('cast', 'x', x);
  if (typeof dtype !== 'string' || !DTYPES.includes(dtype)) {
    throw argError(DTypeError, 'cast', 'dtype', `one of ${DTYPES.join(', ')}`, String(dtype));
  }
  if (dtype === x.dtype) return x;
  if (dtype === 'int32') checkInt32Range(x);
  const data = allocateUninitialized(dtype, x.size);
  // TypedArray.set converts element by element (to int32: truncation toward zero, as C casts do).
  data.set(x.data);
  const out = new Tensor(data, x.shape, dtype);
  if (!isFloat(dtype)) return out; // an integer result carries no gradient
  return record('cast', [x], out, (grad) => [cast(grad, x.dtype)]);
}

function checkInt32Range(x: Tensor): void {
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!(v > -2147483649 && v < 2147483648)) {
      throw argError(ValueError, 'cast', 'x', 'finite values within the int32 range to cast to int32', `${v} at flat index ${i}`);
    }
  }
}
