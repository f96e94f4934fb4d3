import { ShapeError, argError } from '../errors.js';
import { formatShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add } from './add.js';
import { checkFloat, checkSameDType, describe } from './checks.js';
import { matmul } from './matmul.js';
import { reshape } from './reshape.js';

/**
 * The book's Affine layer as a composite: reshape(x, [N, -1]) @ w + b, with w in the book's layout
 * (in, out) and b of shape (out) (optional).
 * @example affine(x, w1, b1) // x (N,1,28,28), w1 (784,100), b1 (100) → (N,100)
 */
export function affine(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  checkFloat('affine', 'x', x);
  checkFloat('affine', 'w', w);
  if (x.ndim < 2) throw argError(ShapeError, 'affine', 'x', 'at least 2-D (N,...)', describe(x));
  const features = sizeOf(x.shape.slice(1));
  if (w.ndim !== 2 || w.shape[0] !== features) {
    throw argError(ShapeError, 'affine', 'w', `2-D (in,out) with in=${features} to match x ${formatShape(x.shape)}`, describe(w));
  }
  checkSameDType('affine', x, w, ['x', 'w']);
  const y = matmul(reshape(x, [x.shape[0]!, features]), w);
  if (b === undefined) return y;
  checkFloat('affine', 'b', b);
  if (b.ndim !== 1 || b.shape[0] !== w.shape[1]) {
    throw argError(ShapeError, 'affine', 'b', `1-D (out) with out=${w.shape[1]} to match w ${formatShape(w.shape)}`, describe(b));
  }
  checkSameDType('affine', x, b, ['x', 'b']);
  return add(y, b);
}
