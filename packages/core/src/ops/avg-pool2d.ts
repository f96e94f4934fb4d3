import { allocateFloatUninitialized } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { Tensor } from '../tensor.js';
import { avgPool2dBackward } from './avg-pool2d-backward.js';
import { checkFloat } from './checks.js';
import { registerPrimitive } from './registry.js';
import { type PoolOptions, checkPoolPlane, poolParams, windowGeometry } from './window-geometry.js';

registerPrimitive({ name: 'avgPool2d', differentiable: true, vjpDifferentiable: true });

export interface AvgPoolOptions extends PoolOptions {
  /** Divide by the full kernel area, padding counted as zeros (default, as PyTorch), or by the real cells only. */
  countIncludePad?: boolean;
}

/**
 * Average pooling over x (N,C,H,W) → (N,C,OH,OW). Stride defaults to the kernel, pad to 0; padding
 * adds zeros and, with `countIncludePad` (default true), still counts in the divisor kh·kw.
 * Its VJP is avgPool2dBackward, the adjoint, whose own VJP is this op again.
 * @example avgPool2d(x, { kernel: 2 }); avgPool2d(x, { kernel: 3, stride: 1, pad: 1, countIncludePad: false })
 */
export function avgPool2d(x: Tensor, options: AvgPoolOptions): Tensor {
  checkFloat('avgPool2d', 'x', x);
  const { params, countIncludePad } = poolParams('avgPool2d', options);
  const g = windowGeometry('avgPool2d', x, params);
  checkPoolPlane('avgPool2d', 'x', x.shape);
  const data = allocateFloatUninitialized(x.dtype as 'float32' | 'float64', g.n * g.c * g.oh * g.ow);
  getBackend().avgPool2d(x.data as Float32Array, g, countIncludePad, data);
  const out = new Tensor(data, [g.n, g.c, g.oh, g.ow], x.dtype);
  return record('avgPool2d', [x], out, (grad) => [avgPool2dBackward(grad, x.shape, { ...params, countIncludePad })]);
}
