import { describe, expect, it } from 'vitest';
import { Rng, dropout, gradCheck, gradGradCheck, localResponseNorm, mul, noGrad, ones, randn, sum, tensor, zeros } from '@tapegrad/core';
import { FLOAT32_TOLERANCE, FLOAT64_TOLERANCE, buildInputs, compare, toRef, toTensor } from '../op-table/helpers.js';
import { nnRows, refLocalResponseNorm } from './rows-nn.js';

// The generic op-table runner, applied to nn's rows: forward vs reference (float64 and float32),
// gradCheck in float64, and every error case by class and message.
describe.each(nnRows.map((r) => [r.op, r] as const))('%s', (_, r) => {
  for (const sample of r.samples) {
    it(`forward matches the reference: ${sample.label}`, () => {
      const inputs = buildInputs(r.op, sample);
      const expected = r.reference(inputs, sample.attrs);
      for (const [dtype, tol] of [['float64', FLOAT64_TOLERANCE], ['float32', FLOAT32_TOLERANCE]] as const) {
        const got = toRef(r.run(inputs.map((x) => toTensor(x, dtype)), sample.attrs));
        // float32 inputs are rounded: compare against the reference on the rounded values
        const exp = dtype === 'float64' ? expected : r.reference(inputs.map((x) => ({ ...x, data: Float64Array.from(Float32Array.from(x.data)) })), sample.attrs);
        expect(compare(got, exp, tol), dtype).toBeNull();
      }
    });
    if (r.gradCheck !== false) {
      it(`gradCheck in float64: ${sample.label}`, () => {
        const inputs = buildInputs(r.op, sample).map((x) => toTensor(x, 'float64', true));
        expect(gradCheck((...xs) => r.run(xs, sample.attrs), inputs, r.gradCheck ?? {})).toBe(true);
      });
    }
  }
  for (const e of r.errors) {
    it(`rejects ${e.label}`, () => {
      expect(e.call).toThrow(e.error);
      expect(e.call).toThrow(e.message);
    });
  }
});

describe('dropout', () => {
  it('keeps about 1 − p of the elements, scaled by 1/(1 − p), so the mean is preserved', () => {
    const x = ones([100_000]);
    const y = dropout(x, 0.3, { seed: 123 });
    const kept = Array.from(y.data).filter((v) => v !== 0);
    expect(kept.length / x.size).toBeGreaterThan(0.69);
    expect(kept.length / x.size).toBeLessThan(0.71);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.7)]));
    expect(sum(y).item() / x.size).toBeCloseTo(1, 1);
  });

  it('returns x itself when not training, and with p = 0', () => {
    const x = randn([3, 4], { seed: 0 });
    expect(dropout(x, 0.5, { seed: 1, training: false })).toBe(x);
    expect(dropout(x, 0, { seed: 1 })).toBe(x);
  });

  it('is reproducible from a seed, and an rng advances between calls', () => {
    const x = ones([50]);
    expect(Array.from(dropout(x, 0.5, { seed: 9 }).data)).toEqual(Array.from(dropout(x, 0.5, { seed: 9 }).data));
    const rng = new Rng(9);
    const a = dropout(x, 0.5, { rng });
    const b = dropout(x, 0.5, { rng });
    expect(Array.from(a.data)).toEqual(Array.from(dropout(x, 0.5, { seed: 9 }).data));
    expect(Array.from(b.data)).not.toEqual(Array.from(a.data));
  });

  it('records the mask: the gradient is the mask itself (zero where dropped, 1/(1 − p) where kept)', () => {
    const x = randn([200], { seed: 2, requiresGrad: true });
    const y = dropout(x, 0.25, { seed: 4 });
    sum(y).backward();
    const g = Array.from(x.grad!.data);
    const mask = Array.from(dropout(ones([200]), 0.25, { seed: 4 }).data);
    expect(g).toEqual(mask);
    expect(g.some((v) => v === 0)).toBe(true);
  });

  it('records nothing under noGrad', () => {
    const x = randn([10], { seed: 2, requiresGrad: true });
    expect(noGrad(() => dropout(x, 0.5, { seed: 1 })).requiresGrad).toBe(false);
  });
});

describe('localResponseNorm', () => {
  it('uses PyTorch defaults (alpha 1e-4, beta 0.75, k 1) and matches a hand value', () => {
    // one pixel, channels [1, 2, 3], size 3: channel 1 sees 1² + 2² + 3² = 14
    const x = tensor([1, 2, 3], [1, 3, 1, 1], { dtype: 'float64' });
    const y = localResponseNorm(x, { size: 3 });
    expect(y.data[1]).toBeCloseTo(2 / (1 + (1e-4 / 3) * 14) ** 0.75, 14);
    expect(y.data[0]).toBeCloseTo(1 / (1 + (1e-4 / 3) * 5) ** 0.75, 14);
  });

  it('passes empty inputs through with their shape (any zero dimension)', () => {
    for (const shape of [[1, 0, 2, 2], [0, 3, 2, 2], [1, 3, 0, 2], [1, 3, 2, 0]]) {
      expect(localResponseNorm(zeros(shape), { size: 3 }).shape).toEqual(shape);
    }
  });

  it('matches the reference on a larger AlexNet-like activation in float32', () => {
    const x = randn([2, 16, 5, 5], { seed: 8, std: 3 });
    const a = { size: 5, alpha: 1e-4, beta: 0.75, k: 2 };
    expect(compare(toRef(localResponseNorm(x, a)), refLocalResponseNorm(toRef(x), a), FLOAT32_TOLERANCE)).toBeNull();
  });

  it('has second derivatives: its composition passes gradGradCheck, and so does dropout', () => {
    const x = randn([1, 4, 2, 2], { seed: 3, dtype: 'float64' });
    expect(gradGradCheck((x) => localResponseNorm(x, { size: 3, alpha: 1, beta: 0.75, k: 1 }), [x])).toBe(true);
    expect(gradGradCheck((x) => mul(dropout(x, 0.5, { seed: 2 }), x), [x])).toBe(true);
  });
});
