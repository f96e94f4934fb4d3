import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, randn, tensor } from '@tapegrad/core';
import { CrossEntropyLoss, MSELoss, crossEntropyLoss, mseLoss } from '@tapegrad/nn';

describe('losses', () => {
  it('crossEntropyLoss is the mean of −log softmax at the label (naive float64 loop)', () => {
    const logits = randn([4, 5], { seed: 1, dtype: 'float64', std: 3 });
    const labels = [0, 4, 2, 2];
    let expected = 0;
    for (let n = 0; n < 4; n++) {
      const row = Array.from(logits.data.slice(n * 5, n * 5 + 5));
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      expected += (lse - row[labels[n]!]!) / 4;
    }
    expect(crossEntropyLoss(logits, labels).item()).toBeCloseTo(expected, 12);
    expect(new CrossEntropyLoss().forward(logits, new Int32Array(labels)).item()).toBeCloseTo(expected, 12);
  });

  it('mseLoss is mean((y − t)²) with gradient 2(y − t)/n', () => {
    const y = tensor([1, 2, 3, 5], [2, 2], { dtype: 'float64', requiresGrad: true });
    const t = tensor([0, 2, 1, 1], [2, 2], { dtype: 'float64' });
    const loss = new MSELoss().forward(y, t);
    expect(loss.shape).toEqual([]);
    expect(loss.item()).toBeCloseTo((1 + 0 + 4 + 16) / 4, 14);
    loss.backward();
    expect(Array.from(y.grad!.data)).toEqual([0.5, 0, 1, 2]);
  });

  it('mseLoss never broadcasts or mixes dtypes', () => {
    expect(() => mseLoss(tensor([1, 2]), tensor([1]))).toThrow(ShapeError);
    expect(() => mseLoss(tensor([1, 2]), tensor([1]))).toThrow(/^\[mseLoss\] t: expected shape \[2\] to match y \(no broadcasting\), got shape \[1\]$/);
    expect(() => mseLoss(tensor([1]), tensor([1], undefined, { dtype: 'float64' }))).toThrow(DTypeError);
  });
});
