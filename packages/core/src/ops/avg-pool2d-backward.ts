import { allocateFloat } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { ShapeError, ValueError, argError } from '../errors.js';
import { checkShape, formatShape, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { avgPool2d, type AvgPoolOptions } from './avg-pool2d.js';
import { checkFloat, describe } from './checks.js';
import { registerPrimitive } from './registry.js';
import { checkPoolPlane, geometryOf, poolParams } from './window-geometry.js';

registerPrimitive({ name: 'avgPool2dBackward', differentiable: true, vjpDifferentiable: true });

/**
 * The adjoint of avgPool2d: spreads grad (N,C,OH,OW) back over the windows of an input of shape
 * `xShape`, each window's share divided as avgPool2d divides. avgPool2d's VJP; its own VJP is avgPool2d.
 * @example avgPool2dBackward(dy, x.shape, { kernel: 2 }) // the gradient avgPool2d(x, { kernel: 2 }) sends to x
 */
export function avgPool2dBackward(grad: Tensor, xShape: readonly number[], options: AvgPoolOptions): Tensor {
  checkFloat('avgPool2dBackward', 'grad', grad);
  if (!Array.isArray(xShape) || xShape.length !== 4) {
    throw argError(ValueError, 'avgPool2dBackward', 'xShape', 'a 4-D shape [N,C,H,W]', Array.isArray(xShape) ? formatShape(xShape) : String(xShape));
  }
  checkShape('avgPool2dBackward', 'xShape', xShape);
  const { params, countIncludePad } = poolParams('avgPool2dBackward', options);
  const g = geometryOf('avgPool2dBackward', xShape, params);
  checkPoolPlane('avgPool2dBackward', 'xShape', xShape);
  const expected = [g.n, g.c, g.oh, g.ow];
  if (!sameShape(grad.shape, expected)) {
    throw argError(ShapeError, 'avgPool2dBackward', 'grad', `shape ${formatShape(expected)} (the pooled output of xShape ${formatShape(xShape)})`, describe(grad));
  }
  const data = allocateFloat(grad.dtype as 'float32' | 'float64', g.n * g.c * g.h * g.w);
  getBackend().avgPool2dBackward(grad.data as Float32Array, g, countIncludePad, data);
  const out = new Tensor(data, [...xShape], grad.dtype);
  return record('avgPool2dBackward', [grad], out, (gg) => [avgPool2d(gg, { ...params, countIncludePad })]);
}
