import { record } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { registerPrimitive } from './registry.js';
import { mulStepMask, stepMask, unaryForward } from './unary-kernel.js';

registerPrimitive({ name: 'relu', differentiable: true, vjpDifferentiable: true });

/**
 * Elementwise max(x, 0) (float tensors). The gradient is grad · [x > 0], so relu'(0) = 0.
 * @example relu(x); x.relu()
 */
export function relu(x: Tensor): Tensor {
  const out = unaryForward('relu', 'relu', x);
  // The mask is a constant: relu'' = 0 almost everywhere, so grad-of-grad through it is exact. When the
  // backward is not recorded (no createGraph), one fused pass gives the same values with one allocation.
  return record('relu', [x], out, (grad) => [isGradEnabled() ? mul(grad, stepMask(x)) : mulStepMask(grad, x)]);
}
