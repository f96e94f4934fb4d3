import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, avgPool2d, gradCheck, gradGradCheck, maxPool2d, sum, tensor } from '@tapegrad/core';
import { type ConvCase, both, expectClose, poolCase, uniform } from './arbitraries.js';
import { naiveAvgPool2d, naiveMaxPool2d, outSize } from './naive.js';

const opts = (g: ConvCase) => ({ kernel: [g.kh, g.kw] as [number, number], stride: [g.sh, g.sw] as [number, number], pad: [g.ph, g.pw] as [number, number] });
const xShape = (g: ConvCase) => [g.n, g.c, g.h, g.w];
const size = (s: number[]) => s.reduce((p, d) => p * d, 1);

/** Distinct values (a shuffled spread, gaps ≫ the finite-difference step) so the maxima are unambiguous. */
function distinct(n: number, seed: number): Float64Array {
  const perm = new Rng(seed).permutation(n);
  return Float64Array.from(perm, (p) => (p - n / 2) * 0.05);
}

describe('maxPool2d properties (fast-check, fixed seed)', () => {
  it('values and gradient routing match a nested-loop reference in float64', () => {
    fc.assert(
      fc.property(poolCase, (g) => {
        const x = tensor(uniform(size(xShape(g)), g.seed), xShape(g), { dtype: 'float64', requiresGrad: true });
        const y = maxPool2d(x, opts(g));
        const ref = naiveMaxPool2d(x.data, g);
        expect(y.shape).toEqual([g.n, g.c, ...outSize(g)]);
        expectClose(y.data, ref.out, 0, 0);
        // d sum(y·dy)/dx puts each dy at its window's (first) maximum
        const dy = tensor(uniform(y.size, g.seed + 7), y.shape, { dtype: 'float64' });
        y.backward(dy);
        const dx = new Float64Array(x.size);
        ref.arg.forEach((j, o) => (dx[j]! += dy.data[o]!));
        expectClose(x.grad!.data, dx, 1e-15, 0);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('float32 results equal float64 on the same inputs (max is exact)', () => {
    fc.assert(
      fc.property(poolCase, (g) => {
        const v = both(uniform(size(xShape(g)), g.seed), xShape(g));
        expectClose(maxPool2d(v.f32, opts(g)).data, maxPool2d(v.rounded, opts(g)).data, 1e-5, 1e-4);
      }),
      { seed: 43, numRuns: 100 },
    );
  });

  it('passes gradCheck and gradGradCheck in float64 (distinct values)', () => {
    fc.assert(
      fc.property(poolCase, (g) => {
        const x = tensor(distinct(size(xShape(g)), g.seed), xShape(g), { dtype: 'float64' });
        expect(gradCheck((t) => maxPool2d(t!, opts(g)), [x])).toBe(true);
        expect(gradGradCheck((t) => maxPool2d(t!, opts(g)), [x])).toBe(true);
      }),
      { seed: 44, numRuns: 30 },
    );
  });

  it('on ties the gradient goes to the first maximum in row-major window order', () => {
    // 1×1×3×4, 2×2 windows with stride [1,2]: every window holds several 5s
    const x = tensor([5, 1, 5, 5, 5, 5, 0, 5, 2, 5, 5, 5], [1, 1, 3, 4], { dtype: 'float64', requiresGrad: true });
    const y = maxPool2d(x, { kernel: 2, stride: [1, 2] });
    expect(y.toArray()).toEqual([[[[5, 5], [5, 5]]]]);
    sum(y).backward();
    // window (0,0) → flat 0; (0,1) → flat 2; (1,0) → flat 4 (row 1, col 0); (1,1) → flat 7 (row 1, col 3)
    expect(Array.from(x.grad!.data)).toEqual([1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('tie rule holds on random inputs with many ties (small integers)', () => {
    fc.assert(
      fc.property(poolCase, (g) => {
        const rng = new Rng(g.seed);
        const vals = Float64Array.from({ length: size(xShape(g)) }, () => rng.nextInt(3));
        const x = tensor(vals, xShape(g), { dtype: 'float64', requiresGrad: true });
        sum(maxPool2d(x, opts(g))).backward();
        const dx = new Float64Array(x.size);
        for (const j of naiveMaxPool2d(vals, g).arg) dx[j]!++;
        expect(Array.from(x.grad!.data)).toEqual(Array.from(dx));
      }),
      { seed: 45, numRuns: 100 },
    );
  });

  it('padding counts as −inf: an all-negative input pools to its own values, not 0', () => {
    const x = tensor([-3, -1, -2, -4], [1, 1, 2, 2], { dtype: 'float64' });
    expect(maxPool2d(x, { kernel: 2, stride: 1, pad: 1 }).toArray()).toEqual([[[[-3, -1, -1], [-2, -1, -1], [-2, -2, -4]]]]);
  });
});

describe('avgPool2d properties (fast-check, fixed seed)', () => {
  for (const countIncludePad of [true, false]) {
    it(`matches a nested-loop reference in float64 (countIncludePad ${countIncludePad})`, () => {
      fc.assert(
        fc.property(poolCase, (g) => {
          const vals = uniform(size(xShape(g)), g.seed);
          const y = avgPool2d(tensor(vals, xShape(g), { dtype: 'float64' }), { ...opts(g), countIncludePad });
          expect(y.shape).toEqual([g.n, g.c, ...outSize(g)]);
          expectClose(y.data, naiveAvgPool2d(vals, g, countIncludePad), 1e-14, 1e-12);
        }),
        { seed: 46, numRuns: 200 },
      );
    });

    it(`float32 within rtol 1e-4 / atol 1e-5 of float64, gradCheck and gradGradCheck pass (countIncludePad ${countIncludePad})`, () => {
      fc.assert(
        fc.property(poolCase, (g) => {
          const o = { ...opts(g), countIncludePad };
          const v = both(uniform(size(xShape(g)), g.seed), xShape(g));
          expectClose(avgPool2d(v.f32, o).data, avgPool2d(v.rounded, o).data, 1e-5, 1e-4);
          expect(gradCheck((t) => avgPool2d(t!, o), [v.f64])).toBe(true);
          expect(gradGradCheck((t) => avgPool2d(t!, o), [v.f64])).toBe(true);
        }),
        { seed: 47, numRuns: 30 },
      );
    });
  }

  it('countIncludePad: true divides by the whole window, false by the real cells only', () => {
    const x = tensor([4, 8, 12, 16], [1, 1, 2, 2], { dtype: 'float64' });
    const o = { kernel: 2, stride: 1, pad: 1 };
    // corner windows hold one real cell, edge windows two, the centre four
    expect(avgPool2d(x, o).toArray()).toEqual([[[[1, 3, 2], [4, 10, 6], [3, 7, 4]]]]);
    expect(avgPool2d(x, { ...o, countIncludePad: false }).toArray()).toEqual([[[[4, 6, 8], [8, 10, 12], [12, 14, 16]]]]);
  });
});
