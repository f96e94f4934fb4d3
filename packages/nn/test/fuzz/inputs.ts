import fc from 'fast-check';
import type { DType } from '@tapegrad/core';
import { type Profile, junkArb, nearShape, shapeArb, tensorOf } from './core-fuzz.js';

/*
 * Forward inputs: for a module expecting `shape` in `dtype`, valid ones are exactly that; wild ones are
 * mostly a nearby shape (a dimension changed, dropped or added — wrong channels, wrong rank) in the right
 * dtype or another one, sometimes a tensor of any rank 0–5, sometimes junk where a tensor belongs.
 */

const ANY_DTYPE: DType[] = ['float32', 'float64', 'int32'];

export function inputArb(shape: readonly number[], dtype: DType, wild: boolean, profiles: Profile[] = ['unit']): fc.Arbitrary<unknown> {
  if (!wild) return tensorOf(shape, { dtypes: [dtype], profiles });
  const other: DType = dtype === 'float32' ? 'float64' : 'float32';
  return fc.oneof(
    { weight: 12, arbitrary: tensorOf(nearShape(shape), { dtypes: [dtype, dtype, dtype, dtype, other, 'int32'], profiles }) },
    { weight: 2, arbitrary: tensorOf(shapeArb(), { dtypes: ANY_DTYPE, profiles }) },
    { weight: 1, arbitrary: junkArb },
  );
}

/** A batch size: mostly 1 or 2, sometimes 0 (an empty batch). */
export const batchArb = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 6, arbitrary: fc.integer({ min: 1, max: 2 }) });
