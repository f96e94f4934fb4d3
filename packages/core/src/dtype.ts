import { noteBirth, takePooled, takeResident } from './memory/array-pool.js';

/** The element types a tensor can hold. */
export type DType = 'float32' | 'float64' | 'int32';
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

export type FloatArray = Float32Array | Float64Array;
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** Allocates a zero-filled flat array of `size` elements of `dtype` (a pooled one, cleared, when there is one). */
export function allocate(dtype: DType, size: number): TypedArray {
  const resident = dtype === 'float32' ? takeResident(size, true) : undefined;
  if (resident !== undefined) {
    noteBirth(resident);
    return resident;
  }
  const pooled = takePooled(dtype, size);
  if (pooled !== undefined) {
    noteBirth(pooled);
    return pooled.fill(0);
  }
  const a = fresh(dtype, size);
  noteBirth(a);
  return a;
}

function fresh(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
  }
}

/** Allocates a float array; the result type is narrowed for kernels that only take floats. */
export function allocateFloat(dtype: 'float32' | 'float64', size: number): FloatArray {
  return allocate(dtype, size) as FloatArray;
}

/**
 * Below this many bytes a fresh array comes from the plain zero-filling constructor: V8 allocates small
 * typed arrays cheaply (on its heap up to 64 bytes), and a C++ call for uninitialised memory costs more
 * than clearing a few KiB. Above it, skipping calloc's clearing of memory that a kernel overwrites anyway
 * is the gain (measured in the SimpleConvNet train step; see allocateUninitialized).
 */
export const UNINITIALIZED_MIN_BYTES = 1 << 16;

/** Node's Buffer.allocUnsafeSlow (absent in browsers): memory from malloc, not calloc, in its own ArrayBuffer. */
const allocUnsafeSlow: ((bytes: number) => { buffer: ArrayBuffer }) | undefined = (
  globalThis as { Buffer?: { allocUnsafeSlow?: (bytes: number) => { buffer: ArrayBuffer } } }
).Buffer?.allocUnsafeSlow;

/** Test hook: when a number, every uninitialised allocation (any size) is filled with it. */
let poison: number | null = null;

/**
 * Makes every later `allocateUninitialized` fill its array with `value` (null: back to normal). For tests
 * that check an op never reads or returns an element its kernel did not write; not for normal use.
 */
export function setUninitializedPoison(value: number | null): void {
  poison = value;
}

/**
 * Allocates a flat array of `size` elements of `dtype` whose contents are UNSPECIFIED (whatever the
 * allocator returns: old data, not zeros). Only for outputs a kernel provably writes in full — binary,
 * unary, matmul, permute, reduceSum, reduceMax, gather, im2col, maxPool2d, avgPool2d and softmaxCrossEntropy's
 * probabilities (test/ops/uninitialized-outputs.test.ts checks each on every backend); never for the
 * accumulating kernels (scatterAdd, col2im, avgPool2dBackward), which need zeros. Small sizes are zeroed anyway.
 * @example const out = allocateUninitialized('float32', m * n); getBackend().matmul(a, b, out, m, k, n, false, false);
 */
export function allocateUninitialized(dtype: DType, size: number): TypedArray {
  const bytes = size * (dtype === 'float64' ? 8 : 4);
  // (int32 cannot hold NaN: it gets the most negative value instead)
  if (poison !== null) return allocate(dtype, size).fill(dtype === 'int32' ? -0x80000000 : poison);
  if (bytes < UNINITIALIZED_MIN_BYTES || allocUnsafeSlow === undefined) return allocate(dtype, size);
  const pooled = (dtype === 'float32' ? takeResident(size, false) : undefined) ?? takePooled(dtype, size);
  const a = pooled ?? uninitialized(dtype, size, bytes);
  noteBirth(a);
  return a;
}

function uninitialized(dtype: DType, size: number, bytes: number): TypedArray {
  const buffer = allocUnsafeSlow!(bytes).buffer;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, 0, size);
    case 'float64':
      return new Float64Array(buffer, 0, size);
    case 'int32':
      return new Int32Array(buffer, 0, size);
  }
}

/** `allocateUninitialized` narrowed to floats. */
export function allocateFloatUninitialized(dtype: 'float32' | 'float64', size: number): FloatArray {
  return allocateUninitialized(dtype, size) as FloatArray;
}

export function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}

export function isFloat(dtype: DType): dtype is 'float32' | 'float64' {
  return dtype !== 'int32';
}
