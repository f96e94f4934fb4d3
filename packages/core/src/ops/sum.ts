import { allocateFloatUninitialized } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { normalizeAxes } from '../shape.js';
import { Tensor } from '../tensor.js';
import { broadcastTo } from './broadcast-to.js';
import { checkFloat } from './checks.js';
import { registerPrimitive } from './registry.js';
import { reshape } from './reshape.js';

registerPrimitive({ name: 'sum', differentiable: true, vjpDifferentiable: true });

/** The shape after reducing `axes`: removed, or kept as 1 with keepdims. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  return keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/**
 * Sum over `axis` (a number, a list, or all axes when omitted); keepdims keeps reduced axes as size 1.
 * @example sum(x) // 0-d; sum(x, 1, true) // (N,1)
 */
export function sum(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  checkFloat('sum', 'x', x);
  const axes = normalizeAxes('sum', axis, x.ndim);
  const outShape = reducedShape(x.shape, axes, keepdims);
  const data = allocateFloatUninitialized(x.dtype as 'float32' | 'float64', outShape.reduce((p, d) => p * d, 1));
  getBackend().reduceSum(x.data as Float32Array, x.shape, axes, data);
  const out = new Tensor(data, outShape, x.dtype);
  return record('sum', [x], out, (grad) => [broadcastTo(reshape(grad, reducedShape(x.shape, axes, true)), x.shape)]);
}
