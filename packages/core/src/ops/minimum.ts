import { broadcastShapes } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkSameDType } from './checks.js';
import { checkFloatOperands } from './float-operands.js';
import { maximum } from './maximum.js';
import { neg } from './neg.js';

/**
 * Elementwise minimum of a and b (float tensors) with NumPy broadcasting — a composite:
 * −maximum(−a, −b), so its gradient (ties split equally) comes from maximum's.
 * @example minimum(x, 1)
 */
export function minimum(a: Tensor | number, b: Tensor | number): Tensor {
  checkFloatOperands('minimum', a, b);
  if (a instanceof Tensor && b instanceof Tensor) {
    // checked here so that errors name minimum, not the maximum it is built from
    checkSameDType('minimum', a, b);
    broadcastShapes('minimum', a.shape, b.shape);
  }
  const negate = (v: Tensor | number) => (typeof v === 'number' ? -v : neg(v));
  return neg(maximum(negate(a), negate(b)));
}
