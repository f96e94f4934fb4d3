import { allocateUninitialized } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add } from './add.js';
import { broadcastBinary } from './binary-kernel.js';
import { checkFloatOperands } from './float-operands.js';
import { mul } from './mul.js';
import { registerPrimitive } from './registry.js';
import { sub } from './sub.js';

registerPrimitive({ name: 'maximum', differentiable: true, vjpDifferentiable: true });

/** A constant (never recorded) 0/1 tensor of `shape`: the backend's comparison of a and b, broadcast. */
function compare(kernel: 'gt' | 'eq', a: Tensor, b: Tensor, shape: readonly number[]): Tensor {
  const data = allocateUninitialized(a.dtype, sizeOf(shape));
  getBackend().binary(kernel, a.data, a.shape, b.data, b.shape, data, shape);
  return new Tensor(data, shape, a.dtype);
}

/**
 * Elementwise maximum of a and b (float tensors) with NumPy broadcasting; NaN propagates. The gradient
 * goes to the larger operand; on ties it is split equally (as PyTorch does).
 * @example maximum(x, 0) // relu by another name; maximum(a, b)
 */
export function maximum(a: Tensor | number, b: Tensor | number): Tensor {
  checkFloatOperands('maximum', a, b);
  const { a: ta, b: tb, out } = broadcastBinary('maximum', 'maximum', a, b);
  return record('maximum', [ta, tb], out, (grad) => {
    // share of the gradient that goes to a: 1 where a > b, ½ on ties, 0 where b wins (a constant mask)
    const toA = add(compare('gt', ta, tb, out.shape), mul(compare('eq', ta, tb, out.shape), 0.5));
    return [ta.requiresGrad ? mul(grad, toA) : null, tb.requiresGrad ? mul(grad, sub(1, toA)) : null];
  });
}
