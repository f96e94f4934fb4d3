import { DTypeError, ShapeError, Tensor, ValueError, argError, formatShape, mean, mul, sub } from '@tapegrad/core';

/**
 * Mean squared error over all elements, mean((y − t)²), as PyTorch's MSELoss (the book's
 * mean_squared_error is half the sum instead). y and t must have the same shape and dtype: nothing is
 * broadcast. Returns a 0-d tensor.
 * @example mseLoss(model.forward(x), target).backward();
 */
export function mseLoss(y: Tensor, t: Tensor): Tensor {
  for (const [arg, v] of [['y', y], ['t', t]] as const) {
    if (!(v instanceof Tensor)) throw argError(ValueError, 'mseLoss', arg, 'a Tensor', v === null ? 'null' : typeof v);
  }
  if (y.shape.length !== t.shape.length || y.shape.some((d, i) => d !== t.shape[i])) {
    throw argError(ShapeError, 'mseLoss', 't', `shape ${formatShape(y.shape)} to match y (no broadcasting)`, `shape ${formatShape(t.shape)}`);
  }
  if (y.dtype !== t.dtype) throw argError(DTypeError, 'mseLoss', 't', `dtype ${y.dtype} to match y`, `dtype ${t.dtype}`);
  if (y.dtype === 'int32') throw argError(DTypeError, 'mseLoss', 'y', 'a float32 or float64 tensor', 'dtype int32');
  if (y.size === 0) throw argError(ShapeError, 'mseLoss', 'y', 'at least one element', `shape ${formatShape(y.shape)}`);
  const d = sub(y, t);
  return mean(mul(d, d));
}

/**
 * `mseLoss` as an object, PyTorch style.
 * @example new MSELoss().forward(y, t)
 */
export class MSELoss {
  forward(y: Tensor, t: Tensor): Tensor {
    return mseLoss(y, t);
  }
}
