import { allocateUninitialized } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import type { BinaryOp } from '../backend/backend.js';
import { broadcastShapes } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkSameDType, toTensorLike } from './checks.js';

/**
 * The shared forward of the broadcasting binary primitives: checks both operands (numbers become
 * tensors of the other's dtype; dtypes must match; shapes must broadcast) and runs the kernel.
 */
export function broadcastBinary(op: string, kernel: BinaryOp, a: Tensor | number, b: Tensor | number): { a: Tensor; b: Tensor; out: Tensor } {
  const like = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : 'float32';
  const ta = toTensorLike(op, 'a', a, like);
  const tb = toTensorLike(op, 'b', b, like);
  checkSameDType(op, ta, tb);
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  const data = allocateUninitialized(ta.dtype, shape.reduce((p, d) => p * d, 1));
  getBackend().binary(kernel, ta.data, ta.shape, tb.data, tb.shape, data, shape);
  return { a: ta, b: tb, out: new Tensor(data, shape, ta.dtype) };
}
