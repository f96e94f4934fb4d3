import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { registerPrimitive } from './registry.js';
import { unaryForward } from './unary-kernel.js';

registerPrimitive({ name: 'exp', differentiable: true, vjpDifferentiable: true });

/**
 * Elementwise eˣ (float tensors).
 * @example exp(x); x.exp()
 */
export function exp(x: Tensor): Tensor {
  const out = unaryForward('exp', 'exp', x);
  // exp' = exp: reuse the (recorded) output.
  return record('exp', [x], out, (grad) => [mul(grad, out)]);
}
