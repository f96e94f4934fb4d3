import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, ValueError, grad, gradCheck, gradGradCheck, softmaxCrossEntropy, tensor } from '@tapegrad/core';
import { expectClose } from './arbitraries.js';

/** −mean log softmax(logits)[label] by log-sum-exp, in float64. */
function naiveLoss(logits: ArrayLike<number>, labels: readonly number[], c: number): number {
  let total = 0;
  labels.forEach((k, i) => {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, logits[i * c + j]!);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(logits[i * c + j]! - m);
    total -= logits[i * c + k]! - m - Math.log(s);
  });
  return total / labels.length;
}

const oneHot = (labels: readonly number[], c: number) => labels.flatMap((k) => Array.from({ length: c }, (_, j) => (j === k ? 1 : 0)));

describe('softmaxCrossEntropy', () => {
  it('is exact and finite for logits of ±1000, with finite gradients', () => {
    const logits = tensor([[1000, -1000, 0], [1000, -1000, 0], [1000, -1000, 0]], undefined, { dtype: 'float64', requiresGrad: true });
    const loss = softmaxCrossEntropy(logits, [0, 1, 2]);
    // −log softmax: 0, 2000 and 1000 (up to e^-1000, far below double precision)
    expect(loss.shape).toEqual([]);
    expect(loss.item()).toBe(1000);
    loss.backward();
    // (softmax − onehot)/N with softmax = [1, 0, 0] in each row
    expectClose(logits.grad!.data, [0, 0, 0, 1 / 3, -1 / 3, 0, 1 / 3, 0, -1 / 3], 1e-15, 0);
    const f32 = softmaxCrossEntropy(tensor([[1000, -1000], [-1000, 1000]]), [0, 0]);
    expect(f32.item()).toBe(1000);
  });

  it('one-hot targets and every form of index labels give the same loss and gradient (float32 and float64)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const rng = new Rng(3);
      const values = Array.from({ length: 4 * 5 }, () => rng.normal() * 3);
      const labels = [4, 0, 2, 2];
      const run = (target: Parameters<typeof softmaxCrossEntropy>[1]) => {
        const logits = tensor(values, [4, 5], { dtype, requiresGrad: true });
        const loss = softmaxCrossEntropy(logits, target);
        loss.backward();
        return { loss: loss.item(), grad: Array.from(logits.grad!.data) };
      };
      const byIndex = run(labels);
      expect(run(Int32Array.from(labels))).toEqual(byIndex);
      expect(run(tensor(labels, [4], { dtype: 'int32' }))).toEqual(byIndex);
      expect(run(tensor(oneHot(labels, 5), [4, 5], { dtype }))).toEqual(byIndex);
      expect(byIndex.loss).toBeCloseTo(naiveLoss(Float64Array.from(dtype === 'float32' ? Float32Array.from(values) : values), labels, 5), dtype === 'float32' ? 5 : 12);
    }
  });

  it('matches the naive loss for random shapes and scales up to ±1000; gradCheck passes (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(1, 30, 1000),
        fc.integer({ min: 0, max: 1_000_000 }),
        (n, c, scale, seed) => {
          const rng = new Rng(seed);
          const values = Float64Array.from({ length: n * c }, () => (rng.next() * 2 - 1) * scale);
          const labels = Array.from({ length: n }, () => rng.nextInt(c));
          const loss = softmaxCrossEntropy(tensor(values, [n, c], { dtype: 'float64' }), labels);
          const expected = naiveLoss(values, labels, c);
          expect(Math.abs(loss.item() - expected)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected)));
          const loss32 = softmaxCrossEntropy(tensor(Float32Array.from(values), [n, c]), labels).item();
          const expected32 = naiveLoss(Float32Array.from(values), labels, c);
          expect(Math.abs(loss32 - expected32)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(expected32));
          expect(gradCheck((l) => softmaxCrossEntropy(l!, labels), [tensor(values, [n, c], { dtype: 'float64' })])).toBe(true);
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });

  it('is twice differentiable: the createGraph VJP recomputes softmax with ops (gradGradCheck, and vs the saved probabilities)', () => {
    const rng = new Rng(5);
    const logits = tensor(Array.from({ length: 3 * 4 }, () => rng.normal()), [3, 4], { dtype: 'float64' });
    expect(gradGradCheck((l) => softmaxCrossEntropy(l!, [1, 3, 0]), [logits])).toBe(true);
    const soft = tensor(Array.from({ length: 3 * 4 }, () => rng.next()), [3, 4], { dtype: 'float64' });
    expect(gradGradCheck((l, t) => softmaxCrossEntropy(l!, t!), [logits, soft])).toBe(true);
    // first derivatives agree whether the VJP ran recorded (softmax by ops) or not (kernel probabilities)
    const f = (l: ReturnType<typeof tensor>) => softmaxCrossEntropy(l, [1, 3, 0]);
    const recorded = grad(f, { createGraph: true, argnums: 0 })(logits);
    const plain = grad(f, { createGraph: false, argnums: 0 })(logits);
    expect(recorded.requiresGrad).toBe(true);
    expect(plain.requiresGrad).toBe(false);
    expectClose(recorded.data, plain.data, 1e-15, 1e-12);
  });

  it('rejects bad labels with a ValueError naming the index', () => {
    const logits = tensor([[0, 1, 2], [3, 4, 5]]);
    expect(() => softmaxCrossEntropy(logits, [0, 3])).toThrow(ValueError);
    expect(() => softmaxCrossEntropy(logits, [0, 3])).toThrow(/^\[softmaxCrossEntropy\] labels\[1\]: expected an integer class index in \[0, 3\), got 3$/);
    expect(() => softmaxCrossEntropy(logits, [-2, 0])).toThrow(/labels\[0\]: .* got -2$/);
    expect(() => softmaxCrossEntropy(logits, [0.5, 1])).toThrow(/labels\[0\]: .* got 0\.5$/);
    expect(() => softmaxCrossEntropy(logits, [1, Number.NaN])).toThrow(/labels\[1\]: .* got NaN$/);
    expect(() => softmaxCrossEntropy(logits, tensor([0, 7], [2], { dtype: 'int32' }))).toThrow(/labels\[1\]: .* got 7$/);
    expect(() => softmaxCrossEntropy(logits, 'cat' as unknown as number[])).toThrow(ValueError);
  });
});
