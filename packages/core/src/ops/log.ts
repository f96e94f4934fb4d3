import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor.js';
import { div } from './div.js';
import { registerPrimitive } from './registry.js';
import { unaryForward } from './unary-kernel.js';

registerPrimitive({ name: 'log', differentiable: true, vjpDifferentiable: true });

/**
 * Elementwise natural logarithm (float tensors); log(0) = −Infinity and log of a negative number is NaN,
 * as in IEEE arithmetic.
 * @example log(p); p.log()
 */
export function log(x: Tensor): Tensor {
  const out = unaryForward('log', 'log', x);
  return record('log', [x], out, (grad) => [div(grad, x)]);
}
