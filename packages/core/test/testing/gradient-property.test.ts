import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GradCheckError, type Tensor, add, avgPool2d, conv2d, customOp, maxPool2d, mul, sum, tensor } from '@tapegrad/core';
import { checkGradients, convParamsArb, gradientProperty, poolParamsArb, shapeArb, tensorArb } from '@tapegrad/core/testing';

/** x² whose VJP forgets the factor 2 once |x| > 1: right on part of the domain only. */
const sometimesWrong = customOp({
  name: 'sometimesWrong',
  forward: (x) => tensor(Float64Array.from(x.data, (v) => v * v), x.shape, { dtype: 'float64' }),
  vjp: (grad, { inputs: [x] }) => [mul(grad, tensor(Float64Array.from(x!.data, (v) => (Math.abs(v) > 1 ? v : 2 * v)), x!.shape, { dtype: 'float64' }))],
});

function failure(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GradCheckError);
    return (e as Error).message;
  }
  throw new Error('expected checkGradients to fail');
}

describe('checkGradients', () => {
  it('passes add and mul with broadcasting over random shapes', () => {
    const shapes = shapeArb({ maxRank: 3, maxDim: 3 });
    checkGradients((x, y) => mul(add(x, y), x), [tensorArb({ shapeArb: shapes }), tensorArb({ shape: [1] })]);
    checkGradients(
      shapes.chain((s) => fc.tuple(tensorArb({ shape: s }), tensorArb({ shape: s.slice(1) }))).map(([x, y]) => ({ fn: (x: Tensor, y: Tensor) => sum(mul(x, y)), inputs: [x, y] })),
      { numRuns: 30, gradGrad: true },
    );
  });

  it('fails with the seed, the path to replay, the shrunk inputs and gradCheck message', () => {
    const message = failure(() => checkGradients((x) => sum(sometimesWrong(x)), [tensorArb({ shapeArb: shapeArb({ minRank: 1 }) })]));
    expect(message).toMatch(/^\[checkGradients\] a generated case failed \(seed 42, path "[\d:]+", after \d+ runs? and \d+ shrinks?; replay it with \{ seed: 42, path: '[\d:]+' \}\): \[gradCheck\] input 0 \(shape \[[\d,]+\]\), output 0 \(shape \[\]\): worst at/);
    expect(message).toMatch(/\n {2}failing case: inputs tensor\(\[[-\d., e]+\], \[[\d,]+\], \{ dtype: 'float64' \}\)$/);
    // shrinking keeps a failing case: some |x| > 1
    const values = JSON.parse(message.split('failing case: inputs tensor(')[1]!.split('], ')[0]! + ']') as number[];
    expect(values.some((v) => Math.abs(v) > 1)).toBe(true);
    // the printed seed and path replay exactly that case
    const path = /path: '([\d:]+)'/.exec(message)![1]!;
    const replay = failure(() => checkGradients((x) => sum(sometimesWrong(x)), [tensorArb({ shapeArb: shapeArb({ minRank: 1 }) })], { seed: 42, path }));
    expect(replay.split('failing case:')[1]).toBe(message.split('failing case:')[1]);
  });

  it('names errors other than gradient mismatches and shows the case label', () => {
    const message = failure(() =>
      checkGradients(tensorArb({ shape: [2] }).map((x) => ({ fn: (x: Tensor) => sum(mul(x, tensor([1, 2, 3], undefined, { dtype: 'float64' }))), inputs: [x], label: 'mismatched' }))),
    );
    expect(message).toMatch(/ShapeError: \[mul\] operands: expected shapes that broadcast/);
    expect(message).toMatch(/failing case: mismatched; inputs tensor\(/);
  });

  it('gradientProperty runs under fc.assert', () => {
    expect(() => fc.assert(gradientProperty((x) => sum(mul(x, x)), [tensorArb({ shape: [3] })]), { seed: 42, numRuns: 20 })).not.toThrow();
    expect(() => fc.assert(gradientProperty((x) => sum(sometimesWrong(x)), [tensorArb({ shape: [3] })]), { seed: 42, numRuns: 20 })).toThrow(/Property failed/);
  });
});

describe('checkGradients on the window ops', () => {
  it('conv2d over random shapes, strides 1–3, pads 0–2, non-square, with bias', () => {
    checkGradients(
      convParamsArb({ maxBatch: 2, maxChannels: 2, maxFilters: 2, maxSize: 6 }).chain((p) =>
        fc.tuple(tensorArb({ shape: p.xShape }), tensorArb({ shape: p.wShape }), tensorArb({ shape: p.bShape })).map(([x, w, b]) => ({
          fn: (x: Tensor, w: Tensor, b: Tensor) => conv2d(x, w, b, { stride: p.stride, pad: p.pad }),
          inputs: [x, w, b],
          label: `stride [${p.stride}] pad [${p.pad}]`,
        })),
      ),
      { numRuns: 20 },
    );
  });

  it('maxPool2d (distinct values, no ties) and avgPool2d with and without counted padding', () => {
    const pools = poolParamsArb({ maxKernel: 4, maxSize: 6 });
    checkGradients(pools.chain((p) => tensorArb({ shape: p.xShape, domain: 'distinct' }).map((x) => ({ fn: (x: Tensor) => maxPool2d(x, p), inputs: [x] }))), { numRuns: 20 });
    checkGradients(
      fc.tuple(pools, fc.boolean()).chain(([p, countIncludePad]) =>
        tensorArb({ shape: p.xShape }).map((x) => ({ fn: (x: Tensor) => avgPool2d(x, { ...p, countIncludePad }), inputs: [x] })),
      ),
      { numRuns: 20 },
    );
  });
});
