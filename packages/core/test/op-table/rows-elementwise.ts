import {
  DTypeError,
  ShapeError,
  Tensor,
  ValueError,
  add,
  cast,
  div,
  exp,
  log,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  relu,
  sigmoid,
  sqrt,
  sub,
  tanh,
  tensor,
  zeros,
} from '@tapegrad/core';
import { refBroadcast, refMap } from './helpers.js';
import type { AnyOpRow, Domain, ErrorCase, InputSpec, Sample } from './types.js';
import { row } from './types.js';

/*
 * Rows for the elementwise primitives. References are scalar formulas applied by plain loops (binary
 * ones through a naive broadcast-index loop); they never call the library.
 */

const f32 = (shape: number[]) => zeros(shape);
const f64 = (shape: number[]) => zeros(shape, { dtype: 'float64' });
const i32 = (shape: number[]) => zeros(shape, { dtype: 'int32' });

// ---------------------------------------------------------------------------------------------------
// Unary

function unarySamples(domain: Domain): Sample<undefined>[] {
  const one = (shape: number[]): InputSpec[] => [{ shape, domain }];
  return [
    { label: 'matrix (3,4)', inputs: one([3, 4]), attrs: undefined },
    { label: '0-d', inputs: one([]), attrs: undefined },
    { label: 'size-1 dims (2,1,3)', inputs: one([2, 1, 3]), attrs: undefined },
    { label: '4-D (2,3,2,2)', inputs: one([2, 3, 2, 2]), attrs: undefined },
  ];
}

function unaryErrors(name: string, fn: (x: Tensor) => Tensor): ErrorCase[] {
  return [
    {
      label: 'int32 input',
      call: () => fn(i32([2, 2])),
      error: DTypeError,
      message: new RegExp(`^\\[${name}\\] x: expected a float32 or float64 tensor, got dtype int32`),
    },
    {
      label: 'a number instead of a tensor',
      call: () => fn(3 as unknown as Tensor),
      error: ValueError,
      message: new RegExp(`^\\[${name}\\] x: expected a Tensor, got number`),
    },
    {
      label: 'a nested array instead of a tensor',
      call: () => fn([[1, 2]] as unknown as Tensor),
      error: ValueError,
      message: new RegExp(`^\\[${name}\\] x: expected a Tensor, got an array`),
    },
  ];
}

function unaryRow(
  name: string,
  fn: (x: Tensor) => Tensor,
  f: (v: number) => number,
  domain: Domain,
  extra: Sample<undefined>[] = [],
): AnyOpRow {
  return row<undefined>({
    op: name,
    run: ([x]) => fn(x!),
    reference: ([x]) => refMap(x!, f),
    samples: [...unarySamples(domain), ...extra],
    errors: unaryErrors(name, fn),
  });
}

const sigmoidRef = (v: number) => 1 / (1 + Math.exp(-v));

// ---------------------------------------------------------------------------------------------------
// Binary

/** attrs.scalar: the second (or with left, the first) operand is this JS number instead of a tensor. */
interface BinaryAttrs {
  scalar?: number;
  left?: boolean;
}

function binarySamples(da: Domain, db: Domain): Sample<BinaryAttrs>[] {
  const two = (a: number[], b: number[]): InputSpec[] => [
    { shape: a, domain: da },
    { shape: b, domain: db },
  ];
  return [
    { label: 'same shape (3,4)', inputs: two([3, 4], [3, 4]), attrs: {} },
    { label: 'row broadcast (3,4) with (4)', inputs: two([3, 4], [4]), attrs: {} },
    { label: 'both broadcast (3,1) with (1,4)', inputs: two([3, 1], [1, 4]), attrs: {} },
    { label: 'leading dims (2,1,3) with (4,1)', inputs: two([2, 1, 3], [4, 1]), attrs: {} },
    { label: '0-d with (2,3)', inputs: two([], [2, 3]), attrs: {} },
    { label: 'both 0-d', inputs: two([], []), attrs: {} },
  ];
}

function binaryErrors(name: string, fn: (a: Tensor, b: Tensor) => Tensor): ErrorCase[] {
  return [
    {
      label: 'shapes that do not broadcast',
      call: () => fn(f32([3, 4]), f32([3])),
      error: ShapeError,
      message: new RegExp(`^\\[${name}\\] operands: expected shapes that broadcast .*got \\[3,4\\] and \\[3\\] \\(dimension -1 is 4 vs 3\\)`),
    },
    {
      label: 'shapes that do not broadcast in a leading axis',
      call: () => fn(f32([2, 3, 4]), f32([5, 1, 4])),
      error: ShapeError,
      message: new RegExp(`^\\[${name}\\] operands: .*got \\[2,3,4\\] and \\[5,1,4\\] \\(dimension -3 is 2 vs 5\\)`),
    },
    {
      label: 'float32 with float64',
      call: () => fn(f32([2]), f64([2])),
      error: DTypeError,
      message: new RegExp(`^\\[${name}\\] b: expected dtype float32 to match a, got dtype float64 \\(convert explicitly with \\.to\\('float32'\\)\\)`),
    },
    {
      label: 'a string operand',
      call: () => fn(f32([2]), 'x' as unknown as Tensor),
      error: ValueError,
      message: new RegExp(`^\\[${name}\\] b: expected a Tensor, got string`),
    },
  ];
}

/** Errors of the float-only binary ops (div, pow): int32 operands are refused. */
function floatOnlyErrors(name: string, fn: (a: Tensor | number, b: Tensor | number) => Tensor): ErrorCase[] {
  return [
    {
      label: 'int32 operands',
      call: () => fn(i32([2]), i32([2])),
      error: DTypeError,
      message: new RegExp(`^\\[${name}\\] a: expected a float32 or float64 tensor, got dtype int32`),
    },
    {
      label: 'a number with an int32 tensor',
      call: () => fn(2, i32([2])),
      error: DTypeError,
      message: new RegExp(`^\\[${name}\\] b: expected a float32 or float64 tensor, got dtype int32`),
    },
  ];
}

function binaryRow(
  name: string,
  fn: (a: Tensor | number, b: Tensor | number) => Tensor,
  f: (x: number, y: number) => number,
  domains: [Domain, Domain],
  scalar: number,
  extraErrors: ErrorCase[] = [],
): AnyOpRow {
  return row<BinaryAttrs>({
    op: name,
    run: ([a, b], { scalar: s, left }) => (s === undefined ? fn(a!, b!) : left ? fn(s, a!) : fn(a!, s)),
    reference: ([a, b], { scalar: s, left }) => {
      if (s === undefined) return refBroadcast(a!, b!, f);
      return refMap(a!, (v) => (left ? f(s, v) : f(v, s)));
    },
    samples: [
      ...binarySamples(domains[0], domains[1]),
      { label: `tensor with the number ${scalar}`, inputs: [{ shape: [2, 3], domain: domains[0] }], attrs: { scalar } },
      { label: `the number ${scalar} with a tensor`, inputs: [{ shape: [2, 3], domain: domains[1] }], attrs: { scalar, left: true } },
    ],
    errors: [...binaryErrors(name, fn), ...extraErrors],
  });
}

// ---------------------------------------------------------------------------------------------------
// cast

interface CastAttrs {
  /** The dtype of the round trip: x → via → x's dtype. */
  via: 'float32' | 'float64';
}

/**
 * cast is checked through a round trip so that forward and gradient compare in one dtype: float64 →
 * float32 → float64 rounds to float32 (the reference rounds with Math.fround); the gradient check uses a
 * larger step because that function is a fine staircase.
 */
const castRow = row<CastAttrs>({
  op: 'cast',
  run: ([x], { via }) => cast(cast(x!, via), x!.dtype),
  reference: ([x], { via }) => refMap(x!, via === 'float32' ? Math.fround : (v) => v),
  samples: [
    { label: 'through float32 (3,4)', inputs: [{ shape: [3, 4] }], attrs: { via: 'float32' } },
    { label: 'through float64 (3,4)', inputs: [{ shape: [3, 4] }], attrs: { via: 'float64' } },
    { label: 'through float32, 0-d', inputs: [{ shape: [] }], attrs: { via: 'float32' } },
  ],
  gradCheck: { eps: 1e-3, atol: 1e-4, rtol: 1e-3 },
  errors: [
    {
      label: 'an unknown dtype',
      call: () => cast(f32([2]), 'int8' as 'int32'),
      error: DTypeError,
      message: /^\[cast\] dtype: expected one of float32, float64, int32, got int8/,
    },
    {
      label: 'a dtype that is not a string',
      call: () => cast(f32([2]), Float64Array as unknown as 'float64'),
      error: DTypeError,
      message: /^\[cast\] dtype: expected one of float32, float64, int32, got function/,
    },
    {
      label: 'not a tensor',
      call: () => cast([1, 2] as unknown as Tensor, 'float64'),
      error: ValueError,
      message: /^\[cast\] x: expected a Tensor, got an array/,
    },
    {
      label: 'NaN to int32',
      call: () => cast(tensor([1, NaN]), 'int32'),
      error: ValueError,
      message: /^\[cast\] x: expected finite values within the int32 range to cast to int32, got NaN at flat index 1/,
    },
    {
      label: 'out of the int32 range',
      call: () => cast(tensor([3e9], undefined, { dtype: 'float64' }), 'int32'),
      error: ValueError,
      message: /^\[cast\] x: expected finite values within the int32 range .*got 3000000000 at flat index 0/,
    },
  ],
});

// ---------------------------------------------------------------------------------------------------

export const rowsElementwise: AnyOpRow[] = [
  binaryRow('add', add, (x, y) => x + y, ['any', 'any'], 1.5),
  binaryRow('sub', sub, (x, y) => x - y, ['any', 'any'], 1.5),
  binaryRow('mul', mul, (x, y) => x * y, ['any', 'any'], -2.5),
  binaryRow('div', div, (x, y) => x / y, ['nonzero', 'nonzero'], 0.75, floatOnlyErrors('div', div)),
  binaryRow('pow', pow, (x, y) => Math.pow(x, y), ['positive', 'any'], 1.5, floatOnlyErrors('pow', pow)),
  // random samples have no ties; the tie rule (gradient split equally) is tested on its own
  binaryRow('maximum', maximum, (x, y) => (x >= y ? x : y), ['any', 'any'], 0.5, floatOnlyErrors('maximum', maximum)),
  binaryRow('minimum', minimum, (x, y) => (x <= y ? x : y), ['any', 'any'], 0.5, floatOnlyErrors('minimum', minimum)),
  unaryRow('neg', neg, (v) => -v, 'any'),
  unaryRow('exp', exp, Math.exp, 'any'),
  unaryRow('log', log, Math.log, 'positive'),
  unaryRow('sqrt', sqrt, Math.sqrt, 'positive'),
  unaryRow('tanh', tanh, Math.tanh, 'any', [
    { label: 'saturated ±20, ±1000', inputs: [{ shape: [4], values: [-1000, -20, 20, 1000] }], attrs: undefined },
  ]),
  unaryRow('sigmoid', sigmoid, sigmoidRef, 'any', [
    // exact 0 and 1 with zero gradient at the tails; no NaN anywhere
    { label: 'extremes ±1e30, ±1000, ±30', inputs: [{ shape: [6], values: [-1e30, -1000, -30, 30, 1000, 1e30] }], attrs: undefined },
  ]),
  // relu's samples avoid 0 itself (not differentiable there); relu'(0) = 0 is tested on its own
  unaryRow('relu', relu, (v) => (v > 0 ? v : 0), 'nonzero'),
  castRow,
];
