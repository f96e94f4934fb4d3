import fc from 'fast-check';
import { Rng, Tensor, tensor } from '@tapegrad/core';
import { type Initializer, he, normal, uniform, xavier, zerosInit } from '@tapegrad/nn';
import { MAX_ELEMENTS, junkArb, paramNumArb } from './core-fuzz.js';

/*
 * The constructor rules of nn's public classes, written from their documentation (and DESIGN.md's "nothing
 * silently cast"), plus the generators of constructor arguments that go with them: sizes, options objects,
 * seeds, dtypes, initializers — each mostly valid, sometimes 0, negative, fractional, NaN, huge or junk.
 */

/** A rule: null when `v` is fine, else why not. */
export type Rule = (v: unknown) => string | null;

export const optionsRule: Rule = (v) => (v === undefined || (typeof v === 'object' && v !== null) ? null : `options ${String(v)} are not an object`);

/** Sizes (channels, features, classes): an integer ≥ 1; the size of what it allocates is checked apart. */
export const positiveIntRule = (arg: string): Rule => (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? null : `${arg} ${String(v)}`);

export const dtypeRule: Rule = (v) => (v === undefined || v === 'float32' || v === 'float64' ? null : `dtype ${String(v)}`);

/** A boolean option; left out or null, it takes its default (as every `??`-defaulted option). */
export const booleanRule = (arg: string): Rule => (v) => (v === undefined || v === null || typeof v === 'boolean' ? null : `${arg} ${String(v)} is not a boolean`);

/** Where initial weights come from: `rng` an Rng, or `seed` an integer (both may be left out). */
export function seedProblem(o: Record<string, unknown>): string | null {
  if (o.rng !== undefined) return o.rng instanceof Rng ? null : 'rng is not an Rng';
  if (o.seed !== undefined) return Number.isInteger(o.seed) ? null : `seed ${String(o.seed)}`;
  return null;
}

/** The options object itself, or {} for undefined (callers check optionsRule first). */
export const opts = (v: unknown): Record<string, unknown> => (v ?? {}) as Record<string, unknown>;

/** A weight of `shape` can exist: at most 2^31 − 1 elements. */
export const sizeRule = (shape: readonly number[]): string | null => (shape.reduce((p, d) => p * d, 1) > MAX_ELEMENTS ? `a weight of shape [${shape}] beyond 2^31 − 1 elements` : null);

/** The first problem of a list of checks. */
export const first = (...checks: (() => string | null)[]): string | null => {
  for (const c of checks) {
    const p = c();
    if (p !== null) return p;
  }
  return null;
};

// ---------------------------------------------------------------------------------------------------
// Initializers

/** An initializer that returns a tensor of the wrong shape: the layer must refuse it by name. */
export const wrongShapeInit: Initializer = () => tensor([1, 2, 3]);
/** One that returns float64 whatever is asked. */
export const wrongDTypeInit: Initializer = (shape) => new Tensor(new Float64Array(shape.reduce((p, d) => p * d, 1)), [...shape], 'float64');

/**
 * Left out (or null: the default), or a function returning a tensor of the asked shape and dtype. The
 * initializer is tried on a small shape of the weight's rank (initializers do not depend on the sizes).
 */
export function initProblem(v: unknown, dtype: unknown, rank: number): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'function') return `init ${typeof v} is not a function`;
  const shape = Array.from({ length: rank }, (_, i) => i + 1);
  const want = (dtype ?? 'float32') as string;
  const t: unknown = (v as Initializer)(shape, { rng: new Rng(0), dtype: want as 'float32' });
  if (!(t instanceof Tensor) || t.shape.join() !== shape.join() || t.dtype !== want) return INIT_OUTPUT;
  return null;
}

const INIT_OUTPUT = 'an initializer returning something else than asked';

/**
 * Whether a constructor with this problem (or none) allocates its parameters before it can know: only
 * an initializer's output is seen after the fact. Such cases are discarded when the parameters are large.
 */
export const allocatesFirst = (problem: string | null): boolean => problem === null || problem === INIT_OUTPUT;

export const validInitArb: fc.Arbitrary<Initializer | undefined> = fc.constantFrom<Initializer | undefined>(undefined, normal(0.1), he, xavier, zerosInit, uniform(-0.5, 0.5));

export const initArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 16, arbitrary: validInitArb },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(wrongShapeInit, wrongDTypeInit) },
  { weight: 1, arbitrary: junkArb },
);

// ---------------------------------------------------------------------------------------------------
// Argument generators

/** A size argument: mostly 1..max, sometimes a bad number or junk. */
export function sizeArb(max: number): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 1, max }) }, { weight: 2, arbitrary: paramNumArb }, { weight: 1, arbitrary: junkArb });
}

export const dtypeArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 16, arbitrary: fc.constantFrom<unknown>(undefined, 'float32', 'float64') },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('int32', 'float16', null, 32) },
);

export const floatDTypeOrDefault = fc.constantFrom<'float32' | 'float64' | undefined>(undefined, 'float32', 'float64');

/** `seed` and `rng` fields: mostly a seed, sometimes a generator, sometimes junk. */
export const seedFieldsArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 12, arbitrary: fc.integer().map((seed) => ({ seed })) },
  { weight: 4, arbitrary: fc.integer().map((s) => ({ rng: new Rng(s) })) },
  { weight: 2, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(0.5, NaN, null, '1', {}).map((bad) => ({ seed: bad })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, {}, 3).map((bad) => ({ rng: bad })) },
);

export const validSeedArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(fc.integer().map((seed) => ({ seed })), fc.integer().map((s) => ({ rng: new Rng(s) })));

/** An options object built from `fields` (each field may be left out), or sometimes junk instead. */
export function optionsArb(fields: Record<string, fc.Arbitrary<unknown>>, extra: fc.Arbitrary<Record<string, unknown>> = fc.constant({})): fc.Arbitrary<unknown> {
  const record = fc.tuple(fc.record(fields, { requiredKeys: [] }), extra).map(([a, b]) => ({ ...a, ...b }));
  return fc.oneof({ weight: 12, arbitrary: record }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: junkArb });
}

/** A small positive integer or an [h, w] pair of them. */
export const smallPair = (min: number, max: number): fc.Arbitrary<number | [number, number]> =>
  fc.oneof(fc.integer({ min, max }), fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })));

/** [h, w] of a number-or-pair argument that is known to be valid. */
export const pairOf = (v: unknown, fallback: number): [number, number] =>
  Array.isArray(v) && v.length === 2 && v.every((d) => Number.isInteger(d) && d >= 0 && d < 64) ? [v[0], v[1]] : Number.isInteger(v) && (v as number) >= 0 && (v as number) < 64 ? [v as number, v as number] : [fallback, fallback];

/** A small integer from a possibly junk size argument (for shaping inputs only). */
export const smallOr = (v: unknown, fallback: number): number => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 64 ? (v as number) : fallback);
