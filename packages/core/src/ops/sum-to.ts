import { ShapeError, argError } from '../errors.js';
import { broadcastsTo, checkShape, formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkFloat } from './checks.js';
import { reshape } from './reshape.js';
import { sum } from './sum.js';

/**
 * Sums a broadcast gradient back to `shape` (composite): leading extra axes and axes that were 1 in
 * `shape` are summed. The engine calls this once for every VJP, so no VJP un-broadcasts by itself.
 * @example sumTo(grad, [1, 10]) // grad (N,10) summed over the batch
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  checkFloat('sumTo', 'g', g);
  checkShape('sumTo', 'shape', shape);
  if (!broadcastsTo(shape, g.shape)) {
    throw argError(ShapeError, 'sumTo', 'shape', `a shape that broadcasts to g ${formatShape(g.shape)}`, formatShape(shape));
  }
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return reshape(axes.length > 0 ? sum(g, axes, true) : g, shape);
}
