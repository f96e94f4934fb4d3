import fc from 'fast-check';
import type { DType, Size2 } from '@tapegrad/core';
import {
  AvgPool2d,
  Conv2d,
  type Conv2dLayerOptions,
  Dropout,
  Flatten,
  Linear,
  type LinearOptions,
  LocalResponseNorm,
  type LocalResponseNormLayerOptions,
  MaxPool2d,
  ReLU,
  Sigmoid,
  Tanh,
} from '@tapegrad/nn';
import { MAX_ELEMENTS, type Profile, floatDTypeArb, junkArb, maxAbs, paramPairArb, shapeArb, tensorOf, wildTensor } from './core-fuzz.js';
import { type ModuleTarget, moduleTarget } from './harness.js';
import { batchArb, inputArb } from './inputs.js';
import {
  allocatesFirst,
  booleanRule,
  dtypeArb,
  dtypeRule,
  first,
  floatDTypeOrDefault,
  initArb,
  initProblem,
  opts,
  optionsArb,
  optionsRule,
  pairOf,
  positiveIntRule,
  seedFieldsArb,
  seedProblem,
  sizeArb,
  sizeRule,
  smallOr,
  smallPair,
  validInitArb,
  validSeedArb,
} from './rules.js';

/*
 * The layers: Conv2d, Linear, MaxPool2d, AvgPool2d, ReLU, Sigmoid, Tanh, Flatten, Dropout,
 * LocalResponseNorm. Each with wild constructor arguments (sizes 0, negative, fractional, NaN, huge;
 * options of the wrong type), wild inputs, and the constructor's rules; the forward reference is
 * references.ts (core's naive loops with the layer's own parameters).
 */

const moderate: Profile[] = ['unit', 'int', 'extreme'];
const dtypeOf = (o: unknown): DType => (opts(o).dtype === 'float64' ? 'float64' : 'float32');
/** Valid arguments that allocate more than this many parameters are discarded (slow, not wrong). */
const MAX_PARAMS = 1e5;
const sizeProduct = (dims: readonly unknown[]) => dims.reduce<number>((p, d) => p * (d as number), 1);

/** A kernel: mostly 1..3 or a pair, sometimes a bad number, a pair of the wrong length or junk. */
const kernelArb: fc.Arbitrary<unknown> = fc.oneof({ weight: 8, arbitrary: smallPair(1, 3) }, { weight: 2, arbitrary: paramPairArb });
/** Stride and pad options: mostly small, sometimes bad. */
const strideArb = fc.oneof({ weight: 6, arbitrary: smallPair(1, 3) }, { weight: 1, arbitrary: paramPairArb });
const padArb = fc.oneof({ weight: 6, arbitrary: smallPair(0, 2) }, { weight: 1, arbitrary: paramPairArb });
const biasArb = fc.oneof({ weight: 12, arbitrary: fc.constantFrom<unknown>(undefined, true, false) }, { weight: 1, arbitrary: junkArb });

/** A valid kernel pair, or null. */
function kernelOf(k: unknown): [number, number] | null {
  const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
  if (Array.isArray(k)) return k.length === 2 && ok(k[0]) && ok(k[1]) ? [k[0], k[1]] : null;
  return ok(k) ? [k as number, k as number] : null;
}

/** The rules shared by Conv2d and Linear options: dtype, bias, init, seed. */
function paramOptionsProblem(options: unknown, rank: number): string | null {
  const o = opts(options);
  return first(
    () => optionsRule(options),
    () => dtypeRule(o.dtype),
    () => booleanRule('bias')(o.bias),
    () => initProblem(o.init, o.dtype, rank),
    () => seedProblem(o),
  );
}

// ---------------------------------------------------------------------------------------------------
// Conv2d(inChannels, outChannels, kernel, options)

type ConvArgs = readonly [unknown, unknown, unknown, unknown];

function convProblem([inC, outC, kernel, options]: ConvArgs): string | null {
  const k = kernelOf(kernel);
  return first(
    () => paramOptionsProblem(options, 4),
    () => positiveIntRule('inChannels')(inC),
    () => positiveIntRule('outChannels')(outC),
    () => (k === null ? `kernel ${String(kernel)}` : null),
    () => sizeRule([outC as number, inC as number, ...k!]),
  );
}

const conv2d: ModuleTarget<ConvArgs> = {
  name: 'Conv2d',
  build: ([i, o, k, options]) => new Conv2d(i as number, o as number, k as Size2, options as Conv2dLayerOptions),
  wild: fc.tuple(sizeArb(3), sizeArb(3), kernelArb, optionsArb({ stride: strideArb, pad: padArb, bias: biasArb, init: initArb, dtype: dtypeArb }, seedFieldsArb)),
  valid: fc.tuple(
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 3 }),
    smallPair(1, 3),
    fc
      .tuple(fc.record({ stride: smallPair(1, 2), pad: smallPair(0, 2), bias: fc.boolean(), init: validInitArb, dtype: floatDTypeOrDefault }, { requiredKeys: [] }), validSeedArb)
      .map(([o, s]) => ({ ...o, ...s })),
  ),
  ctorProblem: convProblem,
  tooLarge: (a) => {
    const k = kernelOf(a[2]);
    const ok = k !== null && positiveIntRule('')(a[0]) === null && positiveIntRule('')(a[1]) === null;
    return ok && allocatesFirst(convProblem(a)) && sizeProduct([a[0], a[1], ...k]) > MAX_PARAMS && sizeProduct([a[0], a[1], ...k]) <= MAX_ELEMENTS;
  },
  input([inC, , kernel, options], wild) {
    const [kh, kw] = pairOf(kernel, 2).map((d) => Math.min(d, 5));
    const [ph, pw] = pairOf(opts(options).pad, 0).map((d) => Math.min(d, 3));
    return fc
      .tuple(batchArb, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }))
      .chain(([n, dh, dw]) => inputArb([n, smallOr(inC, 1), Math.max(1, kh! - 2 * ph!) + dh, Math.max(1, kw! - 2 * pw!) + dw], dtypeOf(options), wild, moderate));
  },
  runs: { wild: 300, valid: 60 },
};

// ---------------------------------------------------------------------------------------------------
// Linear(inFeatures, outFeatures, options)

type LinearArgs = readonly [unknown, unknown, unknown];

function linearProblem([inF, outF, options]: LinearArgs): string | null {
  return first(
    () => paramOptionsProblem(options, 2),
    () => positiveIntRule('inFeatures')(inF),
    () => positiveIntRule('outFeatures')(outF),
    () => sizeRule([outF as number, inF as number]),
  );
}

const linear: ModuleTarget<LinearArgs> = {
  name: 'Linear',
  build: ([i, o, options]) => new Linear(i as number, o as number, options as LinearOptions),
  wild: fc.tuple(sizeArb(4), sizeArb(4), optionsArb({ bias: biasArb, init: initArb, dtype: dtypeArb }, seedFieldsArb)),
  valid: fc.tuple(
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 4 }),
    fc.tuple(fc.record({ bias: fc.boolean(), init: validInitArb, dtype: floatDTypeOrDefault }, { requiredKeys: [] }), validSeedArb).map(([o, s]) => ({ ...o, ...s })),
  ),
  ctorProblem: linearProblem,
  tooLarge: (a) => {
    const ok = positiveIntRule('')(a[0]) === null && positiveIntRule('')(a[1]) === null;
    return ok && allocatesFirst(linearProblem(a)) && sizeProduct([a[0], a[1]]) > MAX_PARAMS && sizeProduct([a[0], a[1]]) <= MAX_ELEMENTS;
  },
  input([inF, , options], wild) {
    // (…, in): rank 1 to 4, batch dimensions possibly empty
    return fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).chain((batch) => inputArb([...batch, smallOr(inF, 2)], dtypeOf(options), wild, moderate));
  },
  runs: { wild: 300, valid: 60 },
};

// ---------------------------------------------------------------------------------------------------
// MaxPool2d(kernel, options), AvgPool2d(kernel, options)

type PoolArgs = readonly [unknown, unknown];

/** A valid pool: kernel, then a pad of at most half of it per axis, and a stride. */
const validPoolArgs = (avg: boolean): fc.Arbitrary<PoolArgs> =>
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([kh, kw]) =>
    fc.tuple(
      fc.constantFrom<unknown>(kh === kw ? kh : [kh, kw], [kh, kw]),
      fc.record(
        {
          stride: smallPair(1, 3),
          pad: fc.tuple(fc.integer({ min: 0, max: Math.floor(kh / 2) }), fc.integer({ min: 0, max: Math.floor(kw / 2) })),
          ...(avg ? { countIncludePad: fc.boolean() } : {}),
        },
        { requiredKeys: [] },
      ),
    ),
  );

function poolTarget(name: 'MaxPool2d' | 'AvgPool2d'): ModuleTarget<PoolArgs> {
  const avg = name === 'AvgPool2d';
  const Cls = avg ? AvgPool2d : MaxPool2d;
  const cip = fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>(undefined, true, false) }, { weight: 1, arbitrary: junkArb });
  return {
    name,
    build: ([k, options]) => new Cls(k as Size2, options as never),
    wild: fc.tuple(kernelArb, optionsArb({ stride: strideArb, pad: padArb, ...(avg ? { countIncludePad: cip } : {}) })),
    valid: validPoolArgs(avg),
    // kernel, stride and pad are checked by core's pool when the layer runs (as documented)
    ctorProblem: ([, options]) => optionsRule(options),
    input([kernel, options], wild) {
      const [kh, kw] = pairOf(kernel, 2).map((d) => Math.min(d, 5));
      const [ph, pw] = pairOf(opts(options).pad, 0).map((d) => Math.min(d, 3));
      return fc
        .tuple(batchArb, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), floatDTypeArb)
        .chain(([n, c, dh, dw, dtype]) => inputArb([n, c, Math.max(1, kh! - 2 * ph!) + dh, Math.max(1, kw! - 2 * pw!) + dw], dtype, wild, avg ? moderate : ['distinct', 'int', 'unit']));
    },
    runs: { wild: 300, valid: 60 },
  };
}

// ---------------------------------------------------------------------------------------------------
// ReLU, Sigmoid, Tanh, Flatten: no constructor arguments

function argumentless(name: string, Cls: new () => ReLU | Sigmoid | Tanh | Flatten, profiles: Profile[], minRank = 0): ModuleTarget<readonly []> {
  return {
    name,
    build: () => new Cls(),
    wild: fc.constant([] as const),
    valid: fc.constant([] as const),
    ctorProblem: () => null,
    ctorRefusals: false,
    input: (_args, wild) =>
      wild
        ? wildTensor(shapeArb(), { profiles: [...profiles, 'special'] })
        : fc.tuple(shapeArb({ minRank }), Cls === Flatten ? fc.constantFrom<DType>('float32', 'float64', 'int32') : floatDTypeArb).chain(([s, d]) => tensorOf(s, { dtypes: [d], profiles })),
  };
}

// ---------------------------------------------------------------------------------------------------
// Dropout(p, options)

type DropoutArgs = readonly [unknown, unknown];

const dropout: ModuleTarget<DropoutArgs> = {
  name: 'Dropout',
  build: ([p, options]) => new Dropout(p as number, options as never),
  wild: fc.tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom<unknown>(undefined, 0, 0.5, 1, 0.25) },
      { weight: 2, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
      { weight: 2, arbitrary: fc.constantFrom<unknown>(-0.1, 1.5, NaN, '0.5', null, Infinity, -0) },
    ),
    optionsArb({}, seedFieldsArb),
  ),
  valid: fc.tuple(fc.oneof(fc.constantFrom(0, 0.5, 1), fc.double({ min: 0, max: 1, noNaN: true })), validSeedArb),
  ctorProblem: ([p, options]) =>
    first(
      () => (p === undefined || (typeof p === 'number' && p >= 0 && p <= 1) ? null : `p ${String(p)}`),
      () => optionsRule(options),
      () => seedProblem(opts(options)),
    ),
  input: (_args, wild) =>
    fc.tuple(shapeArb({ maxRank: 4 }), floatDTypeArb).chain(([s, dtype]) => inputArb(s, dtype, wild, wild ? [...moderate, 'special'] : moderate)),
};

// ---------------------------------------------------------------------------------------------------
// LocalResponseNorm(options)

type LrnArgs = readonly [unknown];

const finiteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const lrn: ModuleTarget<LrnArgs> = {
  name: 'LocalResponseNorm',
  build: ([options]) => new LocalResponseNorm(options as LocalResponseNormLayerOptions),
  wild: fc.tuple(
    fc.oneof(
      {
        weight: 10,
        arbitrary: fc.record(
          {
            size: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 6 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 2.5, NaN, 2 ** 31, 1e300, '3') }),
            alpha: fc.constantFrom<unknown>(undefined, 1e-4, 0.5, 2, 0, -1, NaN, Infinity, '1'),
            beta: fc.constantFrom<unknown>(undefined, 0.75, 0, -0.5, 2, NaN, -Infinity),
            k: fc.constantFrom<unknown>(undefined, 1, 2, 0.5, 0, -1, NaN),
          },
          { requiredKeys: ['size'] },
        ),
      },
      { weight: 1, arbitrary: junkArb },
    ),
  ),
  valid: fc.tuple(
    fc.record({ size: fc.integer({ min: 1, max: 6 }), alpha: fc.double({ min: 0, max: 2, noNaN: true }), beta: fc.double({ min: -1, max: 2, noNaN: true }), k: fc.double({ min: 0.5, max: 3, noNaN: true }) }),
  ),
  ctorProblem([options]) {
    if (typeof options !== 'object' || options === null) return `options ${String(options)} are not an object`;
    const o = options as Record<string, unknown>;
    const [alpha, beta, k] = [o.alpha ?? 1e-4, o.beta ?? 0.75, o.k ?? 1];
    return first(
      () => positiveIntRule('size')(o.size),
      () => (finiteNumber(alpha) && alpha >= 0 ? null : `alpha ${String(alpha)}`),
      () => (finiteNumber(beta) ? null : `beta ${String(beta)}`),
      () => (finiteNumber(k) && k > 0 ? null : `k ${String(k)}`),
    );
  },
  // moderate values only: the squares of 1e18 overflow float32 inside the composite where float64 does not
  input: (_args, wild) =>
    fc.tuple(batchArb, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), floatDTypeArb).chain(([n, c, h, w, dtype]) => inputArb([n, c, h, w], dtype, wild, ['unit', 'int'])),
  // finite where nothing overflows: moderate inputs, k not tiny, alpha and |beta| bounded
  finite: (c, m) => {
    const l = m as LocalResponseNorm;
    return maxAbs(c.x) <= 1e3 && l.alpha <= 10 && Math.abs(l.beta) <= 10 && l.k >= 1e-3;
  },
};

export const layerTargets = [
  moduleTarget(conv2d),
  moduleTarget(linear),
  moduleTarget(poolTarget('MaxPool2d')),
  moduleTarget(poolTarget('AvgPool2d')),
  moduleTarget(argumentless('ReLU', ReLU, ['unit', 'int', 'wide'])),
  moduleTarget(argumentless('Sigmoid', Sigmoid, ['unit', 'extreme', 'wide'])),
  moduleTarget(argumentless('Tanh', Tanh, ['unit', 'extreme', 'wide'])),
  moduleTarget(argumentless('Flatten', Flatten, moderate, 1)),
  moduleTarget(dropout),
  moduleTarget(lrn),
];
