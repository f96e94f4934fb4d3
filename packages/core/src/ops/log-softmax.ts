import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkFloat, describe } from './checks.js';
import { ShapeError, argError } from '../errors.js';
import { exp } from './exp.js';
import { log } from './log.js';
import { max } from './max.js';
import { sub } from './sub.js';
import { sum } from './sum.js';

/**
 * Log-softmax along `axis` (default the last) — a composite: z − log Σ exp(z) with z = x − max(x)
 * (detached: the result does not depend on the shift). Never takes the log of an underflowed
 * probability, so it stays finite for logits of ±1000.
 * @example logSoftmax(logits)
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkFloat('logSoftmax', 'x', x);
  if (x.ndim < 1) throw argError(ShapeError, 'logSoftmax', 'x', 'at least 1-D', describe(x));
  const a = normalizeAxis('logSoftmax', axis, x.ndim);
  // an empty axis has no maximum to subtract, and gives an empty result
  const z = x.shape[a] === 0 ? x : sub(x, max(x, a, true).detach());
  return sub(z, log(sum(exp(z), a, true)));
}
