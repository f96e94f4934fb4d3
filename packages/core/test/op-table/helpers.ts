import { Rng, Tensor, tensor } from '@tapegrad/core';
import type { Domain, InputSpec, RefArray, Sample, Tolerance } from './types.js';

/*
 * Test utilities for the op table: seeded inputs per domain, conversion between tensors and float64
 * RefArrays, and naive reference implementations written as plain index loops — deliberately unlike
 * the kernels (no strides tricks, no fast paths) so that they are an independent check.
 */

export type FloatDType = 'float32' | 'float64';

// ---------------------------------------------------------------------------------------------------
// Inputs

/** A stable 32-bit hash of a string (FNV-1a), so every sample gets its own reproducible seed. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Random values for one input: uniform per domain, or a shuffled spread without ties for 'distinct'. */
export function drawValues(shape: readonly number[], domain: Domain, rng: Rng): Float64Array {
  const n = size(shape);
  const out = new Float64Array(n);
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * rng.next();
  switch (domain) {
    case 'any':
      for (let i = 0; i < n; i++) out[i] = uniform(-2, 2);
      break;
    case 'positive':
      for (let i = 0; i < n; i++) out[i] = uniform(0.5, 3);
      break;
    case 'nonzero':
      for (let i = 0; i < n; i++) out[i] = (rng.next() < 0.5 ? -1 : 1) * uniform(0.5, 2);
      break;
    case 'unit':
      for (let i = 0; i < n; i++) out[i] = rng.next();
      break;
    case 'distinct': {
      // evenly spaced in [-2, 2] (gaps ≥ 0.01, far above any finite-difference step), then shuffled,
      // plus a small jitter so the values are not all multiples of one step
      const step = n > 1 ? 4 / (n - 1) : 0;
      for (let i = 0; i < n; i++) out[i] = -2 + i * step + (n > 1 ? 0.25 * step * rng.next() : uniform(-2, 2));
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        const t = out[i]!;
        out[i] = out[j]!;
        out[j] = t;
      }
      break;
    }
  }
  return out;
}

/** The float64 values of one input spec (explicit values win over the domain). */
export function buildInput(spec: InputSpec, rng: Rng): RefArray {
  if (spec.values !== undefined) {
    if (spec.values.length !== size(spec.shape)) throw new Error(`values of length ${spec.values.length} for shape [${spec.shape}]`);
    return { data: Float64Array.from(spec.values), shape: [...spec.shape] };
  }
  return { data: drawValues(spec.shape, spec.domain ?? 'any', rng), shape: [...spec.shape] };
}

/** The float64 inputs of a sample, reproducible from the op name and sample label. */
export function buildInputs(op: string, sample: Sample<unknown>): RefArray[] {
  const rng = new Rng(hashSeed(`${op}/${sample.label}`));
  return sample.inputs.map((spec) => buildInput(spec, rng));
}

/** A tensor of `dtype` holding the RefArray's values (float32 rounds them). */
export function toTensor(r: RefArray, dtype: FloatDType, requiresGrad = false): Tensor {
  return tensor(r.data, r.shape, { dtype, requiresGrad });
}

/** The tensor's values as a float64 RefArray (int32 and float32 values convert exactly). */
export function toRef(t: Tensor): RefArray {
  return { data: Float64Array.from(t.data), shape: [...t.shape] };
}

export function refArray(data: ArrayLike<number>, shape: readonly number[]): RefArray {
  return { data: Float64Array.from(data), shape: [...shape] };
}

// ---------------------------------------------------------------------------------------------------
// Comparison

export const FLOAT64_TOLERANCE: Tolerance = { atol: 1e-9, rtol: 1e-9 };
export const FLOAT32_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/** Null when |actual − expected| ≤ atol + rtol·|expected| everywhere (NaN only matches NaN, ±∞ only itself). */
export function compare(actual: RefArray, expected: RefArray, tol: Tolerance): string | null {
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return `shape [${actual.shape}] vs expected [${expected.shape}]`;
  }
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) return `index ${i}: ${a} vs expected ${e}`;
      continue;
    }
    if (!(Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e))) return `index ${i}: ${a} vs expected ${e} (diff ${Math.abs(a - e)})`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Index arithmetic for the naive references

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** The multi-index of a flat row-major index. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + idx[d]!;
  return flat;
}

/** NumPy's broadcast of two shapes (the naive version; the test inputs are known to broadcast). */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The flat index into `shape` of output multi-index `idx` under broadcasting (size-1 axes read index 0). */
export function broadcastIndex(idx: readonly number[], shape: readonly number[]): number {
  const offset = idx.length - shape.length;
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + (shape[d] === 1 ? 0 : idx[offset + d]!);
  return flat;
}

// ---------------------------------------------------------------------------------------------------
// Naive references

export function refMap(x: RefArray, f: (v: number) => number): RefArray {
  return { data: x.data.map(f), shape: [...x.shape] };
}

/** Elementwise binary op with broadcasting: one multi-index per output element. */
export function refBroadcast(a: RefArray, b: RefArray, f: (x: number, y: number) => number): RefArray {
  const shape = broadcastShape(a.shape, b.shape);
  const out = new Float64Array(size(shape));
  for (let o = 0; o < out.length; o++) {
    const idx = unravel(o, shape);
    out[o] = f(a.data[broadcastIndex(idx, a.shape)]!, b.data[broadcastIndex(idx, b.shape)]!);
  }
  return { data: out, shape };
}

/** Normalizes an axis argument as the ops do: undefined = all axes, negatives count from the end. */
export function refAxes(axis: number | readonly number[] | undefined, ndim: number): number[] {
  if (axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  return list.map((a) => (a < 0 ? a + ndim : a)).filter((a) => a >= 0 && a < ndim); // a 0-d x has no axes
}

/**
 * Reduction over `axes`: visits x in row-major order and folds each element into the accumulator of its
 * output cell, so `combine` sees the elements of a block in row-major order (first-maximum rules).
 */
export function refReduce(
  x: RefArray,
  axis: number | readonly number[] | undefined,
  keepdims: boolean,
  init: number,
  combine: (acc: number, v: number, flat: number, outIndex: number) => number,
): RefArray {
  const axes = refAxes(axis, x.shape.length);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(size(keptShape)).fill(init);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, d) => (axes.includes(d) ? 0 : v));
    const o = ravel(idx, keptShape);
    out[o] = combine(out[o]!, x.data[i]!, i, o);
  }
  const shape = keepdims ? keptShape : x.shape.filter((_, i) => !axes.includes(i));
  return { data: out, shape };
}

export function refSum(x: RefArray, axis?: number | readonly number[], keepdims = false): RefArray {
  return refReduce(x, axis, keepdims, 0, (acc, v) => acc + v);
}

/** Maximum, NaN winning; the first maximum is kept on ties (it matters only for argmax). */
export function refMax(x: RefArray, axis?: number | readonly number[], keepdims = false): RefArray {
  return refReduce(x, axis, keepdims, -Infinity, (acc, v) => (v > acc || Number.isNaN(v) ? (Number.isNaN(acc) ? acc : v) : acc));
}

/** Triple-loop matrix product (m,k)·(k,n). */
export function refMatmul(a: RefArray, b: RefArray): RefArray {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += a.data[i * k + p]! * b.data[p * n + j]!;
      out[i * n + j] = acc;
    }
  }
  return { data: out, shape: [m, n] };
}

/** out[idx] = x[idx permuted back]: out's axis i is x's axis perm[i]. */
export function refPermute(x: RefArray, perm: readonly number[]): RefArray {
  const axes = perm.map((p) => (p < 0 ? p + x.shape.length : p));
  const shape = axes.map((p) => x.shape[p]!);
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < out.length; o++) {
    const idx = unravel(o, shape);
    const src = new Array<number>(x.shape.length);
    axes.forEach((p, i) => (src[p] = idx[i]!));
    out[o] = x.data[ravel(src, x.shape)]!;
  }
  return { data: out, shape };
}

/** A 2-D transpose by its definition out[j][i] = x[i][j]. */
export function refTranspose2d(x: RefArray): RefArray {
  const [m, n] = x.shape as [number, number];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = x.data[i * n + j]!;
  return { data: out, shape: [n, m] };
}

/** Softmax or log-softmax along one axis, by explicit lines along that axis (float64, max-shifted). */
export function refSoftmax(x: RefArray, axis: number, log: boolean): RefArray {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const len = x.shape[ax]!;
  const stride = stridesOf(x.shape)[ax]!;
  const out = new Float64Array(x.data.length);
  for (let start = 0; start < x.data.length; start++) {
    if (unravel(start, x.shape)[ax] !== 0) continue; // one line per position with index 0 on the axis
    let m = -Infinity;
    for (let j = 0; j < len; j++) m = Math.max(m, x.data[start + j * stride]!);
    let s = 0;
    for (let j = 0; j < len; j++) s += Math.exp(x.data[start + j * stride]! - m);
    for (let j = 0; j < len; j++) {
      const z = x.data[start + j * stride]! - m;
      out[start + j * stride] = log ? z - Math.log(s) : Math.exp(z) / s;
    }
  }
  return { data: out, shape: [...x.shape] };
}
