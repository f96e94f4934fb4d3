import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor.js';
import { broadcastBinary } from './binary-kernel.js';
import { checkFloatOperands } from './float-operands.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { registerPrimitive } from './registry.js';

registerPrimitive({ name: 'div', differentiable: true, vjpDifferentiable: true });

/**
 * Elementwise a / b (true division, float tensors only) with NumPy broadcasting.
 * @example div(x, 255); x.div(sum(x, 1, true))
 */
export function div(a: Tensor | number, b: Tensor | number): Tensor {
  checkFloatOperands('div', a, b);
  const { a: ta, b: tb, out } = broadcastBinary('div', 'div', a, b);
  // d(a/b)/da = 1/b; d(a/b)/db = −a/b² = −out/b (out is recorded, so second derivatives follow).
  return record('div', [ta, tb], out, (grad) => [
    ta.requiresGrad ? div(grad, tb) : null,
    tb.requiresGrad ? neg(div(mul(grad, out), tb)) : null,
  ]);
}
