import { allocateFloatUninitialized, allocateUninitialized, type FloatArray } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { ValueError, argError } from '../errors.js';
import { formatShape, normalizeAxes, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloat } from './checks.js';
import { registerPrimitive } from './registry.js';
import { scatterAddFlatUnchecked } from './scatter-add-flat.js';
import { reducedShape } from './sum.js';

registerPrimitive({ name: 'max', differentiable: true, vjpDifferentiable: true });

/**
 * Runs the reduceMax kernel: the maxima over `axes` (in reducedShape order) and, for each, the flat index
 * into x of the first maximum in row-major order. Shared by max and argmax.
 */
export function reduceMaxForward(op: string, x: Tensor, axes: readonly number[]): { values: FloatArray; argIndex: Int32Array } {
  const reduced = sizeOf(axes.map((a) => x.shape[a]!));
  if (reduced === 0) {
    throw argError(ValueError, op, 'axis', `axes of non-zero size (a maximum of nothing is undefined) for x ${formatShape(x.shape)}`, `[${axes.join(',')}]`);
  }
  const count = x.size / reduced;
  const values = allocateFloatUninitialized(x.dtype as 'float32' | 'float64', count);
  const argIndex = allocateUninitialized('int32', count) as Int32Array;
  getBackend().reduceMax(x.data as FloatArray, x.shape, axes, values, argIndex);
  return { values, argIndex };
}

/**
 * Maximum over `axis` (a number, a list, or all axes when omitted); keepdims keeps reduced axes as size 1.
 * The gradient goes to the first maximum of each reduced block in row-major order (ties are not split).
 * @example max(x) // 0-d; max(logits, 1, true) // (N,1)
 */
export function max(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  checkFloat('max', 'x', x);
  // a 0-d x accepts axis 0 or -1 (as NumPy) and has nothing to reduce
  const axes = normalizeAxes('max', axis, x.ndim).filter((a) => a >= 0 && a < x.ndim);
  const { values, argIndex } = reduceMaxForward('max', x, axes);
  const out = new Tensor(values, reducedShape(x.shape, axes, keepdims), x.dtype);
  // grad is in output order, the order of argIndex: scatter it to the arg-max positions of x.
  return record('max', [x], out, (grad) => [scatterAddFlatUnchecked(grad, argIndex, x.shape)]);
}
