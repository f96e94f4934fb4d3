import fc from 'fast-check';
import {
  type DType,
  Tensor,
  affine,
  broadcastTo,
  flatten,
  fullLike,
  gatherFlat,
  linear,
  matmul,
  onesLike,
  permute,
  reshape,
  scatterAddFlat,
  sumTo,
  transpose,
  zerosLike,
} from '@tapegrad/core';
import { broadcastIndex, refMatmul, refPermute, unravel } from '../op-table/helpers.js';
import type { RefArray } from '../op-table/types.js';
import { type FuzzTarget, type Verdict, reject, target } from './harness.js';
import { MAX_ELEMENTS, absRef, broadcastsTo, expected, isInt, ref, shapeProblem, sizeOf, tensorProblem } from './rules.js';
import { type Profile, dimArb, floatDTypeArb, junkArb, nearShape, orJunk, shapeArb, tensorOf, wildTensor } from './values.js';

/*
 * Layout and linear-algebra ops: matmul, affine, transpose, permute, reshape, flatten, broadcastTo,
 * sumTo, the flat gather / scatter-add pair, and the *Like constants.
 */

const always = () => true;
const moderate: Profile[] = ['unit', 'int', 'extreme'];

// ---------------------------------------------------------------------------------------------------
// matmul(a, b)

const matmulTarget: FuzzTarget<readonly [unknown, unknown]> = {
  name: 'matmul',
  fn: matmul,
  wild: fc.tuple(dimArb, dimArb, dimArb, fc.constantFrom<DType>('float32', 'float64')).chain(([m, k, n]) =>
    fc.tuple(wildTensor(nearShape([m, k]), { profiles: moderate }), wildTensor(nearShape([k, n]), { profiles: moderate })),
  ),
  valid: fc
    .tuple(dimArb, dimArb, dimArb, floatDTypeArb)
    .chain(([m, k, n, dtype]) => fc.tuple(tensorOf([m, k], { dtypes: [dtype], profiles: moderate }), tensorOf([k, n], { dtypes: [dtype], profiles: moderate }))),
  expect([a, b]) {
    const p = tensorProblem(a) ?? tensorProblem(b);
    if (p !== null) return reject(p);
    const [x, y] = [a as Tensor, b as Tensor];
    if (x.ndim !== 2 || y.ndim !== 2) return reject('operands must be 2-D');
    if (x.dtype !== y.dtype) return reject('dtype mix');
    if (x.shape[1] !== y.shape[0]) return reject('inner dimensions differ');
    return expected(refMatmul(ref(x), ref(y)), x.dtype, refMatmul(absRef(x), absRef(y)));
  },
  finite: always,
};

// ---------------------------------------------------------------------------------------------------
// affine(x, w, b?)

/** x seen as (N, features) times w, plus b on every row. */
function refAffine(x: RefArray, w: RefArray, b: RefArray | undefined): RefArray {
  const y = refMatmul({ data: x.data, shape: [x.shape[0]!, sizeOf(x.shape.slice(1))] }, w);
  if (b !== undefined) y.data.forEach((v, i) => (y.data[i] = v + b.data[i % b.data.length]!));
  return y;
}

const affineTarget: FuzzTarget<readonly [unknown, unknown, unknown]> = {
  name: 'affine',
  fn: affine,
  wild: fc.tuple(shapeArb({ minRank: 1, maxRank: 4 }), dimArb).chain(([xs, out]) => {
    const features = sizeOf(xs.slice(1));
    return fc.tuple(
      wildTensor(nearShape(xs), { profiles: moderate }),
      wildTensor(nearShape([features, out]), { profiles: moderate }),
      fc.oneof(fc.constant(undefined), wildTensor(nearShape([out]), { profiles: moderate })),
    );
  }),
  valid: fc.tuple(shapeArb({ minRank: 2, maxRank: 4 }), dimArb, floatDTypeArb, fc.boolean()).chain(([xs, out, dtype, bias]) =>
    fc.tuple(
      tensorOf(xs, { dtypes: [dtype], profiles: moderate }),
      tensorOf([sizeOf(xs.slice(1)), out], { dtypes: [dtype], profiles: moderate }),
      bias ? tensorOf([out], { dtypes: [dtype], profiles: moderate }) : fc.constant(undefined),
    ),
  ),
  expect([x, w, b]) {
    const p = tensorProblem(x) ?? tensorProblem(w) ?? (b === undefined ? null : tensorProblem(b));
    if (p !== null) return reject(p);
    const [tx, tw, tb] = [x as Tensor, w as Tensor, b as Tensor | undefined];
    if (tx.ndim < 2) return reject('x must be at least 2-D');
    if (tw.ndim !== 2 || tw.shape[0] !== sizeOf(tx.shape.slice(1))) return reject('w does not match x');
    if (tb !== undefined && (tb.ndim !== 1 || tb.shape[0] !== tw.shape[1])) return reject('b does not match w');
    if (tw.dtype !== tx.dtype || (tb !== undefined && tb.dtype !== tx.dtype)) return reject('dtype mix');
    const abs = tb === undefined ? undefined : absRef(tb);
    return expected(refAffine(ref(tx), ref(tw), tb && ref(tb)), tx.dtype, refAffine(absRef(tx), absRef(tw), abs));
  },
  finite: always,
};

// ---------------------------------------------------------------------------------------------------
// linear(x, w, b?): x (m, in) · wᵀ with w (out, in), plus b on every row

/** x times w transposed, plus b on every row. */
function refLinear(x: RefArray, w: RefArray, b: RefArray | undefined): RefArray {
  const [o, i] = w.shape as [number, number];
  const wt = new Float64Array(o * i);
  for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) wt[c * o + r] = w.data[r * i + c]!;
  const y = refMatmul(x, { data: wt, shape: [i, o] });
  if (b !== undefined) y.data.forEach((v, k) => (y.data[k] = v + b.data[k % b.data.length]!));
  return y;
}

const linearTarget: FuzzTarget<readonly [unknown, unknown, unknown]> = {
  name: 'linear',
  fn: linear,
  wild: fc.tuple(dimArb, dimArb, dimArb).chain(([m, inF, out]) =>
    fc.tuple(
      wildTensor(nearShape([m, inF]), { profiles: moderate }),
      wildTensor(nearShape([out, inF]), { profiles: moderate }),
      fc.oneof(fc.constant(undefined), wildTensor(nearShape([out]), { profiles: moderate })),
    ),
  ),
  valid: fc.tuple(dimArb, dimArb, dimArb, floatDTypeArb, fc.boolean()).chain(([m, inF, out, dtype, bias]) =>
    fc.tuple(
      tensorOf([m, inF], { dtypes: [dtype], profiles: moderate }),
      tensorOf([out, inF], { dtypes: [dtype], profiles: moderate }),
      bias ? tensorOf([out], { dtypes: [dtype], profiles: moderate }) : fc.constant(undefined),
    ),
  ),
  expect([x, w, b]) {
    // like conv2d's, a null bias means none
    const noBias = b === undefined || b === null;
    const p = tensorProblem(x) ?? tensorProblem(w) ?? (noBias ? null : tensorProblem(b));
    if (p !== null) return reject(p);
    const [tx, tw, tb] = [x as Tensor, w as Tensor, noBias ? undefined : (b as Tensor)];
    if (tx.ndim !== 2) return reject('x must be 2-D');
    if (tw.ndim !== 2 || tw.shape[1] !== tx.shape[1]) return reject('w does not match x');
    if (tw.dtype !== tx.dtype) return reject('dtype mix');
    if (tb !== undefined && (tb.ndim !== 1 || tb.shape[0] !== tw.shape[0])) return reject('b does not match w');
    if (tb !== undefined && tb.dtype !== tx.dtype) return reject('dtype mix');
    const abs = tb === undefined ? undefined : absRef(tb);
    return expected(refLinear(ref(tx), ref(tw), tb && ref(tb)), tx.dtype, refLinear(absRef(tx), absRef(tw), abs));
  },
  finite: always,
};

// ---------------------------------------------------------------------------------------------------
// permute, transpose

/** A permutation of 0..n-1, sometimes with a negative axis; or a broken one (repeats, out of range, wrong length). */
function axesArb(ndim: number): fc.Arbitrary<unknown> {
  const perm = fc.shuffledSubarray([...Array(ndim).keys()], { minLength: ndim, maxLength: ndim });
  const withNegative = perm.chain((p) => fc.nat(Math.max(ndim - 1, 0)).map((i) => (ndim === 0 ? p : p.map((a, j) => (j === i ? a - ndim : a)))));
  const broken = fc.array(fc.integer({ min: -ndim - 1, max: ndim }), { maxLength: ndim + 1 });
  return fc.oneof({ weight: 4, arbitrary: perm }, { weight: 2, arbitrary: withNegative }, { weight: 2, arbitrary: broken }, { weight: 1, arbitrary: orJunk(fc.constant([0.5]), 1) });
}

/** The normalized permutation, or null. */
function permutation(axes: unknown, ndim: number): number[] | null {
  if (!Array.isArray(axes) || axes.length !== ndim) return null;
  const out = axes.map((a) => (isInt(a) && a >= -ndim && a < ndim ? (a < 0 ? a + ndim : a) : -1));
  return out.every((a, i) => a >= 0 && out.indexOf(a) === i) ? out : null;
}

const permuteTarget: FuzzTarget<readonly [unknown, unknown]> = {
  name: 'permute',
  fn: permute,
  wild: fc.tuple(shapeArb()).chain(([s]) => fc.tuple(wildTensor(fc.constant(s)), axesArb(s.length))),
  valid: shapeArb().chain((s) =>
    fc.tuple(tensorOf(s, { profiles: moderate }), fc.shuffledSubarray([...Array(s.length).keys()], { minLength: s.length, maxLength: s.length })),
  ),
  expect([x, axes]) {
    if (!(x instanceof Tensor)) return reject('x: not a Tensor');
    const perm = permutation(axes, x.ndim);
    if (perm === null) return reject(`axes ${String(axes)} are not a permutation`);
    return expected(refPermute(ref(x), perm), x.dtype);
  },
  finite: always,
};

const transposeTarget: FuzzTarget<readonly [unknown, unknown]> = {
  name: 'transpose',
  errorOps: ['permute'],
  fn: transpose,
  wild: fc.tuple(shapeArb()).chain(([s]) => fc.tuple(wildTensor(fc.constant(s)), fc.oneof(fc.constant(undefined), axesArb(s.length)))),
  valid: shapeArb().chain((s) => fc.tuple(tensorOf(s, { profiles: moderate }), fc.constant(undefined))),
  expect([x, axes]) {
    if (!(x instanceof Tensor)) return reject('x: not a Tensor');
    // null, like undefined, means "reverse the axes"
    const perm = axes === undefined || axes === null ? [...Array(x.ndim).keys()].reverse() : permutation(axes, x.ndim);
    if (perm === null) return reject(`axes ${String(axes)} are not a permutation`);
    return expected(refPermute(ref(x), perm), x.dtype);
  },
  finite: always,
};

// ---------------------------------------------------------------------------------------------------
// reshape, flatten, broadcastTo, sumTo

/** A target shape for x of `shape`: a reordering of its factors, maybe with a -1, or a broken one. */
function reshapeArgArb(shape: readonly number[]): fc.Arbitrary<unknown> {
  const size = sizeOf(shape);
  const factored = fc.shuffledSubarray([...shape, 1], { minLength: 0, maxLength: shape.length + 1 }).map((dims) => {
    const rest = size / Math.max(sizeOf(dims), 1);
    return Number.isInteger(rest) && sizeOf(dims) !== 0 ? [...dims, rest] : [size];
  });
  const inferred = factored.chain((dims) => fc.nat(Math.max(dims.length - 1, 0)).map((i) => dims.map((d, j) => (j === i ? -1 : d))));
  const broken = fc.constantFrom<unknown>([-1, -1], [size + 1], [2.5, 2], [-2, size], [0, -1], [1e300, 0], [2 ** 31, 0], 5, null, 'ab', new Int32Array([size]));
  return fc.oneof({ weight: 4, arbitrary: factored }, { weight: 3, arbitrary: inferred }, { weight: 2, arbitrary: nearShape(shape) }, { weight: 2, arbitrary: broken });
}

const reshapeTarget: FuzzTarget<readonly [unknown, unknown]> = {
  name: 'reshape',
  fn: reshape,
  wild: shapeArb().chain((s) => fc.tuple(wildTensor(fc.constant(s)), reshapeArgArb(s))),
  valid: shapeArb().chain((s) => fc.tuple(tensorOf(s, { profiles: moderate }), reshapeArgArb(s))).filter(([x, s]) => !('reject' in reshapeVerdict(x, s))),
  expect: ([x, shape]) => reshapeVerdict(x, shape),
  finite: always,
};

function reshapeVerdict(x: unknown, shape: unknown): Verdict {
  if (!(x instanceof Tensor)) return reject('x: not a Tensor');
  if (!Array.isArray(shape)) return reject('shape is not an array');
  if (!shape.every((d) => isInt(d) && d >= -1 && d <= MAX_ELEMENTS)) return reject('shape entries must be integers ≥ -1');
  const dims = shape as number[];
  if (dims.filter((d) => d === -1).length > 1) return reject('two -1 entries');
  const known = sizeOf(dims.filter((d) => d !== -1));
  const out = dims.includes(-1) ? (known === 0 || x.size % known !== 0 ? null : dims.map((d) => (d === -1 ? x.size / known : d))) : dims;
  if (out === null || sizeOf(out) !== x.size) return reject('size does not match');
  return expected({ data: ref(x).data, shape: out }, x.dtype);
}

const flattenTarget: FuzzTarget<readonly [unknown]> = {
  name: 'flatten',
  errorOps: ['reshape'],
  fn: flatten,
  wild: fc.tuple(wildTensor(shapeArb())),
  valid: fc.tuple(tensorOf(shapeArb({ minRank: 1 }), { profiles: moderate })),
  expect([x]) {
    if (!(x instanceof Tensor)) return reject('x: not a Tensor');
    if (x.ndim < 1) return reject('0-d x');
    return expected({ data: ref(x).data, shape: [x.shape[0]!, sizeOf(x.shape.slice(1))] }, x.dtype);
  },
  finite: always,
};

/** A shape `shape` broadcasts to: extra leading dims, some 1s expanded. */
function broadcastTargetShape(shape: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(fc.array(dimArb, { maxLength: 5 - Math.min(shape.length, 5) }), fc.array(dimArb, { minLength: shape.length, maxLength: shape.length }))
    .map(([lead, fill]) => [...lead, ...shape.map((d, i) => (d === 1 ? fill[i]! : d))]);
}

const shapeJunk = fc.constantFrom<unknown>([1e6, 1e6], [2 ** 31], [-1, 2], [1.5], 3, null, 'ab', new Int32Array([2]));

const broadcastToTarget: FuzzTarget<readonly [unknown, unknown]> = {
  name: 'broadcastTo',
  fn: broadcastTo,
  wild: shapeArb({ maxRank: 4 }).chain((s) =>
    fc.tuple(wildTensor(fc.constant(s)), fc.oneof({ weight: 6, arbitrary: broadcastTargetShape(s).chain(nearShape) }, { weight: 1, arbitrary: shapeJunk })),
  ),
  valid: shapeArb({ maxRank: 4 }).chain((s) => fc.tuple(tensorOf(s, { profiles: moderate }), broadcastTargetShape(s))),
  expect([x, shape]) {
    if (!(x instanceof Tensor)) return reject('x: not a Tensor');
    const p = shapeProblem(shape);
    if (p !== null) return reject(p);
    const to = shape as number[];
    if (!broadcastsTo(x.shape, to)) return reject(`[${x.shape}] does not broadcast to [${to}]`);
    const data = new Float64Array(sizeOf(to));
    for (let o = 0; o < data.length; o++) data[o] = x.data[broadcastIndex(unravel(o, to), x.shape)]!;
    return expected({ data, shape: to }, x.dtype);
  },
  finite: always,
};

/** Σ of g over the positions that broadcast to each element of `shape`. */
function refSumTo(g: RefArray, shape: readonly number[]): RefArray {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < g.data.length; i++) data[broadcastIndex(unravel(i, g.shape), shape)]! += g.data[i]!;
  return { data, shape: [...shape] };
}

const sumToTarget: FuzzTarget<readonly [unknown, unknown]> = {
  name: 'sumTo',
  fn: sumTo,
  wild: shapeArb({ maxRank: 4 }).chain((s) =>
    fc.tuple(wildTensor(broadcastTargetShape(s).chain(nearShape), { profiles: moderate }), fc.oneof({ weight: 6, arbitrary: fc.constant(s) }, { weight: 1, arbitrary: shapeJunk })),
  ),
  valid: shapeArb({ maxRank: 4 }).chain((s) => fc.tuple(tensorOf(broadcastTargetShape(s), { profiles: moderate }), fc.constant(s))),
  expect([g, shape]) {
    const p = tensorProblem(g) ?? shapeProblem(shape);
    if (p !== null) return reject(p);
    const t = g as Tensor;
    if (!broadcastsTo(shape as number[], t.shape)) return reject(`[${String(shape)}] does not broadcast to g [${t.shape}]`);
    return expected(refSumTo(ref(t), shape as number[]), t.dtype, refSumTo(absRef(t), shape as number[]));
  },
  finite: always,
};

// ---------------------------------------------------------------------------------------------------
// gatherFlat, scatterAddFlat

/** Flat indices for `count` outputs into `limit` elements: mostly in [-1, limit), sometimes not. */
function indicesArb(count: number, limit: number): fc.Arbitrary<unknown> {
  const good = fc.array(fc.integer({ min: -1, max: Math.max(limit - 1, -1) }), { minLength: count, maxLength: count }).map((a) => Int32Array.from(a));
  const bad = fc.oneof(
    fc.array(fc.integer({ min: -3, max: limit + 2 }), { minLength: count, maxLength: count }).map((a) => Int32Array.from(a)),
    fc.array(fc.integer({ min: -1, max: Math.max(limit - 1, 0) }), { maxLength: count + 2 }).map((a) => Int32Array.from(a)),
    fc.constantFrom<unknown>([0], new Float32Array(count), null, 'ab'),
  );
  return fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: bad });
}

function indicesProblem(indices: unknown, count: number, limit: number): string | null {
  if (!(indices instanceof Int32Array)) return 'indices are not an Int32Array';
  if (indices.length !== count) return `${indices.length} indices, expected ${count}`;
  return indices.every((j) => j >= -1 && j < limit) ? null : 'an index out of [-1, limit)';
}

const gatherTarget: FuzzTarget<readonly [unknown, unknown, unknown]> = {
  name: 'gatherFlat',
  fn: gatherFlat,
  wild: fc.tuple(shapeArb({ maxRank: 3 }), shapeArb({ maxRank: 3 })).chain(([xs, os]) =>
    fc.tuple(wildTensor(fc.constant(xs)), indicesArb(sizeOf(os), sizeOf(xs)), fc.oneof({ weight: 6, arbitrary: fc.constant(os) }, { weight: 1, arbitrary: shapeJunk })),
  ),
  valid: fc.tuple(shapeArb({ maxRank: 3 }), shapeArb({ maxRank: 3 })).chain(([xs, os]) =>
    fc.tuple(
      tensorOf(xs, { profiles: moderate }),
      fc.array(fc.integer({ min: -1, max: sizeOf(xs) - 1 }), { minLength: sizeOf(os), maxLength: sizeOf(os) }).map((a) => Int32Array.from(a)),
      fc.constant(os),
    ),
  ),
  expect([x, indices, shape]) {
    if (!(x instanceof Tensor)) return reject('x: not a Tensor');
    const p = shapeProblem(shape) ?? indicesProblem(indices, sizeOf(shape as number[]), x.size);
    if (p !== null) return reject(p);
    const data = Array.from(indices as Int32Array, (j) => (j < 0 ? 0 : x.data[j]!));
    return expected({ data: Float64Array.from(data), shape: shape as number[] }, x.dtype);
  },
  finite: always,
};

const scatterTarget: FuzzTarget<readonly [unknown, unknown, unknown]> = {
  name: 'scatterAddFlat',
  fn: scatterAddFlat,
  wild: fc.tuple(shapeArb({ maxRank: 3 }), shapeArb({ maxRank: 3 })).chain(([gs, os]) =>
    fc.tuple(wildTensor(fc.constant(gs), { profiles: moderate }), indicesArb(sizeOf(gs), sizeOf(os)), fc.oneof({ weight: 6, arbitrary: fc.constant(os) }, { weight: 1, arbitrary: shapeJunk })),
  ),
  valid: fc.tuple(shapeArb({ maxRank: 3 }), shapeArb({ maxRank: 3 })).chain(([gs, os]) =>
    fc.tuple(
      tensorOf(gs, { profiles: moderate }),
      fc.array(fc.integer({ min: -1, max: sizeOf(os) - 1 }), { minLength: sizeOf(gs), maxLength: sizeOf(gs) }).map((a) => Int32Array.from(a)),
      fc.constant(os),
    ),
  ),
  expect([g, indices, shape]) {
    const p = tensorProblem(g) ?? shapeProblem(shape);
    if (p !== null) return reject(p);
    const t = g as Tensor;
    const q = indicesProblem(indices, t.size, sizeOf(shape as number[]));
    if (q !== null) return reject(q);
    const out = (abs: boolean) => {
      const data = new Float64Array(sizeOf(shape as number[]));
      (indices as Int32Array).forEach((j, i) => {
        if (j >= 0) data[j]! += abs ? Math.abs(t.data[i]!) : t.data[i]!;
      });
      return { data, shape: shape as number[] };
    };
    return expected(out(false), t.dtype, out(true));
  },
  finite: always,
};

// ---------------------------------------------------------------------------------------------------
// fullLike, onesLike, zerosLike

function likeVerdict(x: unknown, value: unknown): Verdict {
  if (!(x instanceof Tensor)) return reject('x: not a Tensor');
  if (typeof value !== 'number') return reject('value is not a number');
  if (x.dtype === 'int32' && (!Number.isInteger(value) || value < -2147483648 || value > 2147483647)) return reject(`${value} is not an int32 value`);
  return { data: new Float64Array(x.size).fill(value), shape: x.shape, dtype: x.dtype, requiresGrad: false };
}

const likeValueArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(0.5, NaN, Infinity, 1e12, -2147483648) },
  { weight: 1, arbitrary: junkArb },
);

const fullLikeTarget: FuzzTarget<readonly [unknown, unknown]> = {
  name: 'fullLike',
  fn: fullLike,
  wild: fc.tuple(wildTensor(shapeArb()), likeValueArb),
  valid: fc.tuple(tensorOf(shapeArb(), { dtypes: ['float32', 'float64', 'int32'] }), fc.integer({ min: -5, max: 5 })),
  expect: ([x, value]) => likeVerdict(x, value),
  backward: false,
};

const onesLikeTarget: FuzzTarget<readonly [unknown]> = {
  name: 'onesLike',
  fn: onesLike,
  wild: fc.tuple(orJunk(wildTensor(shapeArb()), 2)),
  valid: fc.tuple(tensorOf(shapeArb(), { dtypes: ['float32', 'float64', 'int32'] })),
  expect: ([x]) => likeVerdict(x, 1),
  backward: false,
};

const zerosLikeTarget: FuzzTarget<readonly [unknown]> = { ...onesLikeTarget, name: 'zerosLike', fn: zerosLike, expect: ([x]) => likeVerdict(x, 0) };

export const layoutTargets = [
  matmulTarget,
  affineTarget,
  linearTarget,
  permuteTarget,
  transposeTarget,
  reshapeTarget,
  flattenTarget,
  broadcastToTarget,
  sumToTarget,
  gatherTarget,
  scatterTarget,
  fullLikeTarget,
  onesLikeTarget,
  zerosLikeTarget,
].map((t) => target(t as FuzzTarget<readonly unknown[]>));
