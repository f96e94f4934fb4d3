import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor.js';
import { broadcastBinary } from './binary-kernel.js';
import { registerPrimitive } from './registry.js';

registerPrimitive({ name: 'add', differentiable: true, vjpDifferentiable: true });

/**
 * Elementwise a + b with NumPy broadcasting; a number is taken in the tensor's dtype.
 * @example add(x, 1); x.add(bias)
 */
export function add(a: Tensor | number, b: Tensor | number): Tensor {
  const { a: ta, b: tb, out } = broadcastBinary('add', 'add', a, b);
  // The engine sums each gradient back to its input's (possibly broadcast) shape.
  return record('add', [ta, tb], out, (grad) => [grad, grad]);
}
