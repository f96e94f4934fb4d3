import { ValueError, argError } from '../errors.js';
import { checkShape } from '../shape.js';

/**
 * Validates the flat-index arguments shared by gatherFlat and scatterAddFlat: an Int32Array of
 * `count` entries, each in [-1, limit) — -1 standing for "no element" (a max-pooling window made only of
 * padding): gathering it reads 0, scattering it drops the value.
 */
export function checkFlatIndices(op: string, indices: unknown, count: number, limit: number, limitWhat: string): Int32Array {
  if (!(indices instanceof Int32Array)) {
    const got = indices === null ? 'null' : Array.isArray(indices) ? 'an array (wrap it: new Int32Array(...))' : typeof indices;
    throw argError(ValueError, op, 'indices', 'an Int32Array of flat indices', got);
  }
  if (indices.length !== count) {
    throw argError(ValueError, op, 'indices', `${count} entries`, `${indices.length}`);
  }
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    if (j < -1 || j >= limit) {
      throw argError(ValueError, op, 'indices', `flat indices in [-1, ${limit}) into ${limitWhat}`, `${j} at position ${i}`);
    }
  }
  return indices;
}

export function checkShapeArg(op: string, shape: unknown): readonly number[] {
  if (!Array.isArray(shape)) throw argError(ValueError, op, 'shape', 'a shape (an array of non-negative integers)', typeof shape);
  checkShape(op, 'shape', shape);
  return shape;
}
