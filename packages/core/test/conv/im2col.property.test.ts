import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { col2im, gradCheck, gradGradCheck, im2col, tensor } from '@tapegrad/core';
import { type ConvCase, convCase, expectClose, uniform } from './arbitraries.js';
import { naiveIm2col, outSize } from './naive.js';

const opts = (g: ConvCase) => ({ kernel: [g.kh, g.kw] as [number, number], stride: [g.sh, g.sw] as [number, number], pad: [g.ph, g.pw] as [number, number] });
const xShape = (g: ConvCase) => [g.n, g.c, g.h, g.w];
const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

describe('im2col / col2im (fast-check, fixed seed)', () => {
  it('im2col matches the book definition: row (n,oy,ox), column (c,ky,kx), zero padding', () => {
    fc.assert(
      fc.property(convCase, (g) => {
        const vals = uniform(size(xShape(g)), g.seed);
        const col = im2col(tensor(vals, xShape(g), { dtype: 'float64' }), opts(g));
        const [oh, ow] = outSize(g);
        expect(col.shape).toEqual([g.n * oh * ow, g.c * g.kh * g.kw]);
        expectClose(col.data, naiveIm2col(vals, g), 0, 0);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('they are adjoint: <col2im(c), x> = <c, im2col(x)>, in float64 and float32', () => {
    fc.assert(
      fc.property(convCase, (g) => {
        const o = opts(g);
        for (const dtype of ['float64', 'float32'] as const) {
          const x = tensor(uniform(size(xShape(g)), g.seed), xShape(g), { dtype });
          const colX = im2col(x, o);
          const c = tensor(uniform(colX.size, g.seed + 1), colX.shape, { dtype });
          const lhs = dot(col2im(c, x.shape, o).data, x.data);
          const rhs = dot(c.data, colX.data);
          const tol = dtype === 'float64' ? 1e-12 : 1e-5;
          expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(tol * (1 + Math.abs(rhs)));
        }
      }),
      { seed: 43, numRuns: 200 },
    );
  });

  it('each one’s VJP is the other: gradCheck and gradGradCheck pass in float64', () => {
    fc.assert(
      fc.property(convCase, (g) => {
        const o = opts(g);
        const x = tensor(uniform(size(xShape(g)), g.seed), xShape(g), { dtype: 'float64' });
        expect(gradCheck((t) => im2col(t!, o), [x])).toBe(true);
        const c = tensor(uniform(im2col(x, o).size, g.seed + 1), im2col(x, o).shape, { dtype: 'float64' });
        expect(gradCheck((t) => col2im(t!, x.shape, o), [c])).toBe(true);
        expect(gradGradCheck((t) => im2col(t!, o), [x])).toBe(true);
      }),
      { seed: 44, numRuns: 25 },
    );
  });
});
