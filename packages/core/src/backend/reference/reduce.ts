import type { FloatArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import { sizeOf } from '../../shape.js';

/**
 * Views x as (outer..., reduced..., inner...) blocks by moving reduced axes; for the common cases (a
 * contiguous run of reduced axes) this is a plain (pre, red, post) triple loop with post contiguous.
 * Non-contiguous axis sets are reduced one axis at a time, from the last.
 */
function reduceAxes(
  x: FloatArray,
  shape: Shape,
  axes: readonly number[],
  visit: (src: FloatArray, pre: number, red: number, post: number, dst: FloatArray) => void,
  allocate: (n: number) => FloatArray,
  out: FloatArray,
): void {
  const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1]! + 1);
  if (axes.length === 0) {
    out.set(x);
    return;
  }
  if (contiguous) {
    const first = axes[0]!;
    const last = axes[axes.length - 1]!;
    visit(x, sizeOf(shape.slice(0, first)), sizeOf(shape.slice(first, last + 1)), sizeOf(shape.slice(last + 1)), out);
    return;
  }
  let cur = x;
  let curShape = [...shape];
  for (let i = axes.length - 1; i >= 0; i--) {
    const a = axes[i]!;
    // the size without axis a (not size / shape[a], which is 0/0 for an empty axis)
    const dst = i === 0 ? out : allocate(sizeOf(curShape.filter((_, d) => d !== a)));
    visit(cur, sizeOf(curShape.slice(0, a)), curShape[a]!, sizeOf(curShape.slice(a + 1)), dst);
    cur = dst;
    curShape = [...curShape.slice(0, a), ...curShape.slice(a + 1)];
  }
}

export function reduceSum(x: FloatArray, shape: Shape, axes: readonly number[], out: FloatArray): void {
  const make = (n: number): FloatArray => (x instanceof Float32Array ? new Float32Array(n) : new Float64Array(n));
  reduceAxes(
    x,
    shape,
    axes,
    (src, pre, red, post, dst) => {
      // Accumulate in a float64 row so float32 sums over many elements keep their precision.
      const acc = new Float64Array(post);
      for (let p = 0; p < pre; p++) {
        acc.fill(0);
        const base = p * red * post;
        for (let r = 0; r < red; r++) {
          const row = base + r * post;
          for (let q = 0; q < post; q++) acc[q]! += src[row + q]!;
        }
        dst.set(acc, p * post);
      }
    },
    make,
    out,
  );
}

export function reduceMax(x: FloatArray, shape: Shape, axes: readonly number[], out: FloatArray, argIndex: Int32Array): void {
  // Max with first-index ties needs the reduced block in row-major order: compute the flat index of
  // every element of each block by enumerating reduced and kept coordinates.
  const rank = shape.length;
  const isReduced = new Array<boolean>(rank).fill(false);
  for (const a of axes) isReduced[a] = true;
  const strides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  const keptDims = [...Array(rank).keys()].filter((d) => !isReduced[d]);
  const redDims = [...axes];
  const offsets = (dims: number[]): Int32Array => {
    const total = sizeOf(dims.map((d) => shape[d]!));
    const result = new Int32Array(total);
    for (let i = 0; i < total; i++) {
      let rem = i;
      let off = 0;
      for (let j = dims.length - 1; j >= 0; j--) {
        const d = dims[j]!;
        off += (rem % shape[d]!) * strides[d]!;
        rem = Math.floor(rem / shape[d]!);
      }
      result[i] = off;
    }
    return result;
  };
  const keptOff = offsets(keptDims);
  const redOff = offsets(redDims);
  for (let o = 0; o < keptOff.length; o++) {
    const base = keptOff[o]!;
    let best = -Infinity;
    let bestIdx = base + redOff[0]!;
    for (let r = 0; r < redOff.length; r++) {
      const idx = base + redOff[r]!;
      const v = x[idx]!;
      if (v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
        best = v;
        bestIdx = idx;
      }
    }
    out[o] = best;
    argIndex[o] = bestIdx;
  }
}
