import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor.js';
import { broadcastBinary } from './binary-kernel.js';
import { checkFloatOperands } from './float-operands.js';
import { log } from './log.js';
import { mul } from './mul.js';
import { registerPrimitive } from './registry.js';
import { sub } from './sub.js';

registerPrimitive({ name: 'pow', differentiable: true, vjpDifferentiable: true });

/**
 * Elementwise aᵇ (float tensors) with NumPy broadcasting; either side may be a number.
 * The exponent's gradient aᵇ·ln a is only defined for a > 0 (NaN elsewhere, as in PyTorch), and is only
 * computed when the exponent requires grad.
 * @example pow(x, 2); pow(2, x); x.pow(y)
 */
export function pow(a: Tensor | number, b: Tensor | number): Tensor {
  checkFloatOperands('pow', a, b);
  const { a: tx, b: ty, out } = broadcastBinary('pow', 'pow', a, b);
  return record('pow', [tx, ty], out, (grad) => [
    tx.requiresGrad ? mul(grad, mul(ty, pow(tx, sub(ty, 1)))) : null,
    ty.requiresGrad ? mul(grad, mul(out, log(tx))) : null,
  ]);
}
