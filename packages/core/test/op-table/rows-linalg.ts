import {
  DTypeError,
  ShapeError,
  Tensor,
  ValueError,
  affine,
  broadcastTo,
  flatten,
  gatherFlat,
  linear,
  matmul,
  permute,
  reshape,
  scatterAddFlat,
  transpose,
  zeros,
} from '@tapegrad/core';
import { broadcastIndex, refArray, refMatmul, refPermute, refTranspose2d, unravel } from './helpers.js';
import type { AnyOpRow, RefArray } from './types.js';
import { row } from './types.js';

/*
 * Rows for matrix products, layout ops (permute, transpose, reshape, broadcastTo, flatten), the affine
 * composite and the flat gather / scatter-add pair. References are index loops over the definitions.
 */

const f32 = (shape: number[]) => zeros(shape);
const f64 = (shape: number[]) => zeros(shape, { dtype: 'float64' });
const i32 = (shape: number[]) => zeros(shape, { dtype: 'int32' });
const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

const matmulRow = row<undefined>({
  op: 'matmul',
  run: ([a, b]) => matmul(a!, b!),
  reference: ([a, b]) => refMatmul(a!, b!),
  samples: [
    { label: '(3,4)·(4,5)', inputs: [{ shape: [3, 4] }, { shape: [4, 5] }], attrs: undefined },
    { label: 'row times column (1,3)·(3,1)', inputs: [{ shape: [1, 3] }, { shape: [3, 1] }], attrs: undefined },
    { label: 'outer product (5,1)·(1,4)', inputs: [{ shape: [5, 1] }, { shape: [1, 4] }], attrs: undefined },
    { label: 'odd sizes (9,13)·(13,6)', inputs: [{ shape: [9, 13] }, { shape: [13, 6] }], attrs: undefined },
  ],
  errors: [
    {
      label: 'a 1-D operand',
      call: () => matmul(f32([3]), f32([3, 2])),
      error: ShapeError,
      message: /^\[matmul\] a: expected 2-D \(m,k\), got shape \[3\]/,
    },
    {
      label: 'a 3-D operand',
      call: () => matmul(f32([2, 3]), f32([2, 3, 4])),
      error: ShapeError,
      message: /^\[matmul\] b: expected 2-D \(k,n\), got shape \[2,3,4\]/,
    },
    {
      label: 'inner dimensions that differ',
      call: () => matmul(f32([2, 3]), f32([4, 5])),
      error: ShapeError,
      message: /^\[matmul\] b: expected shape \(3,n\) to match a \[2,3\] \(inner dimensions must agree\), got shape \[4,5\]/,
    },
    {
      label: 'float32 with float64',
      call: () => matmul(f32([2, 3]), f64([3, 2])),
      error: DTypeError,
      message: /^\[matmul\] b: expected dtype float32 to match a, got dtype float64/,
    },
    {
      label: 'int32 operands',
      call: () => matmul(i32([2, 3]), i32([3, 2])),
      error: DTypeError,
      message: /^\[matmul\] a: expected a float32 or float64 tensor, got dtype int32/,
    },
  ],
});

const permuteRow = row<{ axes: number[] }>({
  op: 'permute',
  run: ([x], { axes }) => permute(x!, axes),
  reference: ([x], { axes }) => refPermute(x!, axes),
  samples: [
    { label: '(2,3,4) by [2,0,1]', inputs: [{ shape: [2, 3, 4] }], attrs: { axes: [2, 0, 1] } },
    { label: '(2,3,4) by [0,2,1]', inputs: [{ shape: [2, 3, 4] }], attrs: { axes: [0, 2, 1] } },
    { label: 'NCHW to NHWC (2,3,2,2) with a negative axis', inputs: [{ shape: [2, 3, 2, 2] }], attrs: { axes: [0, 2, -1, 1] } },
    { label: '2-D [1,0]', inputs: [{ shape: [3, 5] }], attrs: { axes: [1, 0] } },
    { label: 'size-1 axes (1,4,1) by [2,1,0]', inputs: [{ shape: [1, 4, 1] }], attrs: { axes: [2, 1, 0] } },
    { label: 'identity', inputs: [{ shape: [2, 3] }], attrs: { axes: [0, 1] } },
  ],
  errors: [
    {
      label: 'too few axes',
      call: () => permute(f32([2, 3, 4]), [1, 0]),
      error: ValueError,
      message: /^\[permute\] axes: expected a permutation of the 3 axes of x \[2,3,4\], got \[1,0\] \(2 entries\)/,
    },
    {
      label: 'a repeated axis',
      call: () => permute(f32([2, 3, 4]), [0, 1, 1]),
      error: ValueError,
      message: /^\[permute\] axes: expected a permutation .*got \[0,1,1\] \(axis 1 repeated\)/,
    },
    {
      label: 'an axis out of range',
      call: () => permute(f32([2, 3]), [0, 2]),
      error: ValueError,
      message: /^\[permute\] axes: expected a permutation of the 2 axes of x \[2,3\], got \[0,2\]$/,
    },
    {
      label: 'axes that are not an array',
      call: () => permute(f32([2, 3]), 1 as unknown as number[]),
      error: ValueError,
      message: /^\[permute\] axes: expected a permutation .*got number/,
    },
  ],
});

const transposeRow = row<{ axes?: number[] }>({
  op: 'transpose',
  run: ([x], { axes }) => transpose(x!, axes),
  reference: ([x], { axes }) => (axes ? refPermute(x!, axes) : x!.shape.length === 2 ? refTranspose2d(x!) : refPermute(x!, [...x!.shape.keys()].reverse())),
  samples: [
    { label: '2-D (3,5)', inputs: [{ shape: [3, 5] }], attrs: {} },
    { label: '3-D reverses the axes', inputs: [{ shape: [2, 3, 4] }], attrs: {} },
    { label: 'with axes', inputs: [{ shape: [2, 3, 4] }], attrs: { axes: [1, 0, 2] } },
    { label: 'a column (4,1)', inputs: [{ shape: [4, 1] }], attrs: {} },
  ],
  errors: [
    { label: 'not a tensor', call: () => transpose(null as unknown as Tensor), error: ValueError, message: /^\[transpose\] x: expected a Tensor, got null/ },
    {
      label: 'axes of the wrong length',
      call: () => transpose(f32([2, 3]), [0]),
      error: ValueError,
      message: /^\[permute\] axes: expected a permutation of the 2 axes of x \[2,3\], got \[0\]/,
    },
    {
      label: 'a repeated axis',
      call: () => transpose(f32([2, 3]), [1, 1]),
      error: ValueError,
      message: /^\[permute\] axes: .*axis 1 repeated/,
    },
  ],
});

const reshapeRow = row<{ shape: number[] }>({
  op: 'reshape',
  run: ([x], { shape }) => reshape(x!, shape),
  // row-major data is unchanged; the shape is the target with -1 resolved
  reference: ([x], { shape }) => {
    const known = size(shape.filter((d) => d !== -1));
    return refArray(x!.data, shape.map((d) => (d === -1 ? x!.data.length / known : d)));
  },
  samples: [
    { label: '(2,6) to (3,4)', inputs: [{ shape: [2, 6] }], attrs: { shape: [3, 4] } },
    { label: '(2,3,4) to (2,-1)', inputs: [{ shape: [2, 3, 4] }], attrs: { shape: [2, -1] } },
    { label: '(1,1) to 0-d', inputs: [{ shape: [1, 1] }], attrs: { shape: [] } },
    { label: '0-d to (1,1,1)', inputs: [{ shape: [] }], attrs: { shape: [1, 1, 1] } },
  ],
  errors: [
    {
      label: 'two -1 entries',
      call: () => reshape(f32([2, 6]), [-1, -1]),
      error: ValueError,
      message: /^\[reshape\] shape: expected at most one -1, got \[-1,-1\]/,
    },
    {
      label: 'a size that does not match',
      call: () => reshape(f32([2, 6]), [5, 2]),
      error: ShapeError,
      message: /^\[reshape\] shape: expected a shape with 12 elements to match x \[2,6\], got \[5,2\] \(10 elements\)/,
    },
    {
      label: '-1 that cannot be resolved',
      call: () => reshape(f32([2, 6]), [5, -1]),
      error: ShapeError,
      message: /^\[reshape\] shape: expected a shape with 12 elements to match x \[2,6\], got \[5,-1\]/,
    },
    {
      label: 'a non-integer entry',
      call: () => reshape(f32([2, 6]), [2.5, 2]),
      error: ValueError,
      message: /^\[reshape\] shape: expected non-negative integers \(and at most one -1\), got \[2.5,2\]/,
    },
  ],
});

const broadcastToRow = row<{ shape: number[] }>({
  op: 'broadcastTo',
  run: ([x], { shape }) => broadcastTo(x!, shape),
  reference: ([x], { shape }) => {
    const out = new Float64Array(size(shape));
    for (let o = 0; o < out.length; o++) out[o] = x!.data[broadcastIndex(unravel(o, shape), x!.shape)]!;
    return refArray(out, shape);
  },
  samples: [
    { label: '(3,1) to (2,3,4)', inputs: [{ shape: [3, 1] }], attrs: { shape: [2, 3, 4] } },
    { label: '0-d to (2,2)', inputs: [{ shape: [] }], attrs: { shape: [2, 2] } },
    { label: '(4) to (3,4)', inputs: [{ shape: [4] }], attrs: { shape: [3, 4] } },
    { label: 'same shape', inputs: [{ shape: [2, 3] }], attrs: { shape: [2, 3] } },
  ],
  errors: [
    {
      label: 'a shape x does not broadcast to',
      call: () => broadcastTo(f32([3, 2]), [3, 4]),
      error: ShapeError,
      message: /^\[broadcastTo\] shape: expected a shape that \[3,2\] broadcasts to, got \[3,4\]/,
    },
    {
      label: 'a shape of lower rank',
      call: () => broadcastTo(f32([2, 3]), [3]),
      error: ShapeError,
      message: /^\[broadcastTo\] shape: expected a shape that \[2,3\] broadcasts to, got \[3\]/,
    },
    {
      label: 'a negative dimension',
      call: () => broadcastTo(f32([3]), [-1, 3]),
      error: ValueError,
      message: /^\[broadcastTo\] shape: expected a shape of non-negative integers, got \[-1,3\]/,
    },
  ],
});

const flattenRow = row<undefined>({
  op: 'flatten',
  run: ([x]) => flatten(x!),
  reference: ([x]) => refArray(x!.data, [x!.shape[0]!, size(x!.shape.slice(1))]),
  samples: [
    { label: '(2,3,4) to (2,12)', inputs: [{ shape: [2, 3, 4] }], attrs: undefined },
    { label: '(5) to (5,1)', inputs: [{ shape: [5] }], attrs: undefined },
    { label: '(2,1,1,3) to (2,3)', inputs: [{ shape: [2, 1, 1, 3] }], attrs: undefined },
  ],
  errors: [
    { label: 'a 0-d tensor', call: () => flatten(f32([])), error: ShapeError, message: /^\[flatten\] x: expected at least 1-D \(N,\.\.\.\), got shape \[\]/ },
    { label: 'a number', call: () => flatten(2 as unknown as Tensor), error: ValueError, message: /^\[flatten\] x: expected a Tensor, got number/ },
    { label: 'null', call: () => flatten(null as unknown as Tensor), error: ValueError, message: /^\[flatten\] x: expected a Tensor, got null/ },
  ],
});

function refAffine(x: RefArray, w: RefArray, b?: RefArray): RefArray {
  const n = x.shape[0]!;
  const [inF, outF] = w.shape as [number, number];
  const out = new Float64Array(n * outF);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < outF; j++) {
      let acc = b ? b.data[j]! : 0;
      for (let p = 0; p < inF; p++) acc += x.data[i * inF + p]! * w.data[p * outF + j]!;
      out[i * outF + j] = acc;
    }
  }
  return refArray(out, [n, outF]);
}

const affineRow = row<undefined>({
  op: 'affine',
  run: ([x, w, b]) => affine(x!, w!, b),
  reference: ([x, w, b]) => refAffine(x!, w!, b),
  samples: [
    { label: 'image batch (2,3,2,2)·(12,5)+(5)', inputs: [{ shape: [2, 3, 2, 2] }, { shape: [12, 5] }, { shape: [5] }], attrs: undefined },
    { label: 'matrix (4,6)·(6,3)+(3)', inputs: [{ shape: [4, 6] }, { shape: [6, 3] }, { shape: [3] }], attrs: undefined },
    { label: 'no bias (3,2,2)·(4,2)', inputs: [{ shape: [3, 2, 2] }, { shape: [4, 2] }], attrs: undefined },
  ],
  errors: [
    {
      label: 'w with the wrong number of inputs',
      call: () => affine(f32([2, 3, 4]), f32([10, 5]), f32([5])),
      error: ShapeError,
      message: /^\[affine\] w: expected 2-D \(in,out\) with in=12 to match x \[2,3,4\], got shape \[10,5\]/,
    },
    {
      label: 'b of the wrong length',
      call: () => affine(f32([2, 12]), f32([12, 5]), f32([4])),
      error: ShapeError,
      message: /^\[affine\] b: expected 1-D \(out\) with out=5 to match w \[12,5\], got shape \[4\]/,
    },
    {
      label: 'a 1-D x',
      call: () => affine(f32([12]), f32([12, 5])),
      error: ShapeError,
      message: /^\[affine\] x: expected at least 2-D \(N,\.\.\.\), got shape \[12\]/,
    },
    {
      label: 'float64 weights for float32 input',
      call: () => affine(f32([2, 12]), f64([12, 5])),
      error: DTypeError,
      message: /^\[affine\] w: expected dtype float32 to match x, got dtype float64/,
    },
  ],
});

// ---------------------------------------------------------------------------------------------------
// linear: x·wᵀ + b with w in PyTorch's (out, in) layout

const linearRow = row<undefined>({
  op: 'linear',
  run: ([x, w, b]) => linear(x!, w!, b),
  reference: ([x, w, b]) => {
    const y = refMatmul(x!, refTranspose2d(w!));
    if (b !== undefined) y.data.forEach((v, i) => (y.data[i] = v + b.data[i % b.data.length]!));
    return y;
  },
  samples: [
    { label: 'matrix (4,6)·(3,6)ᵀ+(3)', inputs: [{ shape: [4, 6] }, { shape: [3, 6] }, { shape: [3] }], attrs: undefined },
    { label: 'odd sizes (5,7)·(9,7)ᵀ+(9)', inputs: [{ shape: [5, 7] }, { shape: [9, 7] }, { shape: [9] }], attrs: undefined },
    { label: 'no bias (1,4)·(2,4)ᵀ', inputs: [{ shape: [1, 4] }, { shape: [2, 4] }], attrs: undefined },
  ],
  errors: [
    {
      label: 'w with the wrong number of inputs',
      call: () => linear(f32([2, 12]), f32([5, 10]), f32([5])),
      error: ShapeError,
      message: /^\[linear\] w: expected 2-D \(out,in\) with in=12 to match x \[2,12\], got shape \[5,10\]$/,
    },
    {
      label: 'b of the wrong length',
      call: () => linear(f32([2, 12]), f32([5, 12]), f32([4])),
      error: ShapeError,
      message: /^\[linear\] b: expected 1-D \(out\) with out=5 to match w \[5,12\], got shape \[4\]$/,
    },
    {
      label: 'a 3-D x',
      call: () => linear(f32([2, 3, 4]), f32([5, 4])),
      error: ShapeError,
      message: /^\[linear\] x: expected 2-D \(m,in\), got shape \[2,3,4\]$/,
    },
    {
      label: 'float64 weights for float32 input',
      call: () => linear(f32([2, 12]), f64([5, 12])),
      error: DTypeError,
      message: /^\[linear\] w: expected dtype float32 to match x, got dtype float64/,
    },
    {
      label: 'int32 x',
      call: () => linear(i32([2, 12]), f32([5, 12])),
      error: DTypeError,
      message: /^\[linear\] x: expected a float32 or float64 tensor, got dtype int32$/,
    },
  ],
});

// ---------------------------------------------------------------------------------------------------
// The flat gather / scatter-add pair

interface FlatAttrs {
  indices: number[];
  shape: number[];
}

const gatherRow = row<FlatAttrs>({
  op: 'gatherFlat',
  run: ([x], { indices, shape }) => gatherFlat(x!, new Int32Array(indices), shape),
  reference: ([x], { indices, shape }) => refArray(indices.map((j) => (j < 0 ? 0 : x!.data[j]!)), shape),
  samples: [
    { label: 'picks with repeats (3,4) → (5)', inputs: [{ shape: [3, 4] }], attrs: { indices: [3, 0, 11, 3, 7], shape: [5] } },
    { label: 'into a 2-D shape (2,5) → (2,3)', inputs: [{ shape: [2, 5] }], attrs: { indices: [9, 8, 0, 0, 1, 5], shape: [2, 3] } },
    { label: 'with a -1 (no element)', inputs: [{ shape: [4] }], attrs: { indices: [2, -1, 0], shape: [3] } },
    { label: 'a 0-d result', inputs: [{ shape: [2, 2] }], attrs: { indices: [3], shape: [] } },
  ],
  errors: [
    {
      label: 'an index out of range',
      call: () => gatherFlat(f32([3, 4]), new Int32Array([0, 12]), [2]),
      error: ValueError,
      message: /^\[gatherFlat\] indices: expected flat indices in \[-1, 12\) into x \[3,4\].*, got 12 at position 1/,
    },
    {
      label: 'a count that does not match the shape',
      call: () => gatherFlat(f32([3, 4]), new Int32Array([0, 1, 2]), [2, 2]),
      error: ValueError,
      message: /^\[gatherFlat\] indices: expected 4 entries, got 3/,
    },
    {
      label: 'indices as a plain array',
      call: () => gatherFlat(f32([3]), [0, 1] as unknown as Int32Array, [2]),
      error: ValueError,
      message: /^\[gatherFlat\] indices: expected an Int32Array of flat indices, got an array/,
    },
    {
      label: 'a bad shape',
      call: () => gatherFlat(f32([3]), new Int32Array([0]), [-1]),
      error: ValueError,
      message: /^\[gatherFlat\] shape: expected a shape of non-negative integers, got \[-1\]/,
    },
  ],
});

const scatterRow = row<FlatAttrs>({
  op: 'scatterAddFlat',
  run: ([g], { indices, shape }) => scatterAddFlat(g!, new Int32Array(indices), shape),
  reference: ([g], { indices, shape }) => {
    const out = new Float64Array(size(shape));
    indices.forEach((j, i) => {
      if (j >= 0) out[j] += g!.data[i]!;
    });
    return refArray(out, shape);
  },
  samples: [
    { label: 'repeats accumulate (5) → (3,4)', inputs: [{ shape: [5] }], attrs: { indices: [3, 0, 11, 3, 7], shape: [3, 4] } },
    { label: 'from 2-D (2,3) → (4)', inputs: [{ shape: [2, 3] }], attrs: { indices: [1, 1, 1, 0, 3, 2], shape: [4] } },
    { label: 'a -1 drops its value', inputs: [{ shape: [3] }], attrs: { indices: [2, -1, 0], shape: [2, 2] } },
  ],
  errors: [
    {
      label: 'an index out of range',
      call: () => scatterAddFlat(f32([2]), new Int32Array([0, 4]), [2, 2]),
      error: ValueError,
      message: /^\[scatterAddFlat\] indices: expected flat indices in \[-1, 4\) into shape \[2,2\].*, got 4 at position 1/,
    },
    {
      label: 'an index below -1',
      call: () => scatterAddFlat(f32([2]), new Int32Array([-2, 0]), [3]),
      error: ValueError,
      message: /^\[scatterAddFlat\] indices: expected flat indices in \[-1, 3\).*, got -2 at position 0/,
    },
    {
      label: 'a count that does not match g',
      call: () => scatterAddFlat(f32([3]), new Int32Array([0]), [3]),
      error: ValueError,
      message: /^\[scatterAddFlat\] indices: expected 3 entries, got 1/,
    },
    {
      label: 'an int32 g',
      call: () => scatterAddFlat(i32([2]), new Int32Array([0, 1]), [3]),
      error: DTypeError,
      message: /^\[scatterAddFlat\] g: expected a float32 or float64 tensor, got dtype int32/,
    },
  ],
});

export const rowsLinalg: AnyOpRow[] = [
  matmulRow,
  permuteRow,
  transposeRow,
  reshapeRow,
  broadcastToRow,
  flattenRow,
  affineRow,
  linearRow,
  gatherRow,
  scatterRow,
];
