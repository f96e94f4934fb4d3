import { type DType, isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, argError } from '../errors.js';
import { MAX_ELEMENTS, formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/** `(2,3,28,28)` — how messages describe a tensor argument. */
export function describe(x: Tensor): string {
  return `shape ${formatShape(x.shape)}`;
}

export function checkTensor(op: string, arg: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    const got = x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x;
    throw argError(ValueError, op, arg, 'a Tensor', got);
  }
}

export function checkFloat(op: string, arg: string, x: unknown): asserts x is Tensor {
  checkTensor(op, arg, x);
  if (!isFloat(x.dtype)) throw argError(DTypeError, op, arg, 'a float32 or float64 tensor', `dtype ${x.dtype}`);
}

export function checkSameDType(op: string, a: Tensor, b: Tensor, names: [string, string] = ['a', 'b']): void {
  if (a.dtype !== b.dtype) {
    throw argError(DTypeError, op, names[1], `dtype ${a.dtype} to match ${names[0]}`, `dtype ${b.dtype} (convert explicitly with .to('${a.dtype}'))`);
  }
}

export function checkRank(op: string, arg: string, x: Tensor, rank: number, layout?: string): void {
  if (x.ndim !== rank) {
    throw argError(ShapeError, op, arg, `${rank}-D${layout ? ` ${layout}` : ''}`, describe(x));
  }
}

/** A positive integer (strides, kernel sizes). */
export function checkPositiveInt(op: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw argError(ValueError, op, arg, 'a positive integer', String(v));
  return checkAtMostMax(op, arg, v);
}

/** A non-negative integer (padding). */
export function checkNonNegativeInt(op: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw argError(ValueError, op, arg, 'a non-negative integer', String(v));
  return checkAtMostMax(op, arg, v);
}

/**
 * Sizes beyond MAX_ELEMENTS fit no tensor, and beyond 2^53 window arithmetic (H + 2·pad − kernel) would
 * silently round: a kernel of 1e300 with a pad of 5e299 used to pool a 3×3 input to −Infinity.
 */
function checkAtMostMax(op: string, arg: string, v: number): number {
  if (v > MAX_ELEMENTS) throw argError(ValueError, op, arg, `an integer of at most ${MAX_ELEMENTS}`, String(v));
  return v;
}

/** A number or [h, w] pair of numbers, each checked by `check`. */
export function pair(op: string, arg: string, v: unknown, check: (op: string, arg: string, v: unknown) => number): [number, number] {
  if (Array.isArray(v)) {
    if (v.length !== 2) throw argError(ValueError, op, arg, 'a number or an [h, w] pair', `an array of length ${v.length}`);
    return [check(op, `${arg}[0]`, v[0]), check(op, `${arg}[1]`, v[1])];
  }
  const s = check(op, arg, v);
  return [s, s];
}

/** Numbers become 0-d tensors of the other operand's dtype (as Python scalars do in PyTorch). */
export function toTensorLike(op: string, arg: string, x: Tensor | number, like: DType): Tensor {
  if (typeof x === 'number') {
    const t = new Tensor(like === 'float64' ? new Float64Array(1) : like === 'int32' ? new Int32Array(1) : new Float32Array(1), [], like);
    if (like === 'int32' && !Number.isInteger(x)) throw argError(DTypeError, op, arg, 'an integer to combine with an int32 tensor', String(x));
    // an Int32Array would silently wrap 2^31 around to -2^31
    if (like === 'int32' && (x < -2147483648 || x > 2147483647)) throw argError(ValueError, op, arg, 'an integer in the int32 range to combine with an int32 tensor', String(x));
    t.data[0] = x;
    return t;
  }
  checkTensor(op, arg, x);
  return x;
}
