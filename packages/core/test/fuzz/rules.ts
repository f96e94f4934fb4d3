import { type DType, Tensor } from '@tapegrad/core';
import type { RefArray } from '../op-table/types.js';
import { type Expected, type Reject, reject } from './harness.js';

/*
 * The argument rules of the public API, written once from DESIGN.md and the ops' documentation, for the
 * references to decide "accept or refuse" independently of the ops' own checks.
 */

/** The most elements (and the largest dimension) a tensor may have: flat indices are int32. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;
export const isFloatTensor = (v: unknown): v is Tensor => v instanceof Tensor && v.dtype !== 'int32';
export const isNumber = (v: unknown): v is number => typeof v === 'number';
export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
/** Kernel sizes, strides, sizes: integers in [1, MAX_ELEMENTS]. */
export const isPositiveInt = (v: unknown): v is number => isInt(v) && v >= 1 && v <= MAX_ELEMENTS;
/** Padding: integers in [0, MAX_ELEMENTS]. */
export const isNonNegativeInt = (v: unknown): v is number => isInt(v) && v >= 0 && v <= MAX_ELEMENTS;

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** A shape argument: an array of non-negative integers whose dimensions and size fit MAX_ELEMENTS. */
export function shapeProblem(shape: unknown): string | null {
  if (!Array.isArray(shape)) return `shape ${typeof shape} is not an array`;
  if (!shape.every((d) => isInt(d) && d >= 0)) return 'shape entries must be non-negative integers';
  return sizeProblem(shape as number[]);
}

/** A tensor of this shape could not exist: too large a dimension or too many elements. */
export function sizeProblem(shape: readonly number[]): string | null {
  if (shape.some((d) => d > MAX_ELEMENTS) || sizeOf(shape) > MAX_ELEMENTS) return `shape [${shape}] exceeds ${MAX_ELEMENTS} elements`;
  return null;
}

/** A tensor argument: `what` is null when fine, else why not. */
export function tensorProblem(v: unknown, float = true): string | null {
  if (!(v instanceof Tensor)) return 'not a Tensor';
  if (float && v.dtype === 'int32') return 'an int32 tensor where floats are required';
  return null;
}

/** Options objects: undefined (the defaults) or a non-null object. */
export const isOptions = (v: unknown): v is Record<string, unknown> | undefined => v === undefined || (typeof v === 'object' && v !== null);

/**
 * One axis against ndim, NumPy's way; a 0-d tensor accepts 0 and -1 (both meaning its only "axis").
 * Returns the normalized axis or null.
 */
export function normAxis(axis: unknown, ndim: number): number | null {
  const n = Math.max(ndim, 1);
  if (!isInt(axis) || axis < -n || axis >= n) return null;
  return axis < 0 ? axis + n : axis;
}

/** An axis argument (undefined = all, a number, or an array of distinct axes). */
export function normAxes(axis: unknown, ndim: number): number[] | Reject {
  if (axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : Array.isArray(axis) ? (axis as unknown[]) : null;
  if (list === null) return reject(`axis ${typeof axis} is neither a number nor an array`);
  const out: number[] = [];
  for (const a of list) {
    const n = normAxis(a, ndim);
    if (n === null) return reject(`axis ${String(a)} out of range for ${ndim}-D`);
    if (out.includes(n)) return reject(`axis ${String(a)} repeated`);
    out.push(n);
  }
  // a 0-d tensor has no axis to reduce: its "axis 0" names nothing
  return out.filter((a) => a < ndim).sort((x, y) => x - y);
}

/** An accepted call's result, from a float64 reference array. */
export function expected(r: RefArray, dtype: DType, scale?: RefArray): Expected {
  return scale === undefined ? { data: r.data, shape: r.shape, dtype } : { data: r.data, shape: r.shape, dtype, scale: scale.data };
}

/** The values of a tensor as float64 (exact for all dtypes). */
export function ref(t: Tensor): RefArray {
  return { data: Float64Array.from(t.data), shape: [...t.shape] };
}

/** The same values, absolute: a reference run on them gives the scale of a sum's rounding error. */
export function absRef(t: Tensor): RefArray {
  return { data: Float64Array.from(t.data, Math.abs), shape: [...t.shape] };
}

/** Whether `from` broadcasts to `to` (NumPy). */
export function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  return from.every((d, i) => d === 1 || d === to[to.length - from.length + i]);
}

/** NumPy's broadcast of two shapes, or null. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}
