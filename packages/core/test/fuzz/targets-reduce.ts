import fc from 'fast-check';
import { Tensor, argmax, logSoftmax, max, mean, softmax, softmaxCrossEntropy, sum } from '@tapegrad/core';
import { refMax, refReduce, refSoftmax, refSum, unravel } from '../op-table/helpers.js';
import type { RefArray } from '../op-table/types.js';
import { type FuzzTarget, type Verdict, isReject, reject, target } from './harness.js';
import { absRef, expected, normAxes, normAxis, ref, tensorProblem } from './rules.js';
import { type Profile, axisArb, dimArb, floatDTypeArb, junkArb, nearShape, shapeArb, tensorOf, wildTensor } from './values.js';

/*
 * Reductions (sum, mean, max, argmax), the softmax composites and the fused softmax cross-entropy.
 * Axis rules: a number or a list of distinct axes in [-ndim, ndim) (a 0-d tensor takes 0 and -1, which
 * reduce nothing); max and argmax refuse to reduce an empty extent.
 */

const always = () => true;
const anyProfiles: Profile[] = ['unit', 'int', 'extreme'];

const keepdimsArb = fc.oneof({ weight: 6, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constant(undefined) });

/** x, a valid axis argument for its rank, keepdims. */
function validReduceArgs(profiles: Profile[], nonEmpty: boolean): fc.Arbitrary<readonly [Tensor, unknown, boolean | undefined]> {
  return fc
    .tuple(shapeArb({ zeros: !nonEmpty }), floatDTypeArb)
    .chain(([s, dtype]) => {
      const n = Math.max(s.length, 1);
      const axes = fc.oneof(
        fc.constant(undefined),
        fc.integer({ min: -n, max: n - 1 }),
        fc.shuffledSubarray([...Array(s.length).keys()]).map((a) => a.map((x, i) => (i % 2 === 1 ? x - s.length : x))),
      );
      return fc.tuple(tensorOf(s, { dtypes: [dtype], profiles }), axes, keepdimsArb);
    });
}

const wildReduceArgs = fc.tuple(wildTensor(shapeArb(), { profiles: ['unit', 'int', 'extreme', 'special'] }), axisArb(), fc.oneof(keepdimsArb, junkArb));

/** The reduced axes of x, or why they are refused. */
function reduceAxes(x: unknown, axis: unknown): { x: Tensor; axes: number[] } | string {
  const p = tensorProblem(x);
  if (p !== null) return `x: ${p}`;
  const t = x as Tensor;
  const axes = normAxes(axis, t.ndim);
  return isReject(axes) ? axes.reject : { x: t, axes };
}

const extent = (x: Tensor, axes: number[]) => axes.reduce((p, a) => p * x.shape[a]!, 1);

const sumTarget: FuzzTarget<readonly [unknown, unknown, unknown]> = {
  name: 'sum',
  fn: sum,
  wild: wildReduceArgs,
  valid: validReduceArgs(anyProfiles, false),
  expect([x, axis, keepdims]) {
    const r = reduceAxes(x, axis);
    if (typeof r === 'string') return reject(r);
    return expected(refSum(ref(r.x), r.axes, Boolean(keepdims)), r.x.dtype, refSum(absRef(r.x), r.axes, Boolean(keepdims)));
  },
  finite: always,
};

const meanTarget: FuzzTarget<readonly [unknown, unknown, unknown]> = {
  name: 'mean',
  fn: mean,
  wild: wildReduceArgs,
  valid: validReduceArgs(anyProfiles, false),
  expect([x, axis, keepdims]) {
    const r = reduceAxes(x, axis);
    if (typeof r === 'string') return reject(r);
    const count = extent(r.x, r.axes);
    const scaled = (a: RefArray): RefArray => ({ data: a.data.map((v) => v / count), shape: a.shape });
    return expected(scaled(refSum(ref(r.x), r.axes, Boolean(keepdims))), r.x.dtype, scaled(refSum(absRef(r.x), r.axes, Boolean(keepdims))));
  },
  // the mean of nothing is 0/0
  finite: ([x, axis]) => {
    const r = reduceAxes(x, axis);
    return typeof r !== 'string' && extent(r.x, r.axes) > 0;
  },
};

const maxTarget: FuzzTarget<readonly [unknown, unknown, unknown]> = {
  name: 'max',
  fn: max,
  wild: wildReduceArgs,
  valid: validReduceArgs(['distinct', 'unit', 'int'], true),
  expect([x, axis, keepdims]) {
    const r = reduceAxes(x, axis);
    if (typeof r === 'string') return reject(r);
    if (extent(r.x, r.axes) === 0) return reject('a maximum over an empty extent');
    return expected(refMax(ref(r.x), r.axes, Boolean(keepdims)), r.x.dtype);
  },
  finite: always,
};

/** The index (along the axis, or flat) of the first maximum, NaN winning. */
function refArgmax(x: RefArray, axes: number[], flat: boolean, keepdims: boolean): RefArray {
  const best = refMax(x, axes, true);
  const found = new Uint8Array(best.data.length);
  return refReduce(x, axes, keepdims, -1, (acc, v, i, o) => {
    const b = best.data[o]!;
    if (found[o] || !(v === b || (Number.isNaN(v) && Number.isNaN(b)))) return acc;
    found[o] = 1;
    return flat ? i : unravel(i, x.shape)[axes[0]!]!;
  });
}

const argmaxTarget: FuzzTarget<readonly [unknown, unknown, unknown]> = {
  name: 'argmax',
  fn: argmax,
  wild: fc.tuple(wildTensor(shapeArb(), { profiles: ['unit', 'int', 'special'] }), axisArb(2), fc.oneof(keepdimsArb, junkArb)),
  valid: fc.tuple(shapeArb({ zeros: false }), floatDTypeArb).chain(([s, dtype]) =>
    fc.tuple(
      tensorOf(s, { dtypes: [dtype], profiles: ['unit', 'int'] }),
      fc.oneof(fc.constant(undefined), fc.integer({ min: -Math.max(s.length, 1), max: Math.max(s.length, 1) - 1 })),
      keepdimsArb,
    ),
  ),
  expect([x, axis, keepdims]) {
    const p = tensorProblem(x);
    if (p !== null) return reject(`x: ${p}`);
    const t = x as Tensor;
    if (axis !== undefined && (typeof axis !== 'number' || normAxis(axis, t.ndim) === null)) return reject(`axis ${String(axis)}`);
    if (t.ndim === 0) return expected({ data: Float64Array.of(0), shape: [] }, 'int32');
    const axes = axis === undefined ? [...t.shape.keys()] : [normAxis(axis, t.ndim)!];
    if (extent(t, axes) === 0) return reject('an argmax over an empty extent');
    return expected(refArgmax(ref(t), axes, axis === undefined, Boolean(keepdims)), 'int32');
  },
  backward: false,
};

// ---------------------------------------------------------------------------------------------------
// softmax, logSoftmax

function softmaxTarget(name: 'softmax' | 'logSoftmax', fn: (x: Tensor, axis?: number) => Tensor): FuzzTarget<readonly [unknown, unknown]> {
  return {
    name,
    fn,
    wild: fc.tuple(wildTensor(shapeArb(), { profiles: ['unit', 'int', 'extreme', 'wide', 'special'] }), fc.oneof(fc.constant(undefined), axisArb(0))),
    valid: fc.tuple(shapeArb({ minRank: 1 }), floatDTypeArb).chain(([s, dtype]) =>
      fc.tuple(tensorOf(s, { dtypes: [dtype], profiles: ['unit', 'int', 'extreme'] }), fc.oneof(fc.constant(undefined), fc.integer({ min: -s.length, max: s.length - 1 }))),
    ),
    expect([x, axis]) {
      const p = tensorProblem(x);
      if (p !== null) return reject(`x: ${p}`);
      const t = x as Tensor;
      if (t.ndim === 0) return reject('0-d x');
      const a = normAxis(axis === undefined ? -1 : axis, t.ndim);
      if (a === null) return reject(`axis ${String(axis)}`);
      return expected(refSoftmax(ref(t), a, name === 'logSoftmax'), t.dtype);
    },
    finite: always,
  };
}

// ---------------------------------------------------------------------------------------------------
// softmaxCrossEntropy(logits, labels)

type LabelForm = 'array' | 'int32array' | 'int32tensor' | 'onehot' | 'soft';

/** −Σ_c t·(z − lse) per row, averaged; the scale is the same with |terms|. */
function refXent(logits: RefArray, target: RefArray): { value: number; scale: number } {
  const [n, c] = logits.shape as [number, number];
  let total = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, logits.data[i * c + j]!);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(logits.data[i * c + j]! - m);
    for (let j = 0; j < c; j++) {
      const t = target.data[i * c + j]!;
      if (t === 0) continue;
      const term = -t * (logits.data[i * c + j]! - m - Math.log(s));
      total += term;
      scale += Math.abs(term);
    }
  }
  return { value: total / n, scale: scale / n };
}

function labelsArb(n: number, c: number, form: LabelForm, dtype: 'float32' | 'float64', wild: boolean): fc.Arbitrary<unknown> {
  const index = wild ? fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: Math.max(c - 1, 0) }) }, { weight: 1, arbitrary: fc.constantFrom(-1, c, 0.5, NaN) }) : fc.integer({ min: 0, max: c - 1 });
  const count = wild ? fc.oneof({ weight: 8, arbitrary: fc.constant(n) }, { weight: 1, arbitrary: fc.nat(n + 1) }) : fc.constant(n);
  const indices = count.chain((k) => fc.array(index, { minLength: k, maxLength: k }));
  switch (form) {
    case 'array':
      return indices;
    case 'int32array':
      return indices.map((a) => Int32Array.from(a));
    case 'int32tensor':
      return indices.map((a) => new Tensor(Int32Array.from(a), [a.length], 'int32'));
    case 'onehot':
      return indices.map((a) => {
        const data = dtype === 'float32' ? new Float32Array(n * c) : new Float64Array(n * c);
        a.forEach((k, i) => i < n && k >= 0 && k < c && Number.isInteger(k) && (data[i * c + k] = 1));
        return new Tensor(data, [n, c], dtype);
      });
    case 'soft':
      return tensorOf(wild ? nearShape([n, c]) : [n, c], { dtypes: wild ? [dtype, dtype, 'float64', 'float32'] : [dtype], profiles: ['unit', 'positive'] });
  }
}

const labelFormArb = fc.constantFrom<LabelForm>('array', 'int32array', 'int32tensor', 'onehot', 'soft');

function xentVerdict(logits: unknown, labels: unknown): Verdict {
  const p = tensorProblem(logits);
  if (p !== null) return reject(`logits: ${p}`);
  const z = logits as Tensor;
  if (z.ndim !== 2 || z.shape[0] === 0 || z.shape[1] === 0) return reject('logits must be (N,C) with N, C ≥ 1');
  const [n, c] = z.shape as [number, number];
  let target: RefArray;
  if (Array.isArray(labels) || labels instanceof Int32Array || (labels instanceof Tensor && labels.dtype === 'int32')) {
    if (labels instanceof Tensor && labels.ndim !== 1) return reject('int32 labels must be 1-D');
    const list = Array.from(labels instanceof Tensor ? labels.data : (labels as ArrayLike<unknown>)) as unknown[];
    if (list.length !== n) return reject(`${list.length} labels for ${n} rows`);
    if (!list.every((k) => Number.isInteger(k) && (k as number) >= 0 && (k as number) < c)) return reject('a label out of [0, C)');
    const data = new Float64Array(n * c);
    list.forEach((k, i) => (data[i * c + (k as number)] = 1));
    target = { data, shape: [n, c] };
  } else if (labels instanceof Tensor) {
    if (labels.dtype !== z.dtype) return reject('target dtype mix');
    if (labels.ndim !== 2 || labels.shape[0] !== n || labels.shape[1] !== c) return reject('target shape');
    target = ref(labels);
  } else {
    return reject('labels of an unknown form');
  }
  const r = refXent(ref(z), target);
  return { data: [r.value], shape: [], dtype: z.dtype, scale: [r.scale] };
}

const xentTarget: FuzzTarget<readonly [unknown, unknown]> = {
  name: 'softmaxCrossEntropy',
  fn: softmaxCrossEntropy,
  wild: fc.tuple(dimArb, dimArb, floatDTypeArb, labelFormArb).chain(([n, c, dtype, form]) =>
    fc.tuple(
      wildTensor(nearShape([n, c]), { dtypes: [dtype, dtype, 'float64', 'int32'], profiles: ['unit', 'int', 'extreme', 'wide', 'special'] }),
      fc.oneof({ weight: 8, arbitrary: labelsArb(n, c, form, dtype, true) }, { weight: 1, arbitrary: junkArb }),
    ),
  ),
  valid: fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), floatDTypeArb, labelFormArb)
    .chain(([n, c, dtype, form]) => fc.tuple(tensorOf([n, c], { dtypes: [dtype], profiles: ['unit', 'int', 'extreme'] }), labelsArb(n, c, form, dtype, false))),
  expect: ([logits, labels]) => xentVerdict(logits, labels),
  finite: always,
};

export const reduceTargets = [sumTarget, meanTarget, maxTarget, argmaxTarget, softmaxTarget('softmax', softmax), softmaxTarget('logSoftmax', logSoftmax), xentTarget].map((t) =>
  target(t as FuzzTarget<readonly unknown[]>),
);
