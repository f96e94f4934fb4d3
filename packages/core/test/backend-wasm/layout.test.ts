import { beforeAll, describe, expect, it } from 'vitest';
import { referenceBackend } from '@tapegrad/core';
import type { WasmBackend } from '../../src/backend/wasm/index.js';
import { firstDifference, mismatch, rng, threadedBackend, uniform, workersJoin } from './helpers.js';

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await threadedBackend();
});

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

describe('wasm reduceSum vs reference', () => {
  // [shape, axes]: rows, columns, middle axes, non-neighbouring axes, all, none, size-1 axes, and the
  // bias gradients of SimpleConvNet ((N·OH·OW, FN) over rows; NCHW over N, H, W).
  const cases: [number[], number[]][] = [
    [[1], [0]],
    [[3], [0]],
    [[7, 17], [1]],
    [[7, 17], [0]],
    [[33, 65], [0, 1]],
    [[3, 7, 17], [1]],
    [[3, 7, 17, 5], [0, 2]],
    [[3, 7, 17, 5], [1, 3]],
    [[3, 7, 17, 5], [0, 2, 3]],
    [[3, 1, 17, 1], [1, 3]],
    [[3, 1, 17], [1]],
    [[5, 7], []],
    [[65, 1033], [0]],
    [[57600, 30], [0]],
    [[100, 30, 24, 24], [0, 2, 3]],
    [[2, 300_001], [1]],
    [[0, 3], [0]],
  ];
  for (const [shape, axes] of cases) {
    it(`shape [${shape}] axes [${axes}]`, () => {
      const x = uniform(size(shape), size(shape) + axes.length);
      const outShape = shape.filter((_, i) => !axes.includes(i));
      const got = new Float32Array(size(outShape)).fill(Number.NaN);
      const want = new Float32Array(size(outShape));
      wasm.reduceSum(x, shape, axes, got);
      referenceBackend.reduceSum(x, shape, axes, want);
      // sums of many terms that cancel: rtol against the sum of magnitudes
      const scale = new Float32Array(want.length);
      referenceBackend.reduceSum(x.map(Math.abs), shape, axes, scale);
      expect(mismatch(got, want, { scale })).toBeNull();
    });
  }
});

describe('wasm permute vs reference', () => {
  // conv2d's NHWC→NCHW and back, 2-D transposes, batched ones, size-1 axes in the way, identities,
  // and patterns that are not a (batched) transpose (they go to the reference kernel).
  const cases: [number[], number[]][] = [
    [[1], [0]],
    [[3, 7], [1, 0]],
    [[17, 33], [1, 0]],
    [[65, 3], [1, 0]],
    [[5, 33, 17], [0, 2, 1]],
    [[100, 24, 24, 30], [0, 3, 1, 2]],
    [[100, 30, 24, 24], [0, 2, 3, 1]],
    [[7, 1, 3, 1, 5], [0, 4, 1, 3, 2]],
    [[1, 7, 1, 9], [2, 3, 0, 1]],
    [[3, 4, 5], [0, 1, 2]],
    [[3, 4, 5], [1, 0, 2]],
    [[3, 4, 5], [2, 1, 0]],
    [[2, 3, 4, 5], [3, 1, 2, 0]],
    [[0, 4], [1, 0]],
    [[], []],
    [[1000, 701], [1, 0]], // too big to stream: split across the workers
    [[3, 513, 517], [0, 2, 1]],
  ];
  for (const [shape, perm] of cases) {
    it(`shape [${shape}] perm [${perm}]`, () => {
      const x = uniform(size(shape), size(shape) + 5);
      const got = new Float32Array(x.length).fill(Number.NaN);
      const want = new Float32Array(x.length);
      wasm.permute(x, shape, perm, got);
      referenceBackend.permute(x, shape, perm, want);
      expect(mismatch(got, want, { rtol: 0, atol: 0 })).toBeNull();
      // int32 data moves bit for bit too
      const xi = Int32Array.from(x, (v) => Math.round(v * 1e6));
      const gi = new Int32Array(x.length);
      const wi = new Int32Array(x.length);
      wasm.permute(xi, shape, perm, gi);
      referenceBackend.permute(xi, shape, perm, wi);
      expect(firstDifference(gi, wi)).toBeNull();
    });
  }

  it('runs large transposes on the worker threads', () => {
    const x = uniform(1000 * 701, 3);
    const want = new Float32Array(x.length);
    referenceBackend.permute(x, [1000, 701], [1, 0], want);
    const joined = workersJoin(wasm, () => {
      const got = new Float32Array(x.length);
      wasm.permute(x, [1000, 701], [1, 0], got);
      expect(firstDifference(got, want)).toBeNull();
    });
    expect(joined).toBe(true);
  });
});

describe('wasm scatterAdd vs reference', () => {
  // Repeated indices sum, -1 drops a value; sizes from one element to the max-pool backward of SimpleConvNet.
  for (const [count, size] of [[1, 1], [3, 7], [17, 5], [65, 33], [1000, 77], [432_000, 1_728_000], [300_001, 1000]] as const) {
    it(`${count} values into ${size} cells`, () => {
      const r = rng(count + size);
      const g = uniform(count, count);
      const indices = Int32Array.from({ length: count }, () => (r() < 0.1 ? -1 : Math.floor(r() * size)));
      const got = new Float32Array(size); // zero on entry, as the Backend contract says
      const want = new Float32Array(size);
      wasm.scatterAdd(g, indices, got);
      referenceBackend.scatterAdd(g, indices, want);
      expect(mismatch(got, want)).toBeNull();
    });
  }
});
