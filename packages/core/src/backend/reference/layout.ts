import type { FloatArray, TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import { stridesOf } from '../../shape.js';

/** out = x with axes permuted; walks the output in order and gathers from x with permuted strides. */
export function permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = x[0]!;
    return;
  }
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  const strides = perm.map((p) => inStrides[p]!);
  const counter = new Array<number>(rank).fill(0);
  const inner = outShape[rank - 1]!;
  const innerStride = strides[rank - 1]!;
  let src = 0;
  for (let o = 0; o < out.length; o += inner) {
    for (let j = 0; j < inner; j++) out[o + j] = x[src + j * innerStride]!;
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]!++;
      src += strides[d]!;
      if (counter[d]! < outShape[d]!) break;
      src -= strides[d]! * outShape[d]!;
      counter[d] = 0;
    }
  }
}

/** out[i] = x[indices[i]]; an index of -1 ("no element", e.g. an all-padding pooling window) reads 0. */
export function gather(x: TypedArray, indices: Int32Array, out: TypedArray): void {
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    out[i] = j >= 0 ? x[j]! : 0;
  }
}

/** out[indices[i]] += g[i]; an index of -1 drops its value. */
export function scatterAdd(g: FloatArray, indices: Int32Array, out: FloatArray): void {
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    if (j >= 0) out[j]! += g[i]!;
  }
}
