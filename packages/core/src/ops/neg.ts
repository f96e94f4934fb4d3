import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor.js';
import { registerPrimitive } from './registry.js';
import { unaryForward } from './unary-kernel.js';

registerPrimitive({ name: 'neg', differentiable: true, vjpDifferentiable: true });

/**
 * Elementwise −x (float tensors).
 * @example neg(x); x.neg()
 */
export function neg(x: Tensor): Tensor {
  const out = unaryForward('neg', 'neg', x);
  return record('neg', [x], out, (grad) => [neg(grad)]);
}
