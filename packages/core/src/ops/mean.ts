import { normalizeAxes, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkFloat } from './checks.js';
import { div } from './div.js';
import { sum } from './sum.js';

/**
 * Mean over `axis` (a number, a list, or all axes when omitted) — a composite: sum / count.
 * @example mean(loss); mean(x, 0, true)
 */
export function mean(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  checkFloat('mean', 'x', x);
  const axes = normalizeAxes('mean', axis, x.ndim).filter((a) => a >= 0 && a < x.ndim);
  const count = sizeOf(axes.map((a) => x.shape[a]!));
  return div(sum(x, axes, keepdims), count);
}
