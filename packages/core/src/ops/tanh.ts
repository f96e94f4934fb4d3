import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { registerPrimitive } from './registry.js';
import { sub } from './sub.js';
import { unaryForward } from './unary-kernel.js';

registerPrimitive({ name: 'tanh', differentiable: true, vjpDifferentiable: true });

/**
 * Elementwise hyperbolic tangent (float tensors).
 * @example tanh(x); x.tanh()
 */
export function tanh(x: Tensor): Tensor {
  const y = unaryForward('tanh', 'tanh', x);
  // tanh' = 1 − y², written with the recorded output y so that tanh'' = −2y·(1 − y²) follows.
  return record('tanh', [x], y, (grad) => [mul(grad, sub(1, mul(y, y)))]);
}
