import { allocateFloat } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { ShapeError, ValueError, argError } from '../errors.js';
import { checkShape, formatShape, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloat, describe } from './checks.js';
import { im2col } from './im2col.js';
import { registerPrimitive } from './registry.js';
import { type WindowOptions, checkWindowOptions, geometryOf, paramsOf, windowParams } from './window-geometry.js';

registerPrimitive({ name: 'col2im', differentiable: true, vjpDifferentiable: true });

/**
 * The adjoint of im2col: folds col (N·OH·OW, C·KH·KW) back into an (N,C,H,W) tensor of shape `xShape`,
 * summing the entries of overlapping windows. `<col2im(c), x> = <c, im2col(x)>`; its VJP is im2col.
 * @example col2im(dcol, [N, C, H, W], { kernel: 5, pad: 2 }) // the input gradient of a convolution
 */
export function col2im(col: Tensor, xShape: readonly number[], options: WindowOptions): Tensor {
  checkFloat('col2im', 'col', col);
  if (!Array.isArray(xShape) || xShape.length !== 4) {
    throw argError(ValueError, 'col2im', 'xShape', 'a 4-D shape [N,C,H,W]', Array.isArray(xShape) ? formatShape(xShape) : String(xShape));
  }
  checkShape('col2im', 'xShape', xShape);
  checkWindowOptions('col2im', options);
  const params = windowParams('col2im', options.kernel, options.stride ?? 1, options.pad ?? 0);
  const g = geometryOf('col2im', xShape, params);
  const expected = [g.n * g.oh * g.ow, g.c * g.kh * g.kw];
  if (!sameShape(col.shape, expected)) {
    throw argError(ShapeError, 'col2im', 'col', `shape ${formatShape(expected)} (N·OH·OW, C·KH·KW) for xShape ${formatShape(xShape)}`, describe(col));
  }
  const data = allocateFloat(col.dtype as 'float32' | 'float64', g.n * g.c * g.h * g.w);
  getBackend().col2im(col.data as Float32Array, g, data);
  const out = new Tensor(data, [...xShape], col.dtype);
  return record('col2im', [col], out, (grad) => [im2col(grad, paramsOf(g))]);
}
