import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { registerPrimitive } from './registry.js';
import { sub } from './sub.js';
import { unaryForward } from './unary-kernel.js';

registerPrimitive({ name: 'sigmoid', differentiable: true, vjpDifferentiable: true });

/**
 * Elementwise logistic function 1 / (1 + e⁻ˣ) (float tensors). A primitive rather than a composite: the
 * kernel never takes exp of a large positive number, so ±1000 and ±1e30 give exactly 0 or 1, and the
 * gradient y·(1 − y) is exactly 0 there instead of the ∞·0 = NaN a composed gradient would produce.
 * @example sigmoid(x); x.sigmoid()
 */
export function sigmoid(x: Tensor): Tensor {
  const y = unaryForward('sigmoid', 'sigmoid', x);
  return record('sigmoid', [x], y, (grad) => [mul(grad, mul(y, sub(1, y)))]);
}
