import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor.js';
import { broadcastBinary } from './binary-kernel.js';
import { registerPrimitive } from './registry.js';

registerPrimitive({ name: 'mul', differentiable: true, vjpDifferentiable: true });

/**
 * Elementwise a · b with NumPy broadcasting.
 * @example mul(x, 2); x.mul(mask)
 */
export function mul(a: Tensor | number, b: Tensor | number): Tensor {
  const { a: ta, b: tb, out } = broadcastBinary('mul', 'mul', a, b);
  return record('mul', [ta, tb], out, (grad) => [
    ta.requiresGrad ? mul(grad, tb) : null,
    tb.requiresGrad ? mul(grad, ta) : null,
  ]);
}
