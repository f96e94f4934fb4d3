import { ShapeError, ValueError, argError } from './errors.js';

export type Shape = readonly number[];

/** `[2,3,28,28]` */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Row-major strides of a contiguous array of this shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * The most elements a tensor may hold, and its largest dimension: flat indices are int32 (argmax,
 * gatherFlat), and a larger typed array could not be allocated anyway (V8 refuses it with a bare RangeError).
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** Checks that a result of `shape` could exist: every dimension and the size at most MAX_ELEMENTS. */
export function checkSize(op: string, arg: string, shape: readonly number[]): void {
  if (shape.some((d) => d > MAX_ELEMENTS) || sizeOf(shape) > MAX_ELEMENTS) {
    throw argError(ShapeError, op, arg, `a size of at most ${MAX_ELEMENTS} elements per tensor`, `shape ${formatShape(shape)} (${sizeOf(shape)} elements)`);
  }
}

/** Checks that `shape` is an array of non-negative integers, of a size a tensor can have. */
export function checkShape(op: string, arg: string, shape: unknown): asserts shape is number[] {
  if (!Array.isArray(shape)) {
    throw argError(ValueError, op, arg, 'a shape (an array of non-negative integers)', shape === null ? 'null' : typeof shape);
  }
  for (const d of shape as unknown[]) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw argError(ValueError, op, arg, 'a shape of non-negative integers', `[${shape.map((v) => String(v)).join(',')}]`);
    }
  }
  checkSize(op, arg, shape as number[]);
}

/**
 * NumPy broadcasting, exactly: shapes are aligned on the right; each pair of dimensions must be equal
 * or one of them 1. Anything else is a ShapeError naming both shapes.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        op,
        `operands: expected shapes that broadcast (equal or 1 in each trailing dimension), got ${formatShape(a)} and ${formatShape(b)} (dimension ${i - rank} is ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  checkSize(op, 'operands', out);
  return out;
}

/** Whether `from` broadcasts to exactly `to` (used to un-broadcast gradients). */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  for (let i = 1; i <= from.length; i++) {
    const f = from[from.length - i]!;
    if (f !== 1 && f !== to[to.length - i]) return false;
  }
  return true;
}

/**
 * Normalizes a possibly negative axis against `ndim`, with a clear error when out of range. A 0-d tensor
 * accepts 0 and -1 (as NumPy), both naming its one "axis" 0, which callers treat as nothing to reduce.
 */
export function normalizeAxis(op: string, axis: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(axis) || axis < -n || axis >= n) {
    throw argError(ValueError, op, 'axis', `an integer in [${-n}, ${n - 1}]`, String(axis));
  }
  return axis < 0 ? axis + n : axis;
}

/** Normalizes an axis argument (undefined = all axes; a number or an array) into a sorted, de-duplicated list. */
export function normalizeAxes(op: string, axis: number | readonly number[] | undefined, ndim: number): number[] {
  if (axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  if (typeof axis !== 'number' && !Array.isArray(axis)) {
    throw argError(ValueError, op, 'axis', 'an axis (a number), a list of axes or none', axis === null ? 'null' : typeof axis);
  }
  const list: readonly number[] = typeof axis === 'number' ? [axis] : axis;
  const out = list.map((a) => normalizeAxis(op, a, ndim));
  if (new Set(out).size !== out.length) {
    throw argError(ValueError, op, 'axis', 'distinct axes', `[${list.map((v) => String(v)).join(',')}]`);
  }
  // a 0-d tensor's "axis 0" is nothing to reduce
  return out.filter((a) => a < ndim).sort((x, y) => x - y);
}
