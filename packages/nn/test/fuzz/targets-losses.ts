import fc from 'fast-check';
import { Tensor } from '@tapegrad/core';
import { CrossEntropyLoss, MSELoss, crossEntropyLoss, mseLoss } from '@tapegrad/nn';
import { type FuzzTarget, type Verdict, floatDTypeArb, nearShape, reduceTargets, reject, shapeArb, target, tensorOf, tensorProblem, wildTensor } from './core-fuzz.js';

/*
 * The losses, fuzzed with core's function harness (core/test/fuzz/harness.ts): each call returns the
 * reference or throws a TapegradError naming the loss (or, for cross-entropy, core's fused
 * softmaxCrossEntropy it is documented to be), never a bare TypeError, never NaN from finite inputs.
 * crossEntropyLoss takes core's softmaxCrossEntropy target as is (same arguments, same reference).
 */

const xent = reduceTargets.find((t) => t.name === 'softmaxCrossEntropy');
if (xent === undefined) throw new Error("core's fuzz targets lost softmaxCrossEntropy");

const crossEntropyTarget = target({ ...xent, name: 'crossEntropyLoss', fn: crossEntropyLoss as never, errorOps: ['softmaxCrossEntropy'] });
const crossEntropyClassTarget = target({
  ...xent,
  name: 'CrossEntropyLoss',
  fn: ((logits: never, labels: never) => new CrossEntropyLoss().forward(logits, labels)) as never,
  errorOps: ['softmaxCrossEntropy', 'crossEntropyLoss'],
});

/** mean((y − t)²) in float64; the scale (what the rounding error is relative to) is mean((|y| + |t|)²). */
function mseVerdict(y: unknown, t: unknown): Verdict {
  const p = tensorProblem(y) ?? tensorProblem(t);
  if (p !== null) return reject(p);
  const [a, b] = [y as Tensor, t as Tensor];
  if (a.shape.join() !== b.shape.join() || a.ndim !== b.ndim) return reject('shapes differ (no broadcasting)');
  if (a.dtype !== b.dtype) return reject('dtype mix');
  if (a.size === 0) return reject('no elements');
  let sum = 0;
  let scale = 0;
  for (let i = 0; i < a.size; i++) {
    sum += (a.data[i]! - b.data[i]!) ** 2;
    scale += (Math.abs(a.data[i]!) + Math.abs(b.data[i]!)) ** 2;
  }
  return { data: [sum / a.size], shape: [], dtype: a.dtype, scale: [scale / a.size] };
}

type MseArgs = readonly [unknown, unknown];

function mseTarget(name: string, fn: (y: never, t: never) => unknown, errorOps: string[] = []): FuzzTarget<MseArgs> {
  return {
    name,
    fn,
    errorOps,
    wild: shapeArb({ maxRank: 4 }).chain((s) =>
      fc.tuple(wildTensor(fc.constant(s), { profiles: ['unit', 'int', 'extreme', 'special'] }), wildTensor(nearShape(s), { profiles: ['unit', 'int', 'extreme', 'special'] })),
    ),
    valid: fc
      .tuple(shapeArb({ maxRank: 4, zeros: false }), floatDTypeArb)
      .chain(([s, dtype]) => fc.tuple(tensorOf(s, { dtypes: [dtype], profiles: ['unit', 'int', 'extreme'] }), tensorOf(s, { dtypes: [dtype], profiles: ['unit', 'int', 'extreme'] }))),
    expect: ([y, t]) => mseVerdict(y, t),
    finite: () => true,
  };
}

export const lossTargets = [
  crossEntropyTarget,
  crossEntropyClassTarget,
  target(mseTarget('mseLoss', mseLoss as never)),
  target(mseTarget('MSELoss', ((y: never, t: never) => new MSELoss().forward(y, t)) as never, ['mseLoss'])),
];
