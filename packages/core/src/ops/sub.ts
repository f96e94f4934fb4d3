import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor.js';
import { broadcastBinary } from './binary-kernel.js';
import { neg } from './neg.js';
import { registerPrimitive } from './registry.js';

registerPrimitive({ name: 'sub', differentiable: true, vjpDifferentiable: true });

/**
 * Elementwise a − b with NumPy broadcasting; a number is taken in the tensor's dtype.
 * @example sub(x, 1); sub(1, y); x.sub(mean)
 */
export function sub(a: Tensor | number, b: Tensor | number): Tensor {
  const { a: ta, b: tb, out } = broadcastBinary('sub', 'sub', a, b);
  return record('sub', [ta, tb], out, (grad) => [grad, tb.requiresGrad ? neg(grad) : null]);
}
