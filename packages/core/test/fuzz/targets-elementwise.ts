import fc from 'fast-check';
import {
  DTYPES,
  type DType,
  Tensor,
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
} from '@tapegrad/core';
import { refBroadcast, refMap } from '../op-table/helpers.js';
import type { RefArray } from '../op-table/types.js';
import { type FuzzTarget, type Verdict, numbersOf, reject, target } from './harness.js';
import { broadcastShape, expected, ref, sizeProblem, tensorProblem } from './rules.js';
import { type Profile, floatDTypeArb, junkArb, nearShape, shapeArb, tensorOf, wildTensor } from './values.js';

/*
 * Elementwise ops: the unary float ops, the broadcasting binary ops (a number operand takes the
 * tensor's dtype; int32 allowed for add, sub and mul), cast. References apply the scalar formula by
 * plain loops (binary ones through a naive broadcast index), rounding to the result's dtype.
 */

// ---------------------------------------------------------------------------------------------------
// Unary

type Unary = (x: Tensor) => Tensor;

function unaryTarget(name: string, fn: Unary, f: (v: number) => number, o: { profiles: Profile[]; nanFree: (v: number) => boolean }): FuzzTarget<readonly [unknown]> {
  return {
    name,
    fn,
    wild: fc.tuple(wildTensor(shapeArb())),
    valid: fc.tuple(floatDTypeArb.chain((dtype) => tensorOf(shapeArb(), { dtypes: [dtype], profiles: o.profiles }))),
    expect([x]) {
      const p = tensorProblem(x);
      if (p !== null) return reject(`x: ${p}`);
      return expected(refMap(ref(x as Tensor), f), (x as Tensor).dtype);
    },
    finite: ([x]) => numbersOf(x).every(o.nanFree),
  };
}

const always = () => true;
const stableSigmoid = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

const unaryTargets = [
  unaryTarget('neg', neg, (v) => -v, { profiles: ['unit', 'int', 'wide'], nanFree: always }),
  unaryTarget('exp', exp, Math.exp, { profiles: ['unit', 'int'], nanFree: always }),
  unaryTarget('log', log, Math.log, { profiles: ['positive'], nanFree: (v) => v >= 0 }),
  unaryTarget('sqrt', sqrt, Math.sqrt, { profiles: ['positive'], nanFree: (v) => v >= 0 }),
  unaryTarget('tanh', tanh, Math.tanh, { profiles: ['unit', 'extreme', 'wide'], nanFree: always }),
  unaryTarget('sigmoid', sigmoid, stableSigmoid, { profiles: ['unit', 'extreme', 'wide'], nanFree: always }),
  unaryTarget('relu', relu, (v) => (v > 0 ? v : 0), { profiles: ['unit', 'int', 'wide'], nanFree: always }),
];

// ---------------------------------------------------------------------------------------------------
// Binary

type Binary = (a: Tensor | number, b: Tensor | number) => Tensor;

/** A shape broadcasting against `shape`: a suffix of it with some dimensions set to 1. */
function partnerShape(shape: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(fc.nat(shape.length), fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }))
    .map(([keep, ones]) => shape.slice(shape.length - keep).map((d, i) => (ones[i] ? 1 : d)));
}

const numberOperand = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 3, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -0, 1e12, 2 ** 31, 1e300) },
);

function binaryWild(dtypes: DType[]): fc.Arbitrary<readonly [unknown, unknown]> {
  return fc.tuple(shapeArb({ maxRank: 4 }), fc.constantFrom(...dtypes), fc.boolean()).chain(([shape, dtype, swap]) => {
    const a = fc.oneof(
      { weight: 8, arbitrary: wildTensor(fc.constant(shape), { dtypes: [dtype, dtype, dtype, 'float32', 'int32'] }) },
      { weight: 2, arbitrary: numberOperand },
    );
    const b = fc.oneof(
      { weight: 8, arbitrary: wildTensor(partnerShape(shape).chain(nearShape), { dtypes: [dtype, dtype, dtype, 'float64', 'int32'] }) },
      { weight: 2, arbitrary: numberOperand },
      { weight: 1, arbitrary: junkArb },
    );
    return fc.tuple(a, b).map(([x, y]) => (swap ? ([y, x] as const) : ([x, y] as const)));
  });
}

function binaryValid(dtypes: DType[], pa: Profile[], pb: Profile[]): fc.Arbitrary<readonly [unknown, unknown]> {
  return fc.tuple(shapeArb({ maxRank: 4 }), fc.constantFrom(...dtypes), fc.nat(5)).chain(([shape, dtype, form]): fc.Arbitrary<readonly [unknown, unknown]> => {
    const ints = dtype === 'int32';
    const a = tensorOf(shape, { dtypes: [dtype], profiles: ints ? ['int'] : pa });
    const b = tensorOf(partnerShape(shape), { dtypes: [dtype], profiles: ints ? ['int'] : pb });
    // a number operand drawn from the same domain: a one-element draw of the profile
    const num = (profiles: Profile[]) => tensorOf([], { dtypes: [ints ? 'int32' : 'float64'], profiles: ints ? ['int'] : profiles }).map((t) => t.data[0]!);
    if (form === 0) return fc.tuple(a, num(pb));
    if (form === 1) return fc.tuple(num(pa), b);
    return form === 2 ? fc.tuple(b, a).map(([y, x]) => [x, y] as const) : fc.tuple(a, b);
  });
}

/** The binary ops' rules and reference: numbers take the dtype of the tensor operand. */
function binaryVerdict(a: unknown, b: unknown, f: (x: number, y: number) => number, floatOnly: boolean): Verdict {
  for (const [v, name] of [[a, 'a'], [b, 'b']] as const) {
    if (!(v instanceof Tensor) && typeof v !== 'number') return reject(`${name}: neither a Tensor nor a number`);
    if (floatOnly && v instanceof Tensor && v.dtype === 'int32') return reject(`${name}: int32`);
  }
  const like: DType = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : 'float32';
  const operand = (v: unknown): RefArray | string => {
    if (v instanceof Tensor) return ref(v);
    const x = v as number;
    if (like === 'int32' && (!Number.isInteger(x) || x < -2147483648 || x > 2147483647)) return `${x} is not an int32 value`;
    return { data: Float64Array.of(like === 'float32' ? Math.fround(x) : x), shape: [] };
  };
  const ra = operand(a);
  const rb = operand(b);
  if (typeof ra === 'string') return reject(ra);
  if (typeof rb === 'string') return reject(rb);
  if (a instanceof Tensor && b instanceof Tensor && a.dtype !== b.dtype) return reject('dtype mix');
  const shape = broadcastShape(ra.shape, rb.shape);
  if (shape === null) return reject(`shapes [${ra.shape}] and [${rb.shape}] do not broadcast`);
  const size = sizeProblem(shape);
  if (size !== null) return reject(size);
  const r = refBroadcast(ra, rb, f);
  return expected(like === 'int32' ? { data: Float64Array.from(Int32Array.from(r.data)), shape: r.shape } : r, like);
}

interface BinarySpec {
  name: string;
  fn: Binary;
  f: (x: number, y: number) => number;
  floatOnly: boolean;
  domains: [Profile[], Profile[]];
  nanFree: (a: number[], b: number[]) => boolean;
}

function binaryTarget(s: BinarySpec): FuzzTarget<readonly [unknown, unknown]> {
  const dtypes: DType[] = s.floatOnly ? ['float32', 'float64'] : ['float32', 'float64', 'int32'];
  return {
    name: s.name,
    fn: s.fn,
    wild: binaryWild(s.floatOnly ? ['float32', 'float64', 'int32'] : dtypes),
    valid: binaryValid(dtypes, s.domains[0], s.domains[1]),
    expect: ([a, b]) => binaryVerdict(a, b, s.f, s.floatOnly),
    // the values as the op sees them: a number operand is rounded to the tensor's dtype first
    finite: ([a, b]) => {
      const like = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : 'float32';
      const seen = (v: unknown) => numbersOf(v).map((x) => (like === 'float32' ? Math.fround(x) : x));
      const [va, vb] = [seen(a), seen(b)];
      // (1e300 given with a float32 tensor is Infinity by the time the op sees it)
      return [...va, ...vb].every(Number.isFinite) && s.nanFree(va, vb);
    },
  };
}

const anyProfiles: Profile[] = ['unit', 'int', 'extreme'];
const binaryTargets = [
  binaryTarget({ name: 'add', fn: add, f: (x, y) => x + y, floatOnly: false, domains: [anyProfiles, anyProfiles], nanFree: always }),
  binaryTarget({ name: 'sub', fn: sub, f: (x, y) => x - y, floatOnly: false, domains: [anyProfiles, anyProfiles], nanFree: always }),
  binaryTarget({ name: 'mul', fn: mul, f: (x, y) => x * y, floatOnly: false, domains: [anyProfiles, anyProfiles], nanFree: always }),
  binaryTarget({ name: 'div', fn: div, f: (x, y) => x / y, floatOnly: true, domains: [['unit', 'int'], ['nonzero']], nanFree: (_, b) => b.every((v) => v !== 0) }),
  binaryTarget({
    name: 'pow',
    fn: pow,
    f: Math.pow,
    floatOnly: true,
    domains: [['positive'], ['unit', 'int']],
    nanFree: (a, b) => a.every((v) => v >= 0) || b.every(Number.isInteger),
  }),
  binaryTarget({ name: 'maximum', fn: maximum, f: (x, y) => (x >= y || Number.isNaN(x) ? x : y), floatOnly: true, domains: [anyProfiles, anyProfiles], nanFree: always }),
  binaryTarget({ name: 'minimum', fn: minimum, f: (x, y) => (x <= y || Number.isNaN(x) ? x : y), floatOnly: true, domains: [anyProfiles, anyProfiles], nanFree: always }),
];

// ---------------------------------------------------------------------------------------------------
// cast(x, dtype)

const castTarget: FuzzTarget<readonly [unknown, unknown]> = {
  name: 'cast',
  fn: cast,
  wild: fc.tuple(
    wildTensor(shapeArb(), { profiles: ['unit', 'int', 'extreme', 'wide', 'special'] }),
    fc.oneof({ weight: 8, arbitrary: fc.constantFrom<unknown>(...DTYPES) }, { weight: 1, arbitrary: fc.constantFrom<unknown>('int8', 'float16', undefined, null, 32) }),
  ),
  // float → float (differentiable), int32 → float; float → int32 is in the wild half (it has no gradient)
  valid: fc.oneof(
    fc.tuple(tensorOf(shapeArb(), { profiles: ['unit', 'extreme'] }), floatDTypeArb),
    fc.tuple(tensorOf(shapeArb(), { dtypes: ['int32'], profiles: ['int', 'extreme'] }), floatDTypeArb),
  ),
  expect([x, dtype]) {
    if (!(x instanceof Tensor)) return reject('x: not a Tensor');
    if (typeof dtype !== 'string' || !DTYPES.includes(dtype as DType)) return reject(`unknown dtype ${String(dtype)}`);
    if (dtype === x.dtype) return { data: x.data, shape: x.shape, dtype: x.dtype, identity: x };
    if (dtype === 'int32') {
      if (!Array.from(x.data).every((v) => v > -2147483649 && v < 2147483648)) return reject('values outside the int32 range');
      return expected(refMap(ref(x), Math.trunc), 'int32');
    }
    return expected(ref(x), dtype as DType);
  },
  finite: always,
};

export const elementwiseTargets = [...unaryTargets, ...binaryTargets, castTarget].map((t) => target(t as FuzzTarget<readonly unknown[]>));
