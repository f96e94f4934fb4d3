import { DTypeError, ShapeError, Tensor, ValueError, argmax, logSoftmax, max, mean, softmax, sum, zeros } from '@tapegrad/core';
import { refAxes, refMax, refReduce, refSoftmax, refSum, unravel } from './helpers.js';
import type { AnyOpRow, ErrorCase, RefArray, Sample } from './types.js';
import { row } from './types.js';

/*
 * Rows for reductions (sum, mean, max, argmax) and the softmax composites. References fold the input in
 * row-major order into per-output accumulators (helpers.refReduce) or walk explicit lines along an axis.
 */

const f32 = (shape: number[]) => zeros(shape);
const i32 = (shape: number[]) => zeros(shape, { dtype: 'int32' });

interface ReduceAttrs {
  axis?: number | number[];
  keepdims?: boolean;
}

function reduceSamples(domain: 'any' | 'distinct'): Sample<ReduceAttrs>[] {
  return [
    { label: 'all axes of (3,4)', inputs: [{ shape: [3, 4], domain }], attrs: {} },
    { label: 'axis 1 keepdims', inputs: [{ shape: [3, 4], domain }], attrs: { axis: 1, keepdims: true } },
    { label: 'axis 0', inputs: [{ shape: [3, 4], domain }], attrs: { axis: 0 } },
    { label: 'non-adjacent axes [0,2] of (2,3,4)', inputs: [{ shape: [2, 3, 4], domain }], attrs: { axis: [0, 2] } },
    { label: 'axes [1,2] keepdims of (2,3,4)', inputs: [{ shape: [2, 3, 4], domain }], attrs: { axis: [1, 2], keepdims: true } },
    { label: 'negative axis -1', inputs: [{ shape: [2, 3, 4], domain }], attrs: { axis: -1 } },
    { label: '0-d', inputs: [{ shape: [], domain }], attrs: {} },
    { label: '0-d with axis -1 (nothing to reduce)', inputs: [{ shape: [], domain }], attrs: { axis: -1 } },
    { label: 'size-1 axis', inputs: [{ shape: [4, 1], domain }], attrs: { axis: 1 } },
  ];
}

function reduceErrors(name: string, fn: (x: Tensor, axis?: number | number[]) => Tensor): ErrorCase[] {
  return [
    {
      label: 'int32 input',
      call: () => fn(i32([2, 2])),
      error: DTypeError,
      message: new RegExp(`^\\[${name}\\] x: expected a float32 or float64 tensor, got dtype int32`),
    },
    {
      label: 'an axis out of range',
      call: () => fn(f32([2, 3]), 2),
      error: ValueError,
      message: new RegExp(`^\\[${name}\\] axis: expected an integer in \\[-2, 1\\], got 2`),
    },
    {
      label: 'a repeated axis',
      call: () => fn(f32([2, 3]), [1, -1]),
      error: ValueError,
      message: new RegExp(`^\\[${name}\\] axis: expected distinct axes, got \\[1,-1\\]`),
    },
    {
      label: 'not a tensor',
      call: () => fn([1, 2] as unknown as Tensor),
      error: ValueError,
      message: new RegExp(`^\\[${name}\\] x: expected a Tensor, got an array`),
    },
  ];
}

function refMean(x: RefArray, axis: number | number[] | undefined, keepdims: boolean): RefArray {
  const count = refAxes(axis, x.shape.length).reduce((p, a) => p * x.shape[a]!, 1);
  const s = refSum(x, axis, keepdims);
  return { data: s.data.map((v) => v / count), shape: s.shape };
}

/** The index along `axis` (or the flat index) of the first maximum, as float64 values. */
function refArgmax(x: RefArray, axis: number | undefined, keepdims: boolean): RefArray {
  const best = refMax(x, axis, true);
  const found = new Float64Array(best.data.length).fill(-1);
  const ax = axis === undefined ? undefined : axis < 0 ? axis + x.shape.length : axis;
  const r = refReduce(x, axis, keepdims, -1, (acc, v, flat, o) => {
    if (found[o]! >= 0 || !(v === best.data[o] || (Number.isNaN(v) && Number.isNaN(best.data[o]!)))) return acc;
    found[o] = 1;
    return ax === undefined ? flat : unravel(flat, x.shape)[ax]!;
  });
  return r;
}

const sumRow = row<ReduceAttrs>({
  op: 'sum',
  run: ([x], { axis, keepdims }) => sum(x!, axis, keepdims),
  reference: ([x], { axis, keepdims }) => refSum(x!, axis, keepdims ?? false),
  samples: [...reduceSamples('any'), { label: 'no axes []', inputs: [{ shape: [2, 3] }], attrs: { axis: [] } }],
  errors: reduceErrors('sum', sum),
});

const meanRow = row<ReduceAttrs>({
  op: 'mean',
  run: ([x], { axis, keepdims }) => mean(x!, axis, keepdims),
  reference: ([x], { axis, keepdims }) => refMean(x!, axis, keepdims ?? false),
  samples: reduceSamples('any'),
  errors: reduceErrors('mean', mean),
});

const maxRow = row<ReduceAttrs>({
  op: 'max',
  run: ([x], { axis, keepdims }) => max(x!, axis, keepdims),
  reference: ([x], { axis, keepdims }) => refMax(x!, axis, keepdims ?? false),
  // distinct values: the gradient of max is only defined where the maximum is unique
  samples: reduceSamples('distinct'),
  errors: [
    ...reduceErrors('max', max),
    {
      label: 'an empty reduced axis',
      call: () => max(f32([3, 0]), 1),
      error: ValueError,
      message: /^\[max\] axis: expected axes of non-zero size \(a maximum of nothing is undefined\) for x \[3,0\], got \[1\]/,
    },
  ],
});

const argmaxRow = row<{ axis?: number; keepdims?: boolean }>({
  op: 'argmax',
  run: ([x], { axis, keepdims }) => argmax(x!, axis, keepdims),
  reference: ([x], { axis, keepdims }) => refArgmax(x!, axis, keepdims ?? false),
  samples: [
    { label: 'flat index over all of (3,4)', inputs: [{ shape: [3, 4], domain: 'distinct' }], attrs: {} },
    { label: 'axis 1', inputs: [{ shape: [3, 4], domain: 'distinct' }], attrs: { axis: 1 } },
    { label: 'axis 0 keepdims', inputs: [{ shape: [3, 4], domain: 'distinct' }], attrs: { axis: 0, keepdims: true } },
    { label: 'middle axis of (2,3,4)', inputs: [{ shape: [2, 3, 4], domain: 'distinct' }], attrs: { axis: -2 } },
    { label: 'ties go to the first', inputs: [{ shape: [2, 4], values: [1, 3, 3, 2, 5, 5, 5, 5] }], attrs: { axis: 1 } },
    { label: 'flat ties go to the first', inputs: [{ shape: [2, 2], values: [0, 7, 7, 1] }], attrs: {} },
    { label: '0-d', inputs: [{ shape: [] }], attrs: {} },
  ],
  gradCheck: false,
  errors: [
    {
      label: 'a list of axes',
      call: () => argmax(f32([2, 3]), [0, 1] as unknown as number),
      error: ValueError,
      message: /^\[argmax\] axis: expected a single axis \(a number\) or none, got \[0,1\]/,
    },
    {
      label: 'an axis out of range',
      call: () => argmax(f32([2, 3]), -3),
      error: ValueError,
      message: /^\[argmax\] axis: expected an integer in \[-2, 1\], got -3/,
    },
    {
      label: 'int32 input',
      call: () => argmax(i32([2, 3]), 1),
      error: DTypeError,
      message: /^\[argmax\] x: expected a float32 or float64 tensor, got dtype int32/,
    },
    {
      label: 'an empty axis',
      call: () => argmax(f32([2, 0]), 1),
      error: ValueError,
      message: /^\[argmax\] axis: expected axes of non-zero size .*got \[1\]/,
    },
  ],
});

function softmaxRow(name: 'softmax' | 'logSoftmax', fn: (x: Tensor, axis?: number) => Tensor): AnyOpRow {
  const isLog = name === 'logSoftmax';
  return row<{ axis?: number }>({
    op: name,
    run: ([x], { axis }) => fn(x!, axis),
    reference: ([x], { axis }) => refSoftmax(x!, axis ?? -1, isLog),
    samples: [
      { label: 'rows of (3,5)', inputs: [{ shape: [3, 5] }], attrs: {} },
      { label: 'axis 1 of (2,3,4)', inputs: [{ shape: [2, 3, 4] }], attrs: { axis: 1 } },
      { label: 'axis 0', inputs: [{ shape: [4, 2] }], attrs: { axis: 0 } },
      { label: '1-D', inputs: [{ shape: [6] }], attrs: {} },
      // finite for logits of ±1000: a naive exp would overflow to Infinity/Infinity = NaN
      { label: 'logits of ±1000', inputs: [{ shape: [2, 3], values: [1000, 999, -1000, -1000, -999, 1000] }], attrs: {} },
    ],
    errors: [
      {
        label: 'int32 input',
        call: () => fn(i32([2, 3])),
        error: DTypeError,
        message: new RegExp(`^\\[${name}\\] x: expected a float32 or float64 tensor, got dtype int32`),
      },
      {
        label: 'an axis out of range',
        call: () => fn(f32([2, 3]), 2),
        error: ValueError,
        message: new RegExp(`^\\[${name}\\] axis: expected an integer in \\[-2, 1\\], got 2`),
      },
      {
        label: 'a 0-d input',
        call: () => fn(f32([])),
        error: ShapeError,
        message: new RegExp(`^\\[${name}\\] x: expected at least 1-D, got shape \\[\\]`),
      },
      {
        label: 'a fractional axis',
        call: () => fn(f32([2, 3]), 0.5),
        error: ValueError,
        message: new RegExp(`^\\[${name}\\] axis: expected an integer in \\[-2, 1\\], got 0.5`),
      },
      {
        label: 'not a tensor',
        call: () => fn(undefined as unknown as Tensor),
        error: ValueError,
        message: new RegExp(`^\\[${name}\\] x: expected a Tensor, got undefined`),
      },
    ],
  });
}

export const rowsReduce: AnyOpRow[] = [sumRow, meanRow, maxRow, argmaxRow, softmaxRow('softmax', softmax), softmaxRow('logSoftmax', logSoftmax)];
