import { type DType, type TypedArray, DTYPES, allocate, dtypeOfArray } from './dtype.js';
import { DTypeError, ShapeError, ValueError, argError } from './errors.js';
import { Rng } from './random.js';
import { type Shape, checkShape, checkSize, formatShape, sizeOf } from './shape.js';
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

/** The options object (undefined means the defaults); anything else that is not an object is refused. */
function checkOptions<T extends object>(op: string, options: T | undefined, what: string): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null) throw argError(ValueError, op, 'options', `an object ${what}`, options === null ? 'null' : typeof options);
  return options;
}

/** requiresGrad must be a boolean, and true only for float dtypes (checked here so the error names the op). */
function checkRequiresGrad(op: string, options: TensorOptions, dtype: DType): boolean {
  const requiresGrad = options.requiresGrad ?? false;
  if (typeof requiresGrad !== 'boolean') throw argError(ValueError, op, 'requiresGrad', 'a boolean', String(requiresGrad));
  if (requiresGrad && dtype === 'int32') throw argError(DTypeError, op, 'requiresGrad', 'a float32 or float64 dtype for a tensor that requires grad', 'dtype int32');
  return requiresGrad;
}

/** A value that an int32 tensor can hold exactly (no truncation, no wrap-around). */
function isInt32(v: number): boolean {
  return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
}

/** A finite number option, or its default. */
function finiteOption(op: string, arg: string, v: unknown, fallback: number): number {
  const x = v ?? fallback;
  if (typeof x !== 'number' || !Number.isFinite(x)) throw argError(ValueError, op, arg, 'a finite number', String(x));
  return x;
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
export function tensor(data: TensorData, shape?: Shape, options?: TensorOptions): Tensor {
  const o = checkOptions('tensor', options, '{ dtype?, requiresGrad? }');
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (typeof data === 'number') {
    flat = [data];
    inferred = [];
  } else if (ArrayBuffer.isView(data)) {
    // a DataView has no elements and BigInt arrays hold bigints: neither is numbers
    if (data instanceof DataView || data instanceof BigInt64Array || data instanceof BigUint64Array) {
      throw argError(ValueError, 'tensor', 'data', 'a number, an array or a typed array of numbers', data.constructor.name);
    }
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
  const dtype = checkDType('tensor', o.dtype ?? (ArrayBuffer.isView(data) ? dtypeOfArray(data as TypedArray) : 'float32'));
  const requiresGrad = checkRequiresGrad('tensor', o, dtype);
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
    if (dtype === 'int32' && !isInt32(v)) {
      throw argError(ValueError, 'tensor', 'data', 'int32 values (integers in 32-bit range)', `${v} at index ${i}`);
    }
    values[i] = v;
  }
  return new Tensor(values, finalShape, dtype, requiresGrad);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, options?: TensorOptions): Tensor {
  return filled('full', shape, value, options);
}

/** full, with errors naming the op the user called. */
function filled(op: string, shape: Shape, value: number, options: TensorOptions | undefined): Tensor {
  checkShape(op, 'shape', shape);
  const o = checkOptions(op, options, '{ dtype?, requiresGrad? }');
  const dtype = checkDType(op, o.dtype ?? 'float32');
  const requiresGrad = checkRequiresGrad(op, o, dtype);
  if (typeof value !== 'number') throw argError(ValueError, op, 'value', 'a number', typeof value);
  if (dtype === 'int32' && !isInt32(value)) throw argError(ValueError, op, 'value', 'an integer in the int32 range for dtype int32', String(value));
  const data = allocate(dtype, sizeOf(shape));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape, dtype, requiresGrad);
}

/** A tensor of zeros. @example zeros([2, 3]) */
export function zeros(shape: Shape, options?: TensorOptions): Tensor {
  return filled('zeros', shape, 0, options);
}

/** A tensor of ones. @example ones([3], { dtype: 'float64' }) */
export function ones(shape: Shape, options?: TensorOptions): Tensor {
  return filled('ones', shape, 1, options);
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
  if (options.rng !== undefined) {
    if (!(options.rng instanceof Rng)) throw argError(ValueError, op, 'rng', 'an Rng', options.rng === null ? 'null' : typeof options.rng);
    return options.rng;
  }
  if (options.seed === undefined) throw argError(ValueError, op, 'options', '{ seed } or { rng } so results reproduce', 'neither');
  if (!Number.isInteger(options.seed)) throw argError(ValueError, op, 'seed', 'an integer', String(options.seed));
  return new Rng(options.seed);
}

/** The options of randn and rand: required (a seed or a generator), float dtypes only. */
function randomOptions(op: string, shape: Shape, options: RandomOptions | undefined): { o: RandomOptions; dtype: 'float32' | 'float64'; requiresGrad: boolean } {
  checkShape(op, 'shape', shape);
  if (typeof options !== 'object' || options === null) {
    throw argError(ValueError, op, 'options', '{ seed } or { rng } so results reproduce', options === null ? 'null' : typeof options);
  }
  const dtype = checkDType(op, options.dtype ?? 'float32');
  if (dtype === 'int32') throw argError(DTypeError, op, 'dtype', 'float32 or float64', dtype);
  return { o: options, dtype, requiresGrad: checkRequiresGrad(op, options, dtype) };
}

/**
 * Normal samples (mean 0, std 1 unless given), reproducible from a seed.
 * @example const w = randn([30, 1, 5, 5], { seed: 0, std: 0.01 });
 */
export function randn(shape: Shape, options: RandomOptions): Tensor {
  const { o, dtype, requiresGrad } = randomOptions('randn', shape, options);
  const mean = finiteOption('randn', 'mean', o.mean, 0);
  const std = finiteOption('randn', 'std', o.std, 1);
  if (std < 0) throw argError(ValueError, 'randn', 'std', 'a finite number ≥ 0', String(std));
  const rng = rngFrom('randn', o);
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.normal();
  return new Tensor(data, shape, dtype, requiresGrad);
}

/** Uniform samples in [low, high). */
export function rand(shape: Shape, options: RandomOptions & { low?: number; high?: number }): Tensor {
  const { o, dtype, requiresGrad } = randomOptions('rand', shape, options);
  const low = finiteOption('rand', 'low', options.low, 0);
  const high = finiteOption('rand', 'high', options.high, 1);
  if (low > high) throw argError(ValueError, 'rand', 'high', `a number ≥ low (${low})`, String(high));
  const rng = rngFrom('rand', o);
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.next();
  return new Tensor(data, shape, dtype, requiresGrad);
}

/**
 * Evenly spaced values in [start, stop) (NumPy's arange). `arange(5)` is 0..4.
 * @example arange(0, 10, 2) // [0, 2, 4, 6, 8]
 */
export function arange(start: number, stop?: number, step = 1, options?: TensorOptions): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!finite(start)) throw argError(ValueError, 'arange', 'start', 'a finite number', String(start));
  if (!finite(stop)) throw argError(ValueError, 'arange', 'stop', 'a finite number', String(stop));
  if (!finite(step) || step === 0) throw argError(ValueError, 'arange', 'step', 'a finite non-zero number', String(step));
  const o = checkOptions('arange', options, '{ dtype?, requiresGrad? }');
  const dtype = checkDType('arange', o.dtype ?? 'float32');
  const requiresGrad = checkRequiresGrad('arange', o, dtype);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  checkSize('arange', 'stop', [n]);
  // int32 values must be exact: integer start and step, first and last value in range
  if (dtype === 'int32' && !(Number.isInteger(step) && Number.isInteger(start) && (n === 0 || (isInt32(start) && isInt32(start + (n - 1) * step))))) {
    throw argError(ValueError, 'arange', 'start', 'an integer start and step with values in the int32 range for dtype int32', `start ${start}, step ${step}`);
  }
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], dtype, requiresGrad);
}
