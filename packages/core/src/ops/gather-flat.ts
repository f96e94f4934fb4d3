import { allocateUninitialized } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { formatShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkTensor } from './checks.js';
import { checkFlatIndices, checkShapeArg } from './flat-indices.js';
import { registerPrimitive } from './registry.js';
import { scatterAddFlatUnchecked } from './scatter-add-flat.js';

registerPrimitive({ name: 'gatherFlat', differentiable: true, vjpDifferentiable: true });

/** gatherFlat without argument checks: for VJPs whose indices come from a kernel. */
export function gatherFlatUnchecked(x: Tensor, indices: Int32Array, shape: readonly number[]): Tensor {
  const data = allocateUninitialized(x.dtype, indices.length);
  getBackend().gather(x.data, indices, data);
  const out = new Tensor(data, shape, x.dtype);
  // Adjoint pair: the VJP of a gather is the scatter-add of the gradient to the same indices.
  return record('gatherFlat', [x], out, (grad) => [scatterAddFlatUnchecked(grad, indices, x.shape)]);
}

/**
 * Picks elements of x by flat row-major index into a tensor of `shape`: out.flat[i] = x.flat[indices[i]]
 * (an index of -1 reads 0). Indices may repeat; the gradient then accumulates.
 * @example gatherFlat(logits, new Int32Array([3, 12]), [2]) // picks row 0 col 3 and row 1 col 2 of (2,10)
 */
export function gatherFlat(x: Tensor, indices: Int32Array, shape: readonly number[]): Tensor {
  checkTensor('gatherFlat', 'x', x);
  const outShape = checkShapeArg('gatherFlat', shape);
  checkFlatIndices('gatherFlat', indices, sizeOf(outShape), x.size, `x ${formatShape(x.shape)}; one per element of shape ${formatShape(outShape)}`);
  return gatherFlatUnchecked(x, indices, outShape);
}
