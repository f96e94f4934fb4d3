import { record } from '../autograd/node.js';
import { ShapeError, ValueError, argError } from '../errors.js';
import { MAX_ELEMENTS, formatShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkTensor } from './checks.js';
import { registerPrimitive } from './registry.js';

registerPrimitive({ name: 'reshape', differentiable: true, vjpDifferentiable: true });

/** Resolves one -1 entry so the sizes match. */
function resolveShape(x: Tensor, shape: readonly number[]): number[] {
  if (!Array.isArray(shape)) {
    const got: unknown = shape;
    throw argError(ValueError, 'reshape', 'shape', 'a shape (an array of integers, at most one -1)', got === null ? 'null' : typeof got);
  }
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1) throw argError(ValueError, 'reshape', 'shape', 'at most one -1', formatShape(shape));
  for (const d of shape) {
    // (a dimension above MAX_ELEMENTS fits no tensor, even an empty one)
    if (!Number.isInteger(d) || d < -1 || d > MAX_ELEMENTS) {
      throw argError(ValueError, 'reshape', 'shape', 'non-negative integers (and at most one -1)', `[${shape.map((v) => String(v)).join(',')}]`);
    }
  }
  const known = sizeOf(shape.filter((d) => d !== -1));
  const out = [...shape];
  if (inferred === 1) {
    if (known === 0 || x.size % known !== 0) {
      throw argError(ShapeError, 'reshape', 'shape', `a shape with ${x.size} elements to match x ${formatShape(x.shape)}`, formatShape(shape));
    }
    out[out.indexOf(-1)] = x.size / known;
  }
  if (sizeOf(out) !== x.size) {
    throw argError(ShapeError, 'reshape', 'shape', `a shape with ${x.size} elements to match x ${formatShape(x.shape)}`, `${formatShape(shape)} (${sizeOf(out)} elements)`);
  }
  return out;
}

/**
 * A view of x with a new shape (no copy: the data is shared); one entry may be -1.
 * @example reshape(x, [N, -1])
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', 'x', x);
  const target = resolveShape(x, shape);
  const out = new Tensor(x.data, target, x.dtype);
  return record('reshape', [x], out, (grad) => [reshape(grad, x.shape)]);
}
