import { allocateFloat, type FloatArray } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { formatShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloat } from './checks.js';
import { checkFlatIndices, checkShapeArg } from './flat-indices.js';
import { gatherFlatUnchecked } from './gather-flat.js';
import { registerPrimitive } from './registry.js';

registerPrimitive({ name: 'scatterAddFlat', differentiable: true, vjpDifferentiable: true });

/**
 * scatterAddFlat without argument checks: for VJPs whose indices come from a kernel. `unique`: no index
 * repeats (the backend may then add in parallel).
 */
export function scatterAddFlatUnchecked(g: Tensor, indices: Int32Array, shape: readonly number[], unique = false): Tensor {
  const data = allocateFloat(g.dtype as 'float32' | 'float64', sizeOf(shape));
  getBackend().scatterAdd(g.data as FloatArray, indices, data, unique);
  const out = new Tensor(data, shape, g.dtype);
  // Adjoint pair: the VJP of a scatter-add is the gather of the gradient at the same indices.
  return record('scatterAddFlat', [g], out, (grad) => [gatherFlatUnchecked(grad, indices, g.shape)]);
}

/**
 * A zero tensor of `shape` into which every g.flat[i] is added at flat index indices[i] (repeated indices
 * sum; an index of -1 drops its value). The adjoint of gatherFlat.
 * @example scatterAddFlat(grad, argIndex, x.shape) // route pooled gradients back to the maxima
 */
export function scatterAddFlat(g: Tensor, indices: Int32Array, shape: readonly number[]): Tensor {
  checkFloat('scatterAddFlat', 'g', g);
  const outShape = checkShapeArg('scatterAddFlat', shape);
  checkFlatIndices('scatterAddFlat', indices, g.size, sizeOf(outShape), `shape ${formatShape(outShape)}; one per element of g ${formatShape(g.shape)}`);
  return scatterAddFlatUnchecked(g, indices, outShape);
}
