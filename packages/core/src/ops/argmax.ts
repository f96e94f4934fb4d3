import { ValueError, argError } from '../errors.js';
import { normalizeAxis, stridesOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloat } from './checks.js';
import { reduceMaxForward } from './max.js';
import { registerPrimitive } from './registry.js';
import { reducedShape } from './sum.js';

registerPrimitive({ name: 'argmax', differentiable: false, vjpDifferentiable: false });

/**
 * Index of the maximum along `axis` (int32; the first one on ties), or the flat row-major index of the
 * maximum of all elements when axis is omitted (as NumPy). Not differentiable: the result is an integer.
 * @example argmax(logits, 1) // predicted classes (N,)
 */
export function argmax(x: Tensor, axis?: number, keepdims = false): Tensor {
  checkFloat('argmax', 'x', x);
  if (axis !== undefined && typeof axis !== 'number') {
    const got: unknown = axis;
    throw argError(ValueError, 'argmax', 'axis', 'a single axis (a number) or none', Array.isArray(got) ? `[${got.join(',')}]` : typeof got);
  }
  const axes = axis === undefined ? x.shape.map((_, i) => i) : [normalizeAxis('argmax', axis, x.ndim)];
  if (x.ndim === 0) return new Tensor(new Int32Array(1), [], 'int32'); // a scalar is its own maximum
  const { argIndex } = reduceMaxForward('argmax', x, axes);
  const shape = reducedShape(x.shape, axes, keepdims);
  if (axis === undefined) return new Tensor(argIndex, shape, 'int32');
  // The kernel gives flat indices into x; the coordinate along the reduced axis is (flat / stride) mod size.
  const a = axes[0]!;
  const stride = stridesOf(x.shape)[a]!;
  const size = x.shape[a]!;
  const data = new Int32Array(argIndex.length);
  for (let i = 0; i < argIndex.length; i++) data[i] = Math.floor(argIndex[i]! / stride) % size;
  return new Tensor(data, shape, 'int32');
}
