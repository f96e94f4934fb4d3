import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { registerPrimitive } from './registry.js';
import { unaryForward } from './unary-kernel.js';

registerPrimitive({ name: 'sqrt', differentiable: true, vjpDifferentiable: true });

/**
 * Elementwise square root (float tensors); negative inputs give NaN.
 * @example sqrt(v); v.sqrt()
 */
export function sqrt(x: Tensor): Tensor {
  const out = unaryForward('sqrt', 'sqrt', x);
  // d√x/dx = 1 / (2√x), with √x the recorded output.
  return record('sqrt', [x], out, (grad) => [div(grad, mul(out, 2))]);
}
