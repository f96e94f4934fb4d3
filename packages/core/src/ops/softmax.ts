import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkFloat, describe } from './checks.js';
import { ShapeError, argError } from '../errors.js';
import { div } from './div.js';
import { exp } from './exp.js';
import { max } from './max.js';
import { sub } from './sub.js';
import { sum } from './sum.js';

/**
 * Softmax along `axis` (default the last) — a composite: exp(x − m) / Σ exp(x − m) with m the maximum,
 * so logits of ±1000 stay finite. m is detached: softmax is shift-invariant, so the gradient through m
 * is exactly zero and leaving it out changes nothing (gradients of gradients included).
 * @example softmax(logits) // rows sum to 1
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  checkFloat('softmax', 'x', x);
  if (x.ndim < 1) throw argError(ShapeError, 'softmax', 'x', 'at least 1-D', describe(x));
  const a = normalizeAxis('softmax', axis, x.ndim);
  // an empty axis has no maximum to subtract, and gives an empty result
  const e = exp(x.shape[a] === 0 ? x : sub(x, max(x, a, true).detach()));
  return div(e, sum(e, a, true));
}
