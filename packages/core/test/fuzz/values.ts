import fc from 'fast-check';
import { type DType, Rng, Tensor, formatShape, tensor } from '@tapegrad/core';

/*
 * The raw material of the fuzz targets: shapes (0-d, size-0 and size-1 dimensions, rank up to 5),
 * tensors of any dtype with values from several profiles (ordinary, integer with ties and zeros,
 * extreme magnitudes, non-finite), junk where a tensor or a parameter is expected, and bad parameter
 * numbers (0, negative, non-integer, NaN, huge). Values come from a seeded generator so a tensor is
 * one small record to shrink, and every tensor prints as the `tensor(...)` call that rebuilds it.
 */

/**
 * Where values come from:
 * - unit: uniform in [-2, 2]; positive: [0.5, 3]; nonzero: ±[0.5, 2]; distinct: no ties in [-2, 2];
 * - int: integers in [-3, 3] (zeros and ties, relu's kink, max's ties);
 * - extreme: unit values mixed with ±1e18, ±1000, ±1e-30, ±1e-45, 0, -0 — large, but products and
 *   sums of up to a few hundred of them stay finite even in float32, so accumulating ops stay exact;
 * - wide: extreme plus ±3e38 and ±1e300 (float32 rounds those to ±Infinity): for ops that do not accumulate;
 * - special: unit values mixed with NaN and ±Infinity.
 */
export type Profile = 'unit' | 'positive' | 'nonzero' | 'distinct' | 'int' | 'extreme' | 'wide' | 'special';

const EXTREME = [1e18, -1e18, 1000, -1000, 1e-30, -1e-30, 1e-45, -1e-45, 0, -0];
const WIDE = [...EXTREME, 3e38, -3e38, 1e300, -1e300];
const SPECIAL = [NaN, Infinity, -Infinity];

/** One value per element for `profile`; int32 tensors always get integers. */
export function drawValues(rng: Rng, n: number, profile: Profile, dtype: DType): number[] {
  const out = new Array<number>(n);
  const unit = () => -2 + 4 * rng.next();
  const pick = (list: readonly number[]) => list[rng.nextInt(list.length)]!;
  if (dtype === 'int32') {
    const big = [2147483647, -2147483648, 65536, -65536];
    for (let i = 0; i < n; i++) out[i] = profile === 'extreme' || profile === 'wide' ? (rng.next() < 0.3 ? pick(big) : rng.nextInt(7) - 3) : rng.nextInt(7) - 3;
    return out;
  }
  if (profile === 'distinct') {
    const perm = rng.permutation(n);
    for (let i = 0; i < n; i++) out[i] = -2 + (4 / n) * (perm[i]! + 0.25 + 0.5 * rng.next());
    return out;
  }
  for (let i = 0; i < n; i++) {
    switch (profile) {
      case 'unit':
        out[i] = unit();
        break;
      case 'positive':
        out[i] = 0.5 + 2.5 * rng.next();
        break;
      case 'nonzero':
        out[i] = (rng.next() < 0.5 ? -1 : 1) * (0.5 + 1.5 * rng.next());
        break;
      case 'int':
        out[i] = rng.nextInt(7) - 3;
        break;
      case 'extreme':
        out[i] = rng.next() < 0.5 ? pick(EXTREME) : unit();
        break;
      case 'wide':
        out[i] = rng.next() < 0.5 ? pick(WIDE) : unit();
        break;
      case 'special':
        out[i] = rng.next() < 0.3 ? pick(SPECIAL) : unit();
        break;
    }
  }
  return out;
}

/** fast-check prints values through this symbol: a tensor prints as code that rebuilds it. */
export function printable<T extends Tensor>(t: T): T {
  Object.defineProperty(t, fc.toStringMethod, {
    value: () => `tensor([${Array.from(t.data).join(', ')}], ${formatShape(t.shape)}, { dtype: '${t.dtype}' })`,
    enumerable: false,
    configurable: true,
  });
  return t;
}

export function makeTensor(shape: readonly number[], dtype: DType, profile: Profile, seed: number): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return printable(tensor(drawValues(new Rng(seed), n, profile, dtype), shape, { dtype }));
}

// ---------------------------------------------------------------------------------------------------
// Shapes

/** A dimension: mostly 1..4, sometimes 0 (an empty tensor). */
export const dimArb = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.constant(1) }, { weight: 6, arbitrary: fc.integer({ min: 2, max: 4 }) });

/** Shapes of rank minRank..maxRank (default 0..5) with dimArb dimensions (or 1..maxDim without zeros). */
export function shapeArb(o: { minRank?: number; maxRank?: number; zeros?: boolean; maxDim?: number } = {}): fc.Arbitrary<number[]> {
  const dim = o.zeros === false ? fc.integer({ min: 1, max: o.maxDim ?? 4 }) : dimArb;
  return fc.array(dim, { minLength: o.minRank ?? 0, maxLength: o.maxRank ?? 5 });
}

/**
 * A shape near `shape`: mostly itself, sometimes with one dimension changed (to 0, 1 or one more) or a
 * dimension dropped or added — the typical wrong shape a user passes.
 */
export function nearShape(shape: readonly number[]): fc.Arbitrary<number[]> {
  const same = fc.constant<number[]>([...shape]);
  if (shape.length === 0) return fc.oneof({ weight: 4, arbitrary: same }, { weight: 1, arbitrary: dimArb.map((d) => [d]) });
  const changed = fc.tuple(fc.nat(shape.length - 1), fc.constantFrom(0, 1, 2, 5)).map(([i, d]) => shape.map((v, j) => (j === i ? (d === 2 ? v + 1 : d) : v)));
  const dropped = fc.nat(shape.length - 1).map((i) => shape.filter((_, j) => j !== i));
  const added = fc.tuple(fc.nat(shape.length), dimArb).map(([i, d]) => [...shape.slice(0, i), d, ...shape.slice(i)]);
  return fc.oneof({ weight: 6, arbitrary: same }, { weight: 2, arbitrary: changed }, { weight: 1, arbitrary: dropped }, { weight: 1, arbitrary: added });
}

// ---------------------------------------------------------------------------------------------------
// Tensors

export interface TensorArbOptions {
  dtypes?: readonly DType[];
  profiles?: readonly Profile[];
}

const FLOATS: DType[] = ['float32', 'float64'];
const ALL_DTYPES: DType[] = ['float32', 'float64', 'int32'];
const ANY_PROFILE: Profile[] = ['unit', 'unit', 'int', 'extreme', 'special'];

/** Tensors of the given shape (or an arbitrary of shapes), of any of `dtypes`, values from `profiles`. */
export function tensorOf(shape: readonly number[] | fc.Arbitrary<readonly number[]>, o: TensorArbOptions = {}): fc.Arbitrary<Tensor> {
  const shapes = Array.isArray(shape) ? fc.constant(shape as readonly number[]) : (shape as fc.Arbitrary<readonly number[]>);
  return fc
    .tuple(shapes, fc.constantFrom(...(o.dtypes ?? FLOATS)), fc.constantFrom(...(o.profiles ?? ['unit'])), fc.integer({ min: 0, max: 0x7fffffff }))
    .map(([s, dtype, profile, seed]) => makeTensor(s, dtype, profile, seed));
}

/** Float tensors of one dtype chosen per case: several tensors in one call agree on it. */
export const floatDTypeArb = fc.constantFrom<'float32' | 'float64'>('float32', 'float64');

/** A tensor of any shape (rank 0..5), any dtype and any value profile. */
export const anyTensorArb = tensorOf(shapeArb(), { dtypes: ALL_DTYPES, profiles: ANY_PROFILE });

/** Usually a tensor of one of `shape`'s shapes, of any dtype (mostly float32); sometimes junk instead. */
export function wildTensor(shape: fc.Arbitrary<readonly number[]>, o: TensorArbOptions = {}): fc.Arbitrary<unknown> {
  const t = tensorOf(shape, { dtypes: o.dtypes ?? ['float32', 'float32', 'float64', 'int32'], profiles: o.profiles ?? ANY_PROFILE });
  return fc.oneof({ weight: 12, arbitrary: t }, { weight: 1, arbitrary: junkArb });
}

// ---------------------------------------------------------------------------------------------------
// Junk and bad parameters

/** What users pass by mistake where a tensor, a shape, options or a number is expected. */
export const junkArb: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  null,
  undefined,
  'x',
  '',
  '2',
  true,
  0,
  -1,
  1.5,
  NaN,
  Infinity,
  1e12,
  [],
  [1, 2],
  [[1, 2], [3]],
  {},
  { shape: [2], data: [1, 2], dtype: 'float32' },
  new Float32Array(2),
  new Int32Array([1]),
  () => 1,
  10n,
  Symbol('s'),
);

/** Numbers for integer parameters (strides, pads, kernels, sizes, axes): mostly small, often bad. */
export const paramNumArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: -1 }) },
  { weight: 2, arbitrary: fc.constantFrom(-0, 1.5, 0.5, NaN, Infinity, -Infinity, 1e12, 1e300, 2 ** 31, 2 ** 31 - 1, 2 ** 53, -1e12) },
);

/** A parameter that is a number, an [h, w] pair, a wrong-length array, or junk. */
export const paramPairArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: paramNumArb },
  { weight: 4, arbitrary: fc.tuple(paramNumArb, paramNumArb) },
  { weight: 1, arbitrary: fc.array(paramNumArb, { maxLength: 3 }) },
  { weight: 1, arbitrary: junkArb },
);

/** `arb` most of the time; junk with weight 1 in `1 + weight`. */
export function orJunk<T>(arb: fc.Arbitrary<T>, weight = 8): fc.Arbitrary<T | unknown> {
  return fc.oneof({ weight, arbitrary: arb }, { weight: 1, arbitrary: junkArb });
}

/** An axis argument: an integer near the valid range, a list of them, a bad number, or junk. */
export function axisArb(maxList = 3): fc.Arbitrary<unknown> {
  const int = fc.integer({ min: -6, max: 5 });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: int },
    { weight: 3, arbitrary: fc.array(int, { maxLength: maxList }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(0.5, NaN, Infinity, '1', null, {}, [0.5], [1e12]) },
  );
}

// ---------------------------------------------------------------------------------------------------
// Mutating valid arguments

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/**
 * A broken variant of one valid argument: a tensor of a nearby shape and any dtype, a shape with a
 * dimension changed, an options object with one field replaced by a bad value, a bad number — or junk.
 */
export function breakArg(v: unknown): fc.Arbitrary<unknown> {
  if (v instanceof Tensor) {
    return fc.oneof({ weight: 6, arbitrary: tensorOf(nearShape(v.shape), { dtypes: ALL_DTYPES, profiles: ['unit', 'int', 'extreme'] }) }, { weight: 1, arbitrary: junkArb });
  }
  if (Array.isArray(v) && v.every((d) => typeof d === 'number')) {
    return fc.oneof({ weight: 4, arbitrary: nearShape(v as number[]) }, { weight: 1, arbitrary: fc.constantFrom<unknown>([1e6, 1e6], [-1], [1.5]) }, { weight: 1, arbitrary: junkArb });
  }
  if (isPlainObject(v) && Object.keys(v).length > 0) {
    const replaced = fc.tuple(fc.constantFrom(...Object.keys(v)), fc.oneof(paramPairArb, junkArb)).map(([k, x]) => ({ ...v, [k]: x }));
    return fc.oneof({ weight: 4, arbitrary: replaced }, { weight: 1, arbitrary: junkArb });
  }
  if (typeof v === 'number') return fc.oneof(paramNumArb, junkArb);
  return junkArb;
}

/** Valid arguments with each one broken with probability 1/6: mostly one mistake at a time. */
export function mutated<A extends readonly unknown[]>(valid: fc.Arbitrary<A>): fc.Arbitrary<A> {
  return valid.chain((args) => fc.tuple(...args.map((a) => fc.oneof({ weight: 5, arbitrary: fc.constant(a) }, { weight: 1, arbitrary: breakArg(a) }))) as unknown as fc.Arbitrary<A>);
}
