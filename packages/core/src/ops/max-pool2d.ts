import { allocateFloatUninitialized, allocateUninitialized } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record, savedOnlyByVjp, willRecord } from '../autograd/node.js';
import { Tensor } from '../tensor.js';
import { checkFloat } from './checks.js';
import { registerPrimitive } from './registry.js';
import { scatterAddFlatUnchecked } from './scatter-add-flat.js';
import { type PoolOptions, checkPoolPlane, poolParams, windowGeometry } from './window-geometry.js';

registerPrimitive({ name: 'maxPool2d', differentiable: true, vjpDifferentiable: true });

/**
 * Max pooling over x (N,C,H,W) → (N,C,OH,OW). Stride defaults to the kernel, pad to 0 (at most half the
 * kernel); padding counts as −inf. On ties the gradient goes to the first maximum in row-major window
 * order: the kernel saves that cell's flat index, and the VJP scatter-adds the gradient there (its own
 * VJP is the gather at the same indices, so gradients of gradients work).
 * @example maxPool2d(x, { kernel: 2 }) // (N,C,H/2,W/2) as in the book's SimpleConvNet
 */
export function maxPool2d(x: Tensor, options: PoolOptions): Tensor {
  checkFloat('maxPool2d', 'x', x);
  const { params } = poolParams('maxPool2d', options);
  const g = windowGeometry('maxPool2d', x, params);
  checkPoolPlane('maxPool2d', 'x', x.shape);
  const size = g.n * g.c * g.oh * g.ow;
  const data = allocateFloatUninitialized(x.dtype as 'float32' | 'float64', size);
  // The window maxima's indices are only needed by the VJP: none when nothing will be recorded.
  const argIndex = willRecord(x) ? (allocateUninitialized('int32', size) as Int32Array) : null;
  getBackend().maxPool2d(x.data as Float32Array, g, data, argIndex);
  const out = new Tensor(data, [g.n, g.c, g.oh, g.ow], x.dtype);
  // Windows that do not overlap (stride ≥ kernel) never pick the same cell: the scatter may run in parallel.
  const disjoint = g.sh >= g.kh && g.sw >= g.kw;
  const recorded = record('maxPool2d', [x], out, (grad) => [scatterAddFlatUnchecked(grad, argIndex!, x.shape, disjoint)]);
  if (argIndex !== null) savedOnlyByVjp(recorded, argIndex);
  return recorded;
}
