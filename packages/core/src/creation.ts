import { type DType, type TypedArray, DTYPES, allocate, dtypeOfArray } from './dtype.js';
import { DTypeError, ShapeError, ValueError, argError } from './errors.js';
import { Rng } from './random.js';
import { type Shape, checkShape, formatShape, sizeOf } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export type TensorData = number | NestedArray | readonly number[] | TypedArray;

function checkDType(op: string, dtype: unknown): DType {
  if (!DTYPES.includes(dtype as DType)) {
    throw argError(DTypeError, op, 'dtype', `one of ${DTYPES.join(', ')}`, String(dtype));
  }
  return dtype as DType;
}

/** Infers the shape of nested arrays, rejecting ragged ones. */
function nestedShape(data: unknown): number[] {
  const shape: number[] = [];
  let level: unknown = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

function flattenNested(data: NestedArray, shape: number[], out: number[], dim = 0): void {
  if (data.length !== shape[dim]) {
    throw argError(ShapeError, 'tensor', 'data', `a rectangular nested array of shape ${formatShape(shape)}`, `a row of length ${data.length} at depth ${dim}`);
  }
  for (const v of data) {
    if (dim === shape.length - 1) {
      if (typeof v !== 'number') throw argError(ValueError, 'tensor', 'data', 'numbers', typeof v === 'object' ? 'a ragged array' : typeof v);
      out.push(v);
    } else {
      if (!Array.isArray(v)) throw argError(ShapeError, 'tensor', 'data', `a rectangular nested array of shape ${formatShape(shape)}`, `a number at depth ${dim + 1}`);
      flattenNested(v, shape, out, dim + 1);
    }
  }
}

/**
 * Creates a tensor from a number, nested arrays, a flat array or a typed array (copied).
 * The dtype defaults to float32, or to the typed array's own type.
 * @example const x = tensor([[1, 2], [3, 4]]); const t = tensor([3, 1], undefined, { dtype: 'int32' });
 */
export function tensor(data: TensorData, shape?: Shape, options: TensorOptions = {}): Tensor {
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (typeof data === 'number') {
    flat = [data];
    inferred = [];
  } else if (ArrayBuffer.isView(data)) {
    flat = data;
    inferred = [data.length];
  } else if (Array.isArray(data)) {
    inferred = nestedShape(data);
    if (inferred.length <= 1) {
      flat = data as number[];
      for (const v of data as unknown[]) if (typeof v !== "number") throw argError(ValueError, "tensor", "data", "numbers", typeof v);
    } else {
      const out: number[] = [];
      flattenNested(data as NestedArray, inferred, out);
      flat = out;
    }
  } else {
    throw argError(ValueError, 'tensor', 'data', 'a number, an array or a typed array', typeof data);
  }
  const dtype = checkDType('tensor', options.dtype ?? (ArrayBuffer.isView(data) ? dtypeOfArray(data as TypedArray) : 'float32'));
  let finalShape = inferred;
  if (shape !== undefined) {
    checkShape('tensor', 'shape', shape);
    if (sizeOf(shape) !== flat.length) {
      throw argError(ShapeError, 'tensor', 'shape', `a shape with ${flat.length} elements to match the data`, `${formatShape(shape)} (${sizeOf(shape)} elements)`);
    }
    finalShape = [...shape];
  }
  const values = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i]!;
    if (dtype === 'int32' && (!Number.isInteger(v) || v < -2147483648 || v > 2147483647)) {
      throw argError(ValueError, 'tensor', 'data', 'int32 values (integers in 32-bit range)', `${v} at index ${i}`);
    }
    values[i] = v;
  }
  return new Tensor(values, finalShape, dtype, options.requiresGrad ?? false);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  checkShape('full', 'shape', shape);
  const dtype = checkDType('full', options.dtype ?? 'float32');
  if (dtype === 'int32' && !Number.isInteger(value)) throw argError(ValueError, 'full', 'value', 'an integer for dtype int32', String(value));
  const data = allocate(dtype, sizeOf(shape));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape, dtype, options.requiresGrad ?? false);
}

/** A tensor of zeros. @example zeros([2, 3]) */
export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of ones. @example ones([3], { dtype: 'float64' }) */
export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

export interface RandomOptions extends TensorOptions {
  /** Seed for a fresh generator; give either seed or rng. */
  seed?: number;
  /** A generator to draw from (its state advances). */
  rng?: Rng;
  mean?: number;
  std?: number;
}

function rngFrom(op: string, options: RandomOptions): Rng {
  if (options.rng) return options.rng;
  if (options.seed === undefined) throw argError(ValueError, op, 'options', '{ seed } or { rng } so results reproduce', 'neither');
  return new Rng(options.seed);
}

/**
 * Normal samples (mean 0, std 1 unless given), reproducible from a seed.
 * @example const w = randn([30, 1, 5, 5], { seed: 0, std: 0.01 });
 */
export function randn(shape: Shape, options: RandomOptions): Tensor {
  checkShape('randn', 'shape', shape);
  const dtype = checkDType('randn', options.dtype ?? 'float32');
  if (dtype === 'int32') throw argError(DTypeError, 'randn', 'dtype', 'float32 or float64', dtype);
  const rng = rngFrom('randn', options);
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.normal();
  return new Tensor(data, shape, dtype, options.requiresGrad ?? false);
}

/** Uniform samples in [low, high). */
export function rand(shape: Shape, options: RandomOptions & { low?: number; high?: number }): Tensor {
  checkShape('rand', 'shape', shape);
  const dtype = checkDType('rand', options.dtype ?? 'float32');
  if (dtype === 'int32') throw argError(DTypeError, 'rand', 'dtype', 'float32 or float64', dtype);
  const rng = rngFrom('rand', options);
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.next();
  return new Tensor(data, shape, dtype, options.requiresGrad ?? false);
}

/**
 * Evenly spaced values in [start, stop) (NumPy's arange). `arange(5)` is 0..4.
 * @example arange(0, 10, 2) // [0, 2, 4, 6, 8]
 */
export function arange(start: number, stop?: number, step = 1, options: TensorOptions = {}): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0 || !Number.isFinite(step)) throw argError(ValueError, 'arange', 'step', 'a finite non-zero number', String(step));
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const dtype = checkDType('arange', options.dtype ?? 'float32');
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], dtype, options.requiresGrad ?? false);
}
