import { allocate, allocateUninitialized } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { ShapeError, argError } from '../errors.js';
import { broadcastsTo, checkShape, formatShape, sameShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkTensor } from './checks.js';
import { registerPrimitive } from './registry.js';

registerPrimitive({ name: 'broadcastTo', differentiable: true, vjpDifferentiable: true });

/**
 * Materializes x broadcast to `shape` (NumPy rules). Its VJP hands the gradient back unchanged: the
 * engine sums it down to x's shape, the one place un-broadcasting is done.
 * @example broadcastTo(bias, [N, 10])
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('broadcastTo', 'x', x);
  checkShape('broadcastTo', 'shape', shape);
  if (!broadcastsTo(x.shape, shape)) {
    throw argError(ShapeError, 'broadcastTo', 'shape', `a shape that ${formatShape(x.shape)} broadcasts to`, formatShape(shape));
  }
  if (sameShape(x.shape, shape)) return x;
  const data = allocateUninitialized(x.dtype, sizeOf(shape));
  // broadcasting against a zero tensor of the target shape: out = x + 0 without a second operand
  const zero = allocate(x.dtype, 1);
  getBackend().binary('add', x.data, x.shape, zero, [], data, shape);
  const out = new Tensor(data, shape, x.dtype);
  return record('broadcastTo', [x], out, (grad) => [grad]);
}
