import { Rng, ShapeError, Tensor, ValueError, tensor } from '@tapegrad/core';
import { DataLoader, type DataLoaderOptions } from '@tapegrad/datasets';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** x (n, 2, 3) whose example i holds values 6i..6i+5; t (n) int32 holding i, so every row names its index. */
function dataset(n: number): { x: Tensor; t: Tensor } {
  const x = tensor(Array.from({ length: n * 6 }, (_, i) => i), [n, 2, 3]);
  const t = tensor(Array.from({ length: n }, (_, i) => i), [n], { dtype: 'int32' });
  return { x, t };
}

/** The example indices of one epoch, batch by batch, checking that x and t rows stay paired. */
function epoch(loader: DataLoader): number[][] {
  const out: number[][] = [];
  for (const { x, t } of loader) {
    const ids = Array.from(t.data);
    expect(x.shape).toEqual([ids.length, 2, 3]);
    expect(x.dtype).toBe('float32');
    expect(t.dtype).toBe('int32');
    ids.forEach((id, row) => {
      expect(Array.from(x.data.subarray(row * 6, row * 6 + 6))).toEqual([0, 1, 2, 3, 4, 5].map((k) => id * 6 + k));
    });
    out.push(ids);
  }
  return out;
}

describe('DataLoader', () => {
  it('without shuffle yields the examples in order, with a last partial batch', () => {
    const { x, t } = dataset(10);
    const loader = new DataLoader(x, t, { batchSize: 4 });
    expect(loader.length).toBe(3);
    expect(epoch(loader)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(epoch(loader)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('dropLast drops the last partial batch only', () => {
    const { x, t } = dataset(10);
    const loader = new DataLoader(x, t, { batchSize: 4, dropLast: true, shuffle: true, seed: 3 });
    expect(loader.length).toBe(2);
    const batches = epoch(loader);
    expect(batches.map((b) => b.length)).toEqual([4, 4]);
    expect(new Set(batches.flat()).size).toBe(8);
    const exact = new DataLoader(x, t, { batchSize: 5, dropLast: true });
    expect(exact.length).toBe(2);
    expect(epoch(exact)).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
    // a batch larger than the data: one partial batch, or none with dropLast
    expect(epoch(new DataLoader(x, t, { batchSize: 64 }))).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    expect(new DataLoader(x, t, { batchSize: 64, dropLast: true }).length).toBe(0);
    expect(epoch(new DataLoader(x, t, { batchSize: 64, dropLast: true }))).toEqual([]);
  });

  it('shuffled epochs cover every index exactly once, in batches of batchSize (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (n, batchSize, seed) => {
        const { x, t } = dataset(n);
        const loader = new DataLoader(x, t, { batchSize, shuffle: true, seed });
        expect(loader.length).toBe(Math.ceil(n / batchSize));
        for (let e = 0; e < 3; e++) {
          const batches = epoch(loader);
          expect(batches.length).toBe(loader.length);
          batches.slice(0, -1).forEach((b) => expect(b.length).toBe(batchSize));
          expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        }
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('the same seed gives the same epochs; epochs differ; seeds differ', () => {
    const { x, t } = dataset(50);
    const a = new DataLoader(x, t, { batchSize: 8, shuffle: true, seed: 7 });
    const b = new DataLoader(x, t, { batchSize: 8, shuffle: true, seed: 7 });
    const c = new DataLoader(x, t, { batchSize: 8, shuffle: true, seed: 8 });
    const a1 = epoch(a).flat();
    const a2 = epoch(a).flat();
    expect(epoch(b).flat()).toEqual(a1);
    expect(epoch(b).flat()).toEqual(a2);
    expect(a2).not.toEqual(a1);
    expect(epoch(c).flat()).not.toEqual(a1);
    expect(a1).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    // the order is the core Rng's permutation stream for this seed
    const rng = new Rng(7);
    expect(a1).toEqual(Array.from(rng.permutation(50)));
    expect(a2).toEqual(Array.from(rng.permutation(50)));
  });

  it('getState/setState resumes with the very next epoch', () => {
    const { x, t } = dataset(30);
    const original = new DataLoader(x, t, { batchSize: 7, shuffle: true, seed: 11 });
    epoch(original);
    epoch(original);
    const saved = original.getState();
    expect(saved.epoch).toBe(2);
    // a JSON round trip, as through a checkpoint
    const restoredState = JSON.parse(JSON.stringify(saved));
    const third = epoch(original);
    const fourth = epoch(original);
    expect(original.epoch).toBe(4);

    const resumed = new DataLoader(x, t, { batchSize: 7, shuffle: true, seed: 999 });
    resumed.setState(restoredState);
    expect(resumed.epoch).toBe(2);
    expect(epoch(resumed)).toEqual(third);
    expect(epoch(resumed)).toEqual(fourth);
    // the same loader, rewound
    original.setState(saved);
    expect(epoch(original)).toEqual(third);
  });

  it('draws the order when an epoch begins, however far the caller iterates', () => {
    const { x, t } = dataset(20);
    const a = new DataLoader(x, t, { batchSize: 5, shuffle: true, seed: 1 });
    const b = new DataLoader(x, t, { batchSize: 5, shuffle: true, seed: 1 });
    // a: break after one batch; b: never call next() at all
    for (const _batch of a) break;
    b[Symbol.iterator]();
    expect(a.getState()).toEqual(b.getState());
    expect(epoch(a)).toEqual(epoch(b));
  });

  it('batches are copies: mutating one leaves the dataset and later epochs intact', () => {
    const { x, t } = dataset(6);
    const loader = new DataLoader(x, t, { batchSize: 6 });
    const [first] = [...loader];
    first!.x.data.fill(-1);
    first!.t.data.fill(-1);
    expect(x.data[0]).toBe(0);
    expect(t.data[5]).toBe(5);
    expect(epoch(loader)).toEqual([[0, 1, 2, 3, 4, 5]]);
  });

  it('handles float64 and one-hot (N, C) targets and 1-D x', () => {
    const x = tensor([10, 11, 12, 13], [4], { dtype: 'float64' });
    const t = tensor([1, 0, 0, 1, 1, 0, 0, 1], [4, 2]);
    const batches = [...new DataLoader(x, t, { batchSize: 3 })];
    expect(batches.map((b) => b.x.shape)).toEqual([[3], [1]]);
    expect(batches[0]!.x.dtype).toBe('float64');
    expect(Array.from(batches[1]!.x.data)).toEqual([13]);
    expect(batches[1]!.t.shape).toEqual([1, 2]);
    expect(Array.from(batches[1]!.t.data)).toEqual([0, 1]);
  });

  it('rejects bad arguments with typed errors', () => {
    const { x, t } = dataset(10);
    const make = (options: unknown, xx: unknown = x, tt: unknown = t) => () =>
      new DataLoader(xx as Tensor, tt as Tensor, options as DataLoaderOptions);
    expect(make({ batchSize: 2 }, x, dataset(9).t)).toThrow(ShapeError);
    expect(make({ batchSize: 2 }, x, dataset(9).t)).toThrow(/\[DataLoader\] t: expected first dimension 10 to match x \[10,2,3\], got shape \[9\]/);
    expect(make({ batchSize: 2 }, tensor(3))).toThrow(ShapeError);
    expect(make({ batchSize: 2 }, dataset(0).x, dataset(0).t)).toThrow(/x: expected at least one example, got shape \[0,2,3\]/);
    expect(make({ batchSize: 2 }, [1, 2, 3])).toThrow(ValueError);
    expect(make({ batchSize: 0 })).toThrow(/batchSize: expected a positive integer, got 0/);
    expect(make({ batchSize: 2.5 })).toThrow(ValueError);
    expect(make({ batchSize: -1 })).toThrow(ValueError);
    expect(make({})).toThrow(/batchSize: expected a positive integer, got undefined/);
    expect(make(undefined)).toThrow(ValueError);
    expect(make({ batchSize: 2, seed: 0.5 })).toThrow(/seed: expected an integer, got 0.5/);
    expect(make({ batchSize: 2, shuffle: 'yes' })).toThrow(/shuffle: expected a boolean, got "yes"/);
    expect(make({ batchSize: 2, dropLast: 1 })).toThrow(ValueError);
    expect(make({ batchSize: 2, batch_size: 3 })).toThrow(/options: expected only batchSize, shuffle, seed, dropLast, got unknown option 'batch_size'/);

    const loader = new DataLoader(x, t, { batchSize: 2 });
    expect(() => loader.setState({ epoch: -1, rng: [1, 2, 3, 4] })).toThrow(/\[DataLoader.setState\] epoch: expected a non-negative integer, got -1/);
    expect(() => loader.setState({ epoch: 0, rng: [1, 2, 3] })).toThrow(/rng: expected four uint32 values, got \[1,2,3\]/);
    expect(() => loader.setState({ epoch: 0, rng: [1, 2, 3, 2 ** 32] })).toThrow(ValueError);
    expect(() => loader.setState(null as never)).toThrow(ValueError);
  });
});
