import fc from 'fast-check';
import type { DType } from '@tapegrad/core';
import {
  AlexNet,
  type AlexNetOptions,
  Conv2d,
  Dropout,
  Flatten,
  LeNet5,
  type LeNet5Options,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
  Sigmoid,
  SimpleConvNet,
  type SimpleConvNetOptions,
  Tanh,
} from '@tapegrad/nn';
import { junkArb, paramNumArb, shapeArb } from './core-fuzz.js';
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
  positiveIntRule,
  seedFieldsArb,
  seedProblem,
  sizeArb,
  sizeRule,
  validInitArb,
  validSeedArb,
} from './rules.js';

/*
 * Containers and models: Sequential (random chains of layers, sometimes with junk among them or sizes
 * that do not fit), SimpleConvNet, LeNet5 and AlexNet (random option objects, small enough to run the
 * naive reference through every layer). A model's forward must either equal its layers' references run
 * in declaration order or name the failing layer; a wrong input shape must be reported by the first layer
 * (`[conv1]`, `[features.0]`) with the expected and the received shape.
 */

const dtypeOf = (o: unknown): DType => (opts(o).dtype === 'float64' ? 'float64' : 'float32');
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
/** Valid options whose model has more parameters than this are discarded (slow to build and check, not wrong). */
const MAX_PARAMS = 2e5;

/** A (C,H,W) option: mostly small and valid, sometimes wrong in length, sign, type or size. */
function chwArb(c: [number, number], hw: [number, number]): fc.Arbitrary<unknown> {
  const valid = fc.tuple(fc.integer({ min: c[0], max: c[1] }), fc.integer({ min: hw[0], max: hw[1] }), fc.integer({ min: hw[0], max: hw[1] }));
  const bad = fc.constantFrom<unknown>([1, 28], [0, 12, 12], [1, 12.5, 12], [1, -12, 12], [1, 1e6, 1e6], [2 ** 31, 12, 12], [1, NaN, 12], '1,28,28', [1, 12, 12, 1]);
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 2, arbitrary: bad }, { weight: 1, arbitrary: junkArb });
}

function chwOf(v: unknown, fallback: readonly number[]): readonly number[] {
  return Array.isArray(v) && v.length === 3 && v.every((d) => isInt(d) && d >= 1) ? (v as number[]) : fallback;
}

/** Left out or null (the default, like every `??`-defaulted option), or [C, H, W] of positive integers. */
const chwRule = (arg: string, v: unknown): string | null => (v === undefined || v === null || (Array.isArray(v) && v.length === 3 && v.every((d) => isInt(d) && d >= 1)) ? null : `${arg} ${String(v)}`);

/**
 * The input of a model configured for (C,H,W), in its dtype; a wild one may be off in any way. (A model
 * configured for a huge input is refused or discarded: it gets a small input that is never used.)
 */
const modelInput = (chw: readonly number[], dtype: DType, wild: boolean) =>
  batchArb.chain((n) => inputArb([n, ...(chw[0]! * chw[1]! * chw[2]! > 1e5 ? [1, 2, 2] : chw)], dtype, wild, ['unit', 'int']));

const paramCount = (shapes: number[][]) => shapes.reduce((t, s) => t + s.reduce((p, d) => p * d, 1), 0);

// ---------------------------------------------------------------------------------------------------
// SimpleConvNet(options)

interface ScnPlan {
  chw: readonly number[];
  shapes: number[][];
}

/** The parameter shapes of a SimpleConvNet from its options (assumed to pass the rules), or null. */
function scnPlan(options: unknown): ScnPlan | string {
  const o = opts(options);
  const conv = opts(o.conv);
  const [c, h, w] = chwOf(o.inputDim, [1, 28, 28]) as [number, number, number];
  const [fn, fs, s, p] = [conv.filterNum ?? 30, conv.filterSize ?? 5, conv.stride ?? 1, conv.pad ?? 0] as number[];
  const [hidden, out] = [o.hiddenSize ?? 100, o.outputSize ?? 10] as number[];
  const oh = Math.floor((h + 2 * p! - fs!) / s!) + 1;
  const ow = Math.floor((w + 2 * p! - fs!) / s!) + 1;
  if (!(oh >= 2 && ow >= 2)) return `a ${oh}×${ow} conv output (the 2×2 pool needs 2×2)`;
  const pooled = fn! * Math.floor(oh / 2) * Math.floor(ow / 2);
  const shapes = [[fn!, c, fs!, fs!], [fn!], [hidden!, pooled], [hidden!], [out!, hidden!], [out!]];
  return { chw: [c, h, w], shapes };
}

const weightInitStdRule = (v: unknown): string | null =>
  v === undefined || v === null || ['relu', 'he', 'sigmoid', 'xavier'].includes(v as string) || (typeof v === 'number' && Number.isFinite(v) && v >= 0) ? null : `weightInitStd ${String(v)}`;

function scnProblem([options]: readonly [unknown]): string | null {
  const o = opts(options);
  const conv = opts(o.conv);
  const plan = () => scnPlan(options);
  return first(
    () => optionsRule(options),
    () => chwRule('inputDim', o.inputDim),
    () => optionsRule(o.conv),
    () => positiveIntRule('conv.filterNum')(conv.filterNum ?? 30),
    () => positiveIntRule('conv.filterSize')(conv.filterSize ?? 5),
    () => positiveIntRule('conv.stride')(conv.stride ?? 1),
    () => (isInt(conv.pad ?? 0) && ((conv.pad ?? 0) as number) >= 0 ? null : `conv.pad ${String(conv.pad)}`),
    () => positiveIntRule('hiddenSize')(o.hiddenSize ?? 100),
    () => positiveIntRule('outputSize')(o.outputSize ?? 10),
    () => dtypeRule(o.dtype),
    () => seedProblem(o),
    () => weightInitStdRule(o.weightInitStd),
    () => {
      const p = plan();
      return typeof p === 'string' ? p : first(...p.shapes.map((s) => () => sizeRule(s)));
    },
  );
}

const scnOptionsArb = optionsArb(
  {
    inputDim: chwArb([1, 2], [3, 10]),
    conv: fc.oneof(
      { weight: 12, arbitrary: optionsArb({ filterNum: sizeArb(3), filterSize: sizeArb(4), stride: sizeArb(2), pad: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 2 }) }, { weight: 3, arbitrary: paramNumArb }, { weight: 1, arbitrary: junkArb }) }) },
      { weight: 1, arbitrary: junkArb },
    ),
    hiddenSize: sizeArb(6),
    outputSize: sizeArb(5),
    weightInitStd: fc.oneof({ weight: 10, arbitrary: fc.constantFrom<unknown>(0.01, 0.1, 0, 'relu', 'he', 'sigmoid', 'xavier') }, { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, NaN, Infinity, 'tanh', null) }),
    dtype: dtypeArb,
  },
  seedFieldsArb,
);

const validScnOptions = fc
  .tuple(
    fc.record({
      inputDim: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 4, max: 9 }), fc.integer({ min: 4, max: 9 })),
      conv: fc.record({ filterNum: fc.integer({ min: 1, max: 3 }), filterSize: fc.integer({ min: 1, max: 3 }), stride: fc.constant(1), pad: fc.integer({ min: 0, max: 1 }) }),
      hiddenSize: fc.integer({ min: 1, max: 6 }),
      outputSize: fc.integer({ min: 1, max: 5 }),
      weightInitStd: fc.constantFrom<SimpleConvNetOptions['weightInitStd']>(0.1, 'relu', 'sigmoid'),
      dtype: floatDTypeOrDefault,
    }),
    validSeedArb,
  )
  .map(([o, s]) => [{ ...o, ...s }] as const);

const simpleConvNet: ModuleTarget<readonly [unknown]> = {
  name: 'SimpleConvNet',
  build: ([o]) => new SimpleConvNet(o as SimpleConvNetOptions),
  wild: fc.tuple(scnOptionsArb),
  valid: validScnOptions,
  ctorProblem: scnProblem,
  tooLarge: (a) => {
    const p = scnProblem(a) === null ? scnPlan(a[0]) : null;
    return p !== null && typeof p !== 'string' && paramCount(p.shapes) > MAX_PARAMS;
  },
  input: ([o], wild) => modelInput(chwOf(opts(o).inputDim, [1, 28, 28]), dtypeOf(o), wild),
  runs: { wild: 150, valid: 30, backward: 15 },
};

// ---------------------------------------------------------------------------------------------------
// LeNet5(options)

const lenetSide = (n: number) => Math.floor((Math.floor(n / 2) - 4) / 2);

function lenetShapes(options: unknown): number[][] {
  const o = opts(options);
  const [c, h, w] = chwOf(o.inputShape, [1, 28, 28]) as [number, number, number];
  const k = (o.numClasses ?? 10) as number;
  return [[6, c, 5, 5], [6], [16, 6, 5, 5], [16], [120, 16 * lenetSide(h) * lenetSide(w)], [120], [84, 120], [84], [k, 84], [k]];
}

function lenetProblem([options]: readonly [unknown]): string | null {
  const o = opts(options);
  return first(
    () => optionsRule(options),
    () => (['sigmoid', 'relu'].includes((o.activation ?? 'sigmoid') as string) ? null : `activation ${String(o.activation)}`),
    () => (['avg', 'max'].includes((o.pooling ?? 'avg') as string) ? null : `pooling ${String(o.pooling)}`),
    () => chwRule('inputShape', o.inputShape),
    () => positiveIntRule('numClasses')(o.numClasses ?? 10),
    () => dtypeRule(o.dtype),
    () => seedProblem(o),
    () => {
      const [, h, w] = chwOf(o.inputShape, [1, 28, 28]);
      return lenetSide(h!) >= 1 && lenetSide(w!) >= 1 ? null : 'H or W under 12';
    },
    () => first(...lenetShapes(options).map((s) => () => sizeRule(s))),
  );
}

const lenet: ModuleTarget<readonly [unknown]> = {
  name: 'LeNet5',
  build: ([o]) => new LeNet5(o as LeNet5Options),
  wild: fc.tuple(
    optionsArb(
      {
        activation: fc.oneof({ weight: 8, arbitrary: fc.constantFrom<unknown>(undefined, 'sigmoid', 'relu') }, { weight: 1, arbitrary: fc.constantFrom<unknown>('tanh', null, 1) }),
        pooling: fc.oneof({ weight: 8, arbitrary: fc.constantFrom<unknown>(undefined, 'avg', 'max') }, { weight: 1, arbitrary: fc.constantFrom<unknown>('min', null, 0) }),
        inputShape: chwArb([1, 2], [10, 16]),
        numClasses: sizeArb(5),
        dtype: dtypeArb,
      },
      seedFieldsArb,
    ),
  ),
  valid: fc
    .tuple(
      fc.record({
        activation: fc.constantFrom<'sigmoid' | 'relu'>('sigmoid', 'relu'),
        pooling: fc.constantFrom<'avg' | 'max'>('avg', 'max'),
        inputShape: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 12, max: 15 }), fc.integer({ min: 12, max: 15 })),
        numClasses: fc.integer({ min: 1, max: 5 }),
        dtype: floatDTypeOrDefault,
      }),
      validSeedArb,
    )
    .map(([o, s]) => [{ ...o, ...s }] as const),
  ctorProblem: lenetProblem,
  tooLarge: (a) => lenetProblem(a) === null && paramCount(lenetShapes(a[0])) > MAX_PARAMS,
  input: ([o], wild) => modelInput(chwOf(opts(o).inputShape, [1, 28, 28]), dtypeOf(o), wild),
  runs: { wild: 120, valid: 20, backward: 10 },
};

// ---------------------------------------------------------------------------------------------------
// AlexNet(options)

const outSize = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;

/** AlexNet's parameter shapes as its documentation describes the architecture. */
function alexShapes(options: unknown): number[][] {
  const o = opts(options);
  const [c, h, w] = chwOf(o.inputShape, [3, 224, 224]) as [number, number, number];
  const width = (o.width ?? 1) as number;
  const ch = (n: number) => Math.max(1, Math.round(n * width));
  const [c1, c2, c3, c4, c5, hidden] = [ch(64), ch(192), ch(384), ch(256), ch(256), ch(4096)];
  const s1 = (o.conv1Stride ?? (Math.min(h, w) < 64 ? 2 : 4)) as number;
  // 11×11/s1 pad 2, then three 3×3/2 max pools that pad by one when the map is under 3 cells
  let [sh, sw] = [outSize(h, 11, s1, 2), outSize(w, 11, s1, 2)];
  for (let i = 0; i < 3; i++) [sh, sw] = [outSize(sh, 3, 2, sh < 3 ? 1 : 0), outSize(sw, 3, 2, sw < 3 ? 1 : 0)];
  const k = (o.numClasses ?? 1000) as number;
  const conv = (out: number, inC: number, kk: number) => [[out, inC, kk, kk], [out]];
  return [...conv(c1, c, 11), ...conv(c2, c1, 5), ...conv(c3, c2, 3), ...conv(c4, c3, 3), ...conv(c5, c4, 3), [hidden, c5 * sh * sw], [hidden], [hidden, hidden], [hidden], [k, hidden], [k]];
}

function alexProblem([options]: readonly [unknown]): string | null {
  const o = opts(options);
  const width = o.width ?? 1;
  const p = o.dropout ?? 0.5;
  return first(
    () => optionsRule(options),
    () => chwRule('inputShape', o.inputShape),
    () => {
      const [, h, w] = chwOf(o.inputShape, [3, 224, 224]);
      return h! >= 7 && w! >= 7 ? null : 'H or W under 7';
    },
    () => positiveIntRule('numClasses')(o.numClasses ?? 1000),
    () => (typeof width === 'number' && Number.isFinite(width) && width > 0 ? null : `width ${String(width)}`),
    () => (typeof p === 'number' && p >= 0 && p <= 1 ? null : `dropout ${String(p)}`),
    () => dtypeRule(o.dtype),
    () => seedProblem(o),
    () => positiveIntRule('conv1Stride')(o.conv1Stride ?? 2),
    () => booleanRule('lrn')(o.lrn),
    () => initProblem(o.init, o.dtype, 4),
    () => first(...alexShapes(options).map((s) => () => sizeRule(s))),
  );
}

const alexnet: ModuleTarget<readonly [unknown]> = {
  name: 'AlexNet',
  build: ([o]) => new AlexNet(o as AlexNetOptions),
  wild: fc.tuple(
    optionsArb(
      {
        inputShape: fc.oneof({ weight: 12, arbitrary: chwArb([1, 2], [5, 12]) }, { weight: 1, arbitrary: fc.constant(undefined) }),
        numClasses: sizeArb(4),
        width: fc.oneof({ weight: 10, arbitrary: fc.constantFrom(0.004, 0.01, 1e-9) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, NaN, Infinity, 1e12, '0.5', undefined) }),
        dropout: fc.oneof({ weight: 8, arbitrary: fc.constantFrom<unknown>(undefined, 0, 0.5, 1) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(-0.5, 2, NaN, '0.5') }),
        lrn: fc.oneof({ weight: 8, arbitrary: fc.constantFrom<unknown>(undefined, true, false) }, { weight: 1, arbitrary: junkArb }),
        conv1Stride: fc.oneof({ weight: 8, arbitrary: fc.constantFrom<unknown>(undefined, 1, 2, 3, 4) }, { weight: 1, arbitrary: paramNumArb }),
        init: initArb,
        dtype: dtypeArb,
      },
      seedFieldsArb,
    ),
  ),
  valid: fc
    .tuple(
      fc.record({
        inputShape: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 7, max: 11 }), fc.integer({ min: 7, max: 11 })),
        numClasses: fc.integer({ min: 1, max: 4 }),
        width: fc.constantFrom(0.004, 0.01),
        dropout: fc.constantFrom(0, 0.5),
        lrn: fc.boolean(),
        conv1Stride: fc.constantFrom(undefined, 1, 3),
        init: validInitArb,
        dtype: floatDTypeOrDefault,
      }),
      validSeedArb,
    )
    .map(([o, s]) => [{ ...o, ...s }] as const),
  ctorProblem: alexProblem,
  tooLarge: (a) => allocatesFirst(alexProblem(a)) && paramCount(alexShapes(a[0])) > MAX_PARAMS,
  input: ([o], wild) => modelInput(chwOf(opts(o).inputShape, [3, 224, 224]), dtypeOf(o), wild),
  runs: { wild: 100, valid: 20, backward: 10 },
};

// ---------------------------------------------------------------------------------------------------
// Sequential(...layers)

/** The input shape (without the batch) and dtype each generated chain expects, keyed by its first layer. */
const chainInputs = new WeakMap<Module, { shape: readonly number[]; dtype: DType }>();

const activationArb = (seed: number) => fc.constantFrom<() => Module>(() => new ReLU(), () => new Sigmoid(), () => new Tanh(), () => new Dropout(0.5, { seed }));

/** An MLP: Linear layers of fitting sizes with activations between, sometimes nested in a Sequential. */
const mlpArb: fc.Arbitrary<Module[]> = fc
  .tuple(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }), fc.constantFrom<DType>('float32', 'float64'), fc.integer(), fc.boolean())
  .chain(([dims, dtype, seed, nest]) =>
    fc.array(activationArb(seed), { minLength: dims.length - 1, maxLength: dims.length - 1 }).map((acts) => {
      const layers: Module[] = [];
      for (let i = 0; i + 1 < dims.length; i++) {
        layers.push(new Linear(dims[i]!, dims[i + 1]!, { seed: seed + i, dtype: dtype as 'float32' }));
        layers.push(acts[i]!());
      }
      const out = nest && layers.length > 2 ? [layers[0]!, new Sequential(...layers.slice(1, 3)), ...layers.slice(3)] : layers;
      chainInputs.set(out[0]!, { shape: [dims[0]!], dtype });
      return out;
    }),
  );

/** A small convnet: Conv2d → ReLU → MaxPool2d → Flatten → Linear, sizes fitting together. */
const convChainArb: fc.Arbitrary<Module[]> = fc
  .record({ c: fc.integer({ min: 1, max: 2 }), f: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 4, max: 7 }), dtype: fc.constantFrom<DType>('float32', 'float64'), seed: fc.integer() })
  .map(({ c, f, k, h, dtype, seed }) => {
    const side = Math.floor((h - k + 1) / 2);
    const layers = [new Conv2d(c, f, k, { seed, dtype: dtype as 'float32' }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(f * side * side, 3, { seed: seed + 1, dtype: dtype as 'float32' })];
    chainInputs.set(layers[0]!, { shape: [c, h, h], dtype });
    return layers;
  });

const sequential: ModuleTarget<readonly unknown[]> = {
  name: 'Sequential',
  build: (layers) => new Sequential(...(layers as Module[])),
  wild: fc.oneof(
    // chains whose sizes may not fit: layers drawn independently
    fc.array(fc.oneof(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).map(([a, b]) => new Linear(a, b, { seed: a * 7 + b })), fc.constantFrom<() => Module>(() => new ReLU(), () => new Flatten()).map((f) => f())), { maxLength: 3 }),
    fc.array(fc.oneof({ weight: 6, arbitrary: fc.constant(new ReLU()) }, { weight: 1, arbitrary: junkArb }), { maxLength: 3 }),
  ),
  valid: fc.oneof(mlpArb, convChainArb, fc.constant([])),
  ctorProblem: (layers) => {
    const i = layers.findIndex((l) => !(l instanceof Module));
    return i >= 0 ? `layers[${i}] is not a Module` : null;
  },
  input(layers, wild) {
    const spec = layers.length > 0 ? chainInputs.get(layers[0] as Module) : undefined;
    const lin = layers[0] instanceof Linear ? { shape: [layers[0].inFeatures], dtype: layers[0].weight.dtype } : undefined;
    const s = spec ?? lin;
    if (s === undefined) return wild ? shapeArb().chain((shape) => inputArb(shape, 'float32', true)) : shapeArb().chain((shape) => inputArb(shape, 'float32', false));
    return batchArb.chain((n) => inputArb([n, ...s.shape], s.dtype, wild, ['unit', 'int']));
  },
  runs: { wild: 150, valid: 40, backward: 20 },
};

export const modelTargets = [moduleTarget(sequential), moduleTarget(simpleConvNet), moduleTarget(lenet), moduleTarget(alexnet)];
