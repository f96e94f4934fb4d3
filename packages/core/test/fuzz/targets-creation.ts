import fc from 'fast-check';
import { DTYPES, type DType, Rng, arange, full, ones, rand, randn, tensor, zeros } from '@tapegrad/core';
import { type FuzzTarget, type Verdict, reject, target } from './harness.js';
import { MAX_ELEMENTS, isInt, isOptions, shapeProblem, sizeOf } from './rules.js';
import { type Profile, drawValues, junkArb, nearShape, orJunk, shapeArb } from './values.js';

/*
 * Creation functions: tensor (numbers, flat / nested arrays, typed arrays), zeros, ones, full, randn,
 * rand, arange. The reference validates the data, shape and options itself and converts the values to
 * the dtype (float32 rounding, int32 range).
 */

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

// ---------------------------------------------------------------------------------------------------
// Options shared by all creation functions

/** dtype and requiresGrad of the options, or why they are refused. */
function commonOptions(options: unknown, fallback: DType, floatOnly = false): { dtype: DType; requiresGrad: boolean } | string {
  if (!isOptions(options)) return `options ${String(options)} are not an object`;
  const o = (options ?? {}) as Record<string, unknown>;
  const dtype = o.dtype ?? fallback;
  if (typeof dtype !== 'string' || !DTYPES.includes(dtype as DType)) return `unknown dtype ${String(dtype)}`;
  if (floatOnly && dtype === 'int32') return 'int32 random values';
  const rg = o.requiresGrad ?? false;
  if (typeof rg !== 'boolean') return `requiresGrad ${String(rg)} is not a boolean`;
  if (rg && dtype === 'int32') return 'requiresGrad on an int32 tensor';
  return { dtype: dtype as DType, requiresGrad: rg };
}

const dtypeOptArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>('float32', 'float64', 'int32', undefined) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('int8', 'float', null, 32, Float32Array) },
);

const optionsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 8,
    arbitrary: fc.record(
      { dtype: dtypeOptArb, requiresGrad: fc.oneof({ weight: 5, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom<unknown>('yes', 1, null) }) },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'float64', 3) },
);

const validOptionsArb = fc.record({ dtype: fc.constantFrom<DType>('float32', 'float64', 'int32'), requiresGrad: fc.boolean() }).map((o) => (o.dtype === 'int32' ? { dtype: o.dtype } : o));

/** The values as stored in `dtype`, or why not (int32 needs integers in range). */
function convert(values: readonly number[], dtype: DType): number[] | string {
  if (dtype === 'int32') {
    const bad = values.findIndex((v) => !Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX);
    if (bad >= 0) return `${values[bad]} is not an int32 value`;
  }
  return [...values];
}

function accepted(values: readonly number[], shape: readonly number[], o: { dtype: DType; requiresGrad: boolean }): Verdict {
  return { data: values, shape, dtype: o.dtype, requiresGrad: o.requiresGrad };
}

// ---------------------------------------------------------------------------------------------------
// tensor(data, shape?, options?)

type DataForm = 'number' | 'flat' | 'nested' | 'f32' | 'f64' | 'i32' | 'u8' | 'dataview' | 'bigint' | 'ragged' | 'stringLeaf';

function nest(values: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return values[0];
  const inner = sizeOf(shape.slice(1));
  return Array.from({ length: shape[0]! }, (_, i) => nest(values.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}

function makeData(form: DataForm, shape: readonly number[], values: number[]): unknown {
  switch (form) {
    case 'number':
      return values[0] ?? 0;
    case 'flat':
      return values;
    case 'nested':
      return nest(values, shape);
    case 'f32':
      return Float32Array.from(values);
    case 'f64':
      return Float64Array.from(values);
    case 'i32':
      return Int32Array.from(values);
    case 'u8':
      return Uint8Array.from(values.map((v) => Math.abs(v) % 256));
    case 'dataview':
      return new DataView(new ArrayBuffer(4 * values.length));
    case 'bigint':
      return BigInt64Array.from(values.map((v) => BigInt(Math.trunc(Number.isFinite(v) ? v : 0))));
    case 'ragged': {
      const rows = nest(values, shape.length < 2 ? [1, values.length] : shape) as unknown[][];
      return rows.length > 1 ? [rows[0], (rows[1] as unknown[]).slice(1), ...rows.slice(2)] : [[...(rows[0] ?? []), 1], [1]];
    }
    case 'stringLeaf': {
      const flat: unknown[] = [...values];
      flat[flat.length >> 1] = '1';
      return flat;
    }
  }
}

/** The reference's reading of `data`: flat values, inferred shape and default dtype, or why not. */
function readData(data: unknown): { flat: number[]; shape: number[]; dtype: DType } | string {
  if (typeof data === 'number') return { flat: [data], shape: [], dtype: 'float32' };
  if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array || data instanceof Uint8Array) {
    const dtype: DType = data instanceof Float32Array ? 'float32' : data instanceof Float64Array ? 'float64' : 'int32';
    return { flat: Array.from(data), shape: [data.length], dtype };
  }
  if (!Array.isArray(data)) return `data ${typeof data} is not a number, an array or a typed array`;
  const shape: number[] = [];
  for (let level: unknown = data; Array.isArray(level); level = level[0]) shape.push(level.length);
  const flat: number[] = [];
  const walk = (v: unknown, d: number): string | null => {
    if (d === shape.length) {
      if (typeof v !== 'number') return `a ${typeof v} among the values`;
      flat.push(v);
      return null;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) return 'a ragged nested array';
    for (const x of v) {
      const p = walk(x, d + 1);
      if (p !== null) return p;
    }
    return null;
  };
  const problem = walk(data, 0);
  return problem ?? { flat, shape, dtype: 'float32' };
}

const tensorArgs = fc
  .tuple(
    shapeArb({ maxRank: 4 }),
    fc.constantFrom<Profile>('unit', 'int', 'int', 'extreme', 'special'),
    fc.integer(),
    fc.constantFrom<DataForm>('number', 'flat', 'nested', 'nested', 'f32', 'f64', 'i32', 'u8', 'dataview', 'bigint', 'ragged', 'stringLeaf'),
  )
  .chain(([shape, profile, seed, form]) => {
    const values = drawValues(new Rng(seed), sizeOf(shape), profile, 'float64');
    const data = makeData(form, shape, values);
    const shapeArg = fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 4, arbitrary: nearShape(shape) },
      { weight: 1, arbitrary: junkArb },
    );
    return fc.tuple(orJunk(fc.constant(data), 20), shapeArg, optionsArb);
  });

const validTensorArgs = fc
  .tuple(shapeArb({ maxRank: 4 }), validOptionsArb, fc.integer(), fc.constantFrom('flat', 'nested', 'typed'))
  .map(([shape, options, seed, form]) => {
    const values = drawValues(new Rng(seed), sizeOf(shape), options.dtype === 'int32' ? 'int' : 'unit', 'float64');
    const data = form === 'flat' ? values : form === 'typed' ? Float64Array.from(values) : nest(values, shape);
    return [data, shape, options] as const;
  });

const tensorTarget: FuzzTarget<readonly [unknown, unknown, unknown]> = {
  name: 'tensor',
  fn: tensor,
  wild: tensorArgs,
  valid: validTensorArgs,
  backward: false,
  expect([data, shape, options]) {
    const d = readData(data);
    if (typeof d === 'string') return reject(d);
    const o = commonOptions(options, d.dtype);
    if (typeof o === 'string') return reject(o);
    let finalShape = d.shape;
    if (shape !== undefined) {
      const p = shapeProblem(shape);
      if (p !== null) return reject(p);
      if (sizeOf(shape as number[]) !== d.flat.length) return reject('shape does not match the number of values');
      finalShape = shape as number[];
    }
    const values = convert(d.flat, o.dtype);
    return typeof values === 'string' ? reject(values) : accepted(values, finalShape, o);
  },
};

// ---------------------------------------------------------------------------------------------------
// zeros, ones, full

const shapeArgArb = fc.oneof(
  { weight: 8, arbitrary: shapeArb() },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([2.5], [-1, 2], [1e6, 1e6], [2 ** 31], [0, 1e12], [NaN], ['2'], 3, null, 'abc', new Int32Array([2])) },
  { weight: 1, arbitrary: junkArb },
);

function constantVerdict(shape: unknown, value: unknown, options: unknown): Verdict {
  const p = shapeProblem(shape);
  if (p !== null) return reject(p);
  if (typeof value !== 'number') return reject(`value ${typeof value} is not a number`);
  const o = commonOptions(options, 'float32');
  if (typeof o === 'string') return reject(o);
  // the value must fit the dtype even when no element receives it
  if (typeof convert([value], o.dtype) === 'string') return reject(`${value} is not an int32 value`);
  const values = convert(new Array<number>(sizeOf(shape as number[])).fill(value), o.dtype);
  return typeof values === 'string' ? reject(values) : accepted(values, shape as number[], o);
}

const zerosTarget: FuzzTarget<readonly [unknown, unknown]> = {
  name: 'zeros',
  fn: zeros,
  wild: fc.tuple(shapeArgArb, optionsArb),
  valid: fc.tuple(shapeArb(), validOptionsArb),
  backward: false,
  expect: ([shape, options]) => constantVerdict(shape, 0, options),
};

const onesTarget: FuzzTarget<readonly [unknown, unknown]> = {
  ...zerosTarget,
  name: 'ones',
  fn: ones,
  expect: ([shape, options]) => constantVerdict(shape, 1, options),
};

const fullValueArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(0.5, -2.25, NaN, Infinity, 1e10, -1e40, 2147483647, -2147483648, 2147483648) },
  { weight: 1, arbitrary: junkArb },
);

const fullTarget: FuzzTarget<readonly [unknown, unknown, unknown]> = {
  name: 'full',
  fn: full,
  wild: fc.tuple(shapeArgArb, fullValueArb, optionsArb),
  valid: fc.tuple(shapeArb(), validOptionsArb).chain(([shape, o]) =>
    (o.dtype === 'int32' ? fc.integer({ min: INT32_MIN, max: INT32_MAX }) : fc.double({ min: -1e30, max: 1e30, noNaN: true })).map((v) => [shape, v, o] as const),
  ),
  backward: false,
  expect: ([shape, value, options]) => constantVerdict(shape, value, options),
};

// ---------------------------------------------------------------------------------------------------
// randn, rand


const randomOptionsArb = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record(
      {
        dtype: dtypeOptArb,
        seed: fc.oneof({ weight: 5, arbitrary: fc.integer() }, { weight: 1, arbitrary: fc.constantFrom<unknown>(0.5, NaN, '1', null, 1e300) }),
        rng: fc.oneof({ weight: 3, arbitrary: fc.integer().map((s) => new Rng(s)) }, { weight: 1, arbitrary: fc.constantFrom<unknown>({}, 'rng', null, 0, Math.random) }),
        mean: fc.constantFrom<unknown>(0, 1.5, -3, NaN, Infinity, 'a'),
        std: fc.constantFrom<unknown>(1, 0.01, 0, 2, -1, NaN, Infinity),
        low: fc.constantFrom<unknown>(0, -1, 2, NaN, -Infinity),
        high: fc.constantFrom<unknown>(1, 3, -2, NaN, Infinity),
        requiresGrad: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 7) },
);

/** The verdict of randn / rand: options are required, and the draws come from a twin of the generator. */
function randomVerdict(kind: 'normal' | 'uniform', shape: unknown, options: unknown): Verdict {
  const p = shapeProblem(shape);
  if (p !== null) return reject(p);
  if (typeof options !== 'object' || options === null) return reject('options are required ({ seed } or { rng })');
  const o = commonOptions(options, 'float32', true);
  if (typeof o === 'string') return reject(o);
  const opts = options as Record<string, unknown>;
  let rng: Rng;
  if (opts.rng !== undefined) {
    if (!(opts.rng instanceof Rng)) return reject('rng is not an Rng');
    rng = new Rng(0);
    rng.setState(opts.rng.getState());
  } else {
    if (!isInt(opts.seed)) return reject(`seed ${String(opts.seed)} is not an integer`);
    rng = new Rng(opts.seed);
  }
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const n = sizeOf(shape as number[]);
  const values = new Array<number>(n);
  if (kind === 'normal') {
    const mean = opts.mean ?? 0;
    const std = opts.std ?? 1;
    if (!finite(mean)) return reject(`mean ${String(mean)} is not a finite number`);
    if (!finite(std) || (std as number) < 0) return reject(`std ${String(std)} is not a finite number ≥ 0`);
    for (let i = 0; i < n; i++) values[i] = (mean as number) + (std as number) * rng.normal();
  } else {
    const low = opts.low ?? 0;
    const high = opts.high ?? 1;
    if (!finite(low) || !finite(high) || (low as number) > (high as number)) return reject(`bounds [${String(low)}, ${String(high)}) are not finite and ordered`);
    for (let i = 0; i < n; i++) values[i] = (low as number) + ((high as number) - (low as number)) * rng.next();
  }
  return accepted(values, shape as number[], o);
}

const validRandomArgs = fc
  .tuple(shapeArb(), fc.constantFrom<DType>('float32', 'float64'), fc.integer(), fc.boolean(), fc.boolean())
  .map(([shape, dtype, seed, useRng, requiresGrad]) => [shape, useRng ? { dtype, rng: new Rng(seed), requiresGrad } : { dtype, seed, requiresGrad }] as const);

const randnTarget: FuzzTarget<readonly [unknown, unknown]> = {
  name: 'randn',
  fn: randn,
  wild: fc.tuple(shapeArgArb, randomOptionsArb),
  valid: validRandomArgs,
  backward: false,
  expect: ([shape, options]) => randomVerdict('normal', shape, options),
};

const randTarget: FuzzTarget<readonly [unknown, unknown]> = {
  ...randnTarget,
  name: 'rand',
  fn: rand,
  expect: ([shape, options]) => randomVerdict('uniform', shape, options),
};

// ---------------------------------------------------------------------------------------------------
// arange(start, stop?, step?, options?)

// (no stop near 2^31 from 0: that many elements would be valid, and 8 GB)
const arangeNumArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -6, max: 6 }) },
  { weight: 2, arbitrary: fc.constantFrom(0.5, -1.5, 2.25, 0.1) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(NaN, Infinity, -Infinity, 1e12, -1e12, 3e9, 'a', null) },
);

/** start, stop, step near the ends of the int32 range: fine as floats, partly out of range for int32. */
const arangeEdgeArb = fc.constantFrom<readonly [unknown, unknown, unknown]>(
  [2147483640, 2147483650, 1],
  [2147483640, 2147483648, 1],
  [-2147483650, -2147483640, 2],
  [2147483647, 2147483640, -1],
);

function arangeVerdict(start: unknown, stop: unknown, step: unknown, options: unknown): Verdict {
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  let [a, b] = [start, stop];
  if (b === undefined) [a, b] = [0, start];
  const s = step === undefined ? 1 : step;
  if (!finite(a) || !finite(b)) return reject('start and stop must be finite numbers');
  if (!finite(s) || s === 0) return reject('step must be a finite non-zero number');
  const o = commonOptions(options, 'float32');
  if (typeof o === 'string') return reject(o);
  const n = Math.max(0, Math.ceil((b - a) / s));
  if (n > MAX_ELEMENTS) return reject(`${n} elements`);
  const values = Array.from({ length: n }, (_, i) => a + i * s);
  if (o.dtype === 'int32' && (!Number.isInteger(a) || !Number.isInteger(s))) return reject('non-integer start or step for int32');
  const converted = convert(values, o.dtype);
  return typeof converted === 'string' ? reject(converted) : accepted(converted, [n], o);
}

const arangeTarget: FuzzTarget<readonly [unknown, unknown, unknown, unknown]> = {
  name: 'arange',
  fn: arange,
  wild: fc.oneof(
    { weight: 6, arbitrary: fc.tuple(arangeNumArb, fc.oneof(fc.constant(undefined), arangeNumArb), fc.oneof(fc.constant(undefined), arangeNumArb), optionsArb) },
    { weight: 1, arbitrary: fc.tuple(arangeEdgeArb, optionsArb).map(([[a, b, s], o]) => [a, b, s, o] as const) },
  ),
  valid: fc
    .tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 }), fc.constantFrom(1, 2, 3, -1, -2), validOptionsArb)
    .map(([a, b, s, o]) => [a, b, s, o] as const),
  backward: false,
  expect: ([start, stop, step, options]) => arangeVerdict(start, stop, step, options),
  tooLarge([start, stop, step]) {
    const [a, b, s] = stop === undefined ? [0, start, step ?? 1] : [start, stop, step ?? 1];
    if (typeof a !== 'number' || typeof b !== 'number' || typeof s !== 'number') return false;
    const n = Math.ceil((b - a) / s);
    return n > 1e6 && n <= MAX_ELEMENTS;
  },
};

export const creationTargets = [tensorTarget, zerosTarget, onesTarget, fullTarget, randnTarget, randTarget, arangeTarget].map((t) =>
  target(t as FuzzTarget<readonly unknown[]>),
);
