import fc from 'fast-check';
import { type DType, Rng, Tensor, ValueError, argError, formatShape, tensor } from '../index.js';

export interface ShapeArbOptions {
  /** Fewest dimensions (default 0: scalars included). */
  minRank?: number;
  /** Most dimensions (default 3). */
  maxRank?: number;
  /** Smallest size of a dimension (default 1; 0 allows empty tensors). */
  minDim?: number;
  /** Largest size of a dimension (default 4). */
  maxDim?: number;
}

/**
 * Shapes: `minRank`..`maxRank` dimensions of `minDim`..`maxDim` each. Size-1 dimensions and (by default)
 * 0-d scalars are included; shrinks towards fewer, smaller dimensions.
 * @example
 * fc.assert(fc.property(shapeArb({ maxRank: 4 }), (shape) => reshape(zeros(shape), [-1]).size === sizeOf(shape)), { seed: 42 });
 */
export function shapeArb(options: ShapeArbOptions = {}): fc.Arbitrary<number[]> {
  const minRank = options.minRank ?? 0;
  const maxRank = options.maxRank ?? 3;
  const minDim = options.minDim ?? 1;
  const maxDim = options.maxDim ?? 4;
  checkCount('shapeArb', 'minRank', minRank, 0);
  checkCount('shapeArb', 'minDim', minDim, 0);
  checkCount('shapeArb', 'maxRank', maxRank, 0);
  checkCount('shapeArb', 'maxDim', maxDim, 0);
  checkRange('shapeArb', 'maxRank', minRank, maxRank);
  checkRange('shapeArb', 'maxDim', minDim, maxDim);
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/**
 * Where values are drawn from: 'any' uniform in [min, max] (default [−2, 2]); 'positive' [0.5, 3] (for
 * log, sqrt); 'nonzero' ±[0.5, 2] (for div); 'unit' [0, 1]; 'distinct' a shuffled spread over [min, max]
 * with no two values closer than (max − min)/2n (for max, argmax and pooling, whose gradients need no ties).
 */
export type Domain = 'any' | 'positive' | 'nonzero' | 'unit' | 'distinct';

export interface TensorArbOptions {
  /** A fixed shape... */
  shape?: readonly number[];
  /** ...or an arbitrary of shapes (default `shapeArb()`). */
  shapeArb?: fc.Arbitrary<readonly number[]>;
  /** Default float64 (what gradCheck needs). int32 gives integers in [min, max] (default [0, 9]). */
  dtype?: DType;
  /** Bounds of the values; the domain gives the defaults ('nonzero': bounds of the magnitude). */
  min?: number;
  max?: number;
  domain?: Domain;
  requiresGrad?: boolean;
}

const DOMAIN_RANGES: Record<Domain, [number, number]> = {
  any: [-2, 2],
  positive: [0.5, 3],
  nonzero: [0.5, 2],
  unit: [0, 1],
  distinct: [-2, 2],
};

/**
 * Tensors of a given or random shape with values from a domain (float64 by default). The values come
 * from a seeded generator, not from fast-check's number arbitraries, so they avoid the edge values (0, the
 * bounds) where ops like relu or max have kinks; a counterexample prints as the `tensor(...)` call that
 * rebuilds it.
 * @example
 * fc.assert(fc.property(tensorArb({ shape: [3, 4], domain: 'positive' }), (x) => log(x).shape.length === 2), { seed: 42 });
 */
export function tensorArb(options: TensorArbOptions = {}): fc.Arbitrary<Tensor> {
  const dtype = options.dtype ?? 'float64';
  const domain = options.domain ?? 'any';
  if (!(domain in DOMAIN_RANGES)) throw argError(ValueError, 'tensorArb', 'domain', `one of ${Object.keys(DOMAIN_RANGES).join(', ')}`, String(domain));
  const [dmin, dmax] = dtype === 'int32' ? [0, 9] : DOMAIN_RANGES[domain];
  const min = options.min ?? dmin;
  const max = options.max ?? dmax;
  checkRange('tensorArb', 'max', min, max);
  if (domain === 'nonzero' && min <= 0) throw argError(ValueError, 'tensorArb', 'min', "a positive smallest magnitude for domain 'nonzero'", String(min));
  const shapes = options.shape !== undefined ? fc.constant([...options.shape]) : (options.shapeArb ?? shapeArb());
  const seeds = fc.integer({ min: 0, max: 0x7fffffff });
  return fc.tuple(shapes, seeds).map(([shape, seed]) => {
    const size = shape.reduce((p, d) => p * d, 1);
    const values = drawValues(new Rng(seed), size, dtype === 'int32' ? 'int32' : domain, min, max);
    const t = tensor(values, shape, { dtype, requiresGrad: options.requiresGrad ?? false });
    return withReproducer(t);
  });
}

function drawValues(rng: Rng, size: number, domain: Domain | 'int32', min: number, max: number): Float64Array {
  const values = new Float64Array(size);
  if (domain === 'int32') {
    for (let i = 0; i < size; i++) values[i] = min + rng.nextInt(max - min + 1);
  } else if (domain === 'distinct') {
    // slot k of n gets one value in the middle half of [min + k·w, min + (k+1)·w): neighbours differ by ≥ w/2
    const perm = rng.permutation(size);
    const width = (max - min) / size;
    for (let i = 0; i < size; i++) values[i] = min + width * (perm[i]! + 0.25 + 0.5 * rng.next());
  } else if (domain === 'nonzero') {
    for (let i = 0; i < size; i++) values[i] = (rng.next() < 0.5 ? -1 : 1) * (min + (max - min) * rng.next());
  } else {
    for (let i = 0; i < size; i++) values[i] = min + (max - min) * rng.next();
  }
  return values;
}

/** fast-check prints values through this symbol: a tensor prints as code that rebuilds it. */
function withReproducer(t: Tensor): Tensor {
  Object.defineProperty(t, fc.toStringMethod, {
    value: () => `tensor([${Array.from(t.data).join(', ')}], ${formatShape(t.shape)}, { dtype: '${t.dtype}' })`,
    enumerable: false,
  });
  return t;
}

/** @internal A max bound: finite and not below the min. */
export function checkRange(op: string, arg: string, min: number, max: number): void {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw argError(ValueError, op, arg, `a finite number ≥ the minimum ${min}`, String(max));
  }
}

/** @internal An integer count option (sizes, ranks) of at least `least`. */
export function checkCount(op: string, arg: string, v: number, least: number): number {
  if (!Number.isInteger(v) || v < least) throw argError(ValueError, op, arg, `an integer ≥ ${least}`, String(v));
  return v;
}
