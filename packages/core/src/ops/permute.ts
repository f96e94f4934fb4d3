import { allocateUninitialized } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { ValueError, argError } from '../errors.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkTensor } from './checks.js';
import { registerPrimitive } from './registry.js';

registerPrimitive({ name: 'permute', differentiable: true, vjpDifferentiable: true });

/** Checks that `axes` is a permutation of 0..ndim-1 (negative axes allowed) and normalizes it. */
function checkPermutation(x: Tensor, axes: unknown): number[] {
  const expected = `a permutation of the ${x.ndim} axes of x ${formatShape(x.shape)}`;
  if (!Array.isArray(axes)) throw argError(ValueError, 'permute', 'axes', expected, typeof axes);
  const got = `[${axes.join(',')}]`;
  if (axes.length !== x.ndim) throw argError(ValueError, 'permute', 'axes', expected, `${got} (${axes.length} entries)`);
  const seen = new Array<boolean>(x.ndim).fill(false);
  return axes.map((a: unknown) => {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < -x.ndim || a >= x.ndim) {
      throw argError(ValueError, 'permute', 'axes', expected, got);
    }
    const axis = a < 0 ? a + x.ndim : a;
    if (seen[axis]) throw argError(ValueError, 'permute', 'axes', expected, `${got} (axis ${axis} repeated)`);
    seen[axis] = true;
    return axis;
  });
}

/**
 * Reorders the axes of x: the result's axis i is x's axis `axes[i]` (a copy in the new row-major order).
 * @example permute(x, [0, 2, 3, 1]) // NCHW → NHWC
 */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  checkTensor('permute', 'x', x);
  const perm = checkPermutation(x, axes);
  if (perm.every((p, i) => p === i)) return x;
  const shape = perm.map((p) => x.shape[p]!);
  const data = allocateUninitialized(x.dtype, x.size);
  getBackend().permute(x.data, x.shape, perm, data);
  const out = new Tensor(data, shape, x.dtype);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return record('permute', [x], out, (grad) => [permute(grad, inverse)]);
}

