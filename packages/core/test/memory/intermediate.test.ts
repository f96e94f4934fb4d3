import { afterEach, describe, expect, it } from 'vitest';
import {
  type Tensor,
  ValueError,
  arrayPoolStats,
  conv2d,
  getBackend,
  intermediates,
  listBackends,
  noGrad,
  markIntermediate,
  matmul,
  maxPool2d,
  randn,
  reshape,
  setBackend,
  sigmoid,
  softmaxCrossEntropy,
  tensor,
} from '@tapegrad/core';
import { clearPool, setPoolEnabled, setPoolPoison, takePooled } from '../../src/memory/array-pool.js';

/*
 * markIntermediate: an activation its caller passes on and never keeps is reused once backward has
 * run its consumers and its producer. Checked with every given-back array poisoned (NaN), against a
 * run that reuses nothing: a read after release would change a loss or a gradient.
 */

const initial = listBackends().includes('wasm') ? 'wasm' : 'reference';
afterEach(() => {
  setPoolPoison(null);
  setPoolEnabled(true);
  setBackend(initial);
});

/**
 * conv → sigmoid (its VJP reads its own output) → pool → dense; the activations marked ('mark') or made
 * inside intermediates ('scope'), or neither.
 */
function steps(mode: 'none' | 'mark' | 'scope', count: number): number[][] {
  const mark = mode === 'mark';
  const scope = <T>(fn: () => T): T => (mode === 'scope' ? intermediates(fn) : fn());
  const w1 = randn([8, 3, 3, 3], { seed: 1, dtype: 'float32', requiresGrad: true });
  const w2 = randn([8 * 9 * 9, 10], { seed: 2, dtype: 'float32', requiresGrad: true });
  const labels = tensor(Int32Array.from({ length: 8 }, (_, i) => i % 10), [8], { dtype: 'int32' });
  const m = (t: Tensor) => (mark ? markIntermediate(t) : t);
  const out: number[][] = [];
  for (let s = 0; s < count; s++) {
    const x = randn([8, 3, 20, 20], { seed: 10 + s, dtype: 'float32' });
    w1.grad = null;
    w2.grad = null;
    const c = m(scope(() => conv2d(x, w1)));
    const a = m(scope(() => sigmoid(c)));
    const p = m(scope(() => maxPool2d(a, { kernel: 2 })));
    const loss = softmaxCrossEntropy(matmul(reshape(p, [8, 8 * 9 * 9]), w2), labels);
    loss.backward();
    out.push([loss.item(), ...w1.grad!.data, ...w2.grad!.data]);
  }
  return out;
}

for (const backend of listBackends()) {
  describe(`markIntermediate (${backend} backend)`, () => {
    it('reuses marked activations after backward, with results bit-identical to no reuse (sigmoid saves its output)', () => {
      setBackend(backend);
      setPoolEnabled(false);
      const plain = steps('none', 4);
      setPoolEnabled(true);
      for (const mode of ['mark', 'scope'] as const) {
        clearPool();
        setPoolPoison(Number.NaN);
        const before = arrayPoolStats().givenBack;
        const reused = steps(mode, 4);
        setPoolPoison(null);
        expect(arrayPoolStats().givenBack - before, mode).toBeGreaterThan(4 * 2);
        expect(reused, mode).toEqual(plain);
      }
    });

    it('intermediates under noGrad just runs its function: nothing marked, nothing in wasm memory', () => {
      setBackend(backend);
      const x = randn([8, 3, 20, 20], { seed: 7, dtype: 'float32' });
      const w = randn([8, 3, 3, 3], { seed: 8, dtype: 'float32', requiresGrad: true });
      const before = arrayPoolStats().givenBack;
      const y = noGrad(() => intermediates(() => sigmoid(conv2d(x, w))));
      expect(getBackend().resident?.has(y.data) ?? false).toBe(false);
      y.sum(); // nothing recorded, nothing to give back
      expect(arrayPoolStats().givenBack).toBe(before);
    });
  });
}

describe('markIntermediate', () => {
  it('gives the array back only once backward has freed the graph (not with retainGraph), views included', () => {
    for (const retainGraph of [true, false]) {
      clearPool();
      const w = randn([64, 64], { seed: 3, dtype: 'float32', requiresGrad: true });
      const h = markIntermediate(matmul(randn([512, 64], { seed: 4, dtype: 'float32' }), w)); // 128 KiB
      const v = reshape(h, [64, 512]); // a view: same array
      v.sum().backward(undefined, { retainGraph });
      const back = takePooled('float32', 512 * 64);
      if (retainGraph) expect(back).toBeUndefined();
      else expect(back).toBe(h.data);
    }
  });

  it('leaves small arrays and unrecorded tensors alone, and names a bad argument', () => {
    clearPool();
    const small = markIntermediate(randn([10, 10], { seed: 5, requiresGrad: true }).mul(2));
    small.sum().backward();
    expect(takePooled('float32', 100)).toBeUndefined();
    const t = randn([256, 256], { seed: 6 });
    expect(markIntermediate(t)).toBe(t);
    expect(() => markIntermediate(null as unknown as Tensor)).toThrow(ValueError);
    expect(() => markIntermediate(null as unknown as Tensor)).toThrow(/^\[markIntermediate\] t: expected a Tensor, got null/);
  });
});
