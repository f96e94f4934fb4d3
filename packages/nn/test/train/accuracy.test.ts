import { describe, expect, it } from 'vitest';
import { Rng, ShapeError, tensor } from '@tapegrad/core';
import { ShuffledBatches, countCorrect } from '@tapegrad/nn';

describe('countCorrect', () => {
  it('counts argmax hits against class indices or one-hot rows', () => {
    const logits = tensor([[0, 2, 1], [3, 1, 0], [0, 0, 5], [1, 1, 0]]);
    expect(countCorrect(logits, tensor([1, 0, 1, 0], [4], { dtype: 'int32' }))).toBe(3); // ties: first max wins
    expect(countCorrect(logits, tensor([[0, 1, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0]]))).toBe(2);
    expect(() => countCorrect(logits, tensor([1, 0], [2], { dtype: 'int32' }))).toThrow(ShapeError);
  });
});

describe('ShuffledBatches', () => {
  it('visits every example once per epoch, in a seeded order, and resumes from its state', () => {
    const x = tensor(Array.from({ length: 10 }, (_, i) => i), [10, 1]);
    const t = tensor(Array.from({ length: 10 }, (_, i) => i), [10], { dtype: 'int32' });
    const epochOf = (b: ShuffledBatches) => [...b.epoch()].map((batch) => Array.from(batch.t.data));
    const a = new ShuffledBatches(x, t, 4, 9);
    const e1 = epochOf(a);
    expect(e1.map((r) => r.length)).toEqual([4, 4, 2]);
    expect(e1.flat().sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const state = a.getState();
    const e2 = epochOf(a);
    expect(e2).not.toEqual(e1);
    const b = new ShuffledBatches(x, t, 4, 123);
    b.setState(state);
    expect(epochOf(b)).toEqual(e2);
    expect(state.rng).toHaveLength(4);
    expect(new Rng(9).permutation(10)).toEqual(Int32Array.from(e1.flat()));
  });
});
