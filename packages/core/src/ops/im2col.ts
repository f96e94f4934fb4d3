import { allocateFloat, allocateFloatUninitialized } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { checkSize } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloat } from './checks.js';
import { col2im } from './col2im.js';
import { registerPrimitive } from './registry.js';
import { type WindowOptions, checkWindowOptions, paramsOf, windowGeometry, windowParams } from './window-geometry.js';

registerPrimitive({ name: 'im2col', differentiable: true, vjpDifferentiable: true });

/**
 * Unfolds every window of x (N,C,H,W) into a row: the result is (N·OH·OW, C·KH·KW), row (n,oy,ox) and
 * column (c,ky,kx); padded cells read 0. Stride defaults to 1 and pad to 0. Its VJP is col2im, its adjoint.
 * @example im2col(x, { kernel: 5, stride: 1, pad: 2 }) // (N·28·28, C·25) for x (N,C,28,28)
 */
export function im2col(x: Tensor, options: WindowOptions): Tensor {
  checkFloat('im2col', 'x', x);
  checkWindowOptions('im2col', options);
  const params = windowParams('im2col', options.kernel, options.stride ?? 1, options.pad ?? 0);
  const g = windowGeometry('im2col', x, params);
  const rows = g.n * g.oh * g.ow;
  const cols = g.c * g.kh * g.kw;
  checkSize('im2col', 'output', [rows, cols]);
  // Without padding every cell is copied from x; padded cells are left to a zeroed output by the reference kernel.
  const data = (g.ph === 0 && g.pw === 0 ? allocateFloatUninitialized : allocateFloat)(x.dtype as 'float32' | 'float64', rows * cols);
  getBackend().im2col(x.data as Float32Array, g, data);
  const out = new Tensor(data, [rows, cols], x.dtype);
  return record('im2col', [x], out, (grad) => [col2im(grad, x.shape, paramsOf(g))]);
}
