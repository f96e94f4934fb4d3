import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conv2d, gradCheck, gradGradCheck, tensor } from '@tapegrad/core';
import { type ConvCase, both, convCase, expectClose, uniform } from './arbitraries.js';
import { naiveConv2d } from './naive.js';

function inputs(g: ConvCase) {
  const xShape = [g.n, g.c, g.h, g.w];
  const wShape = [g.fn, g.c, g.kh, g.kw];
  const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
  return {
    xShape,
    wShape,
    x: uniform(size(xShape), g.seed),
    w: uniform(size(wShape), g.seed + 1),
    b: g.bias ? uniform(g.fn, g.seed + 2) : null,
  };
}

const opts = (g: ConvCase) => ({ stride: [g.sh, g.sw] as [number, number], pad: [g.ph, g.pw] as [number, number] });

describe('conv2d properties (fast-check, fixed seed)', () => {
  it('matches a direct nested-loop cross-correlation in float64', () => {
    fc.assert(
      fc.property(convCase, (g) => {
        const { xShape, wShape, x, w, b } = inputs(g);
        const out = conv2d(tensor(x, xShape, { dtype: 'float64' }), tensor(w, wShape, { dtype: 'float64' }), b && tensor(b, [g.fn], { dtype: 'float64' }), opts(g));
        const oh = Math.floor((g.h + 2 * g.ph - g.kh) / g.sh) + 1;
        const ow = Math.floor((g.w + 2 * g.pw - g.kw) / g.sw) + 1;
        expect(out.shape).toEqual([g.n, g.fn, oh, ow]);
        expectClose(out.data, naiveConv2d(x, w, b, g.fn, g), 1e-12, 1e-12);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('float32 results stay within rtol 1e-4 / atol 1e-5 of float64 on the same inputs', () => {
    fc.assert(
      fc.property(convCase, (g) => {
        const { xShape, wShape, x, w, b } = inputs(g);
        const xs = both(x, xShape);
        const ws = both(w, wShape);
        const bs = b && both(b, [g.fn]);
        const out32 = conv2d(xs.f32, ws.f32, bs?.f32, opts(g));
        const out64 = conv2d(xs.rounded, ws.rounded, bs?.rounded, opts(g));
        expect(out32.dtype).toBe('float32');
        expectClose(out32.data, out64.data, 1e-5, 1e-4);
      }),
      { seed: 43, numRuns: 100 },
    );
  });

  it('gradients of x, w and b pass gradCheck in float64', () => {
    fc.assert(
      fc.property(convCase, (g) => {
        const { xShape, wShape, x, w, b } = inputs(g);
        const args = [tensor(x, xShape, { dtype: 'float64' }), tensor(w, wShape, { dtype: 'float64' })];
        if (b) args.push(tensor(b, [g.fn], { dtype: 'float64' }));
        expect(gradCheck((xx, ww, bb) => conv2d(xx!, ww!, bb, opts(g)), args)).toBe(true);
      }),
      { seed: 44, numRuns: 30 },
    );
  });

  it('is twice differentiable: gradGradCheck passes in float64', () => {
    fc.assert(
      fc.property(convCase, (g) => {
        const { xShape, wShape, x, w, b } = inputs(g);
        const args = [tensor(x, xShape, { dtype: 'float64' }), tensor(w, wShape, { dtype: 'float64' })];
        if (b) args.push(tensor(b, [g.fn], { dtype: 'float64' }));
        expect(gradGradCheck((xx, ww, bb) => conv2d(xx!, ww!, bb, opts(g)), args)).toBe(true);
      }),
      { seed: 45, numRuns: 10 },
    );
  });

  it('many channels, batch 1: 64 input channels, 16 filters, non-square kernel and padding', () => {
    const g = { n: 1, c: 64, h: 9, w: 7, kh: 3, kw: 2, sh: 1, sw: 2, ph: 1, pw: 0 };
    const x = uniform(64 * 9 * 7, 11);
    const w = uniform(16 * 64 * 3 * 2, 12);
    const b = uniform(16, 13);
    const out = conv2d(tensor(x, [1, 64, 9, 7], { dtype: 'float64' }), tensor(w, [16, 64, 3, 2], { dtype: 'float64' }), tensor(b, [16], { dtype: 'float64' }), { stride: [1, 2], pad: [1, 0] });
    expect(out.shape).toEqual([1, 16, 9, 3]);
    expectClose(out.data, naiveConv2d(x, w, b, 16, g), 1e-12, 1e-12);
  });

  it('the input gradient equals the adjoint: <conv(x), dy> differentiated by hand via naive loops', () => {
    // dx[n,c,y,x] = Σ dy[n,f,oy,ox]·w[f,c,ky,kx] over the windows covering (y,x): an independent check of
    // the im2col/col2im route for a non-square, strided, padded case
    const g = { n: 2, c: 2, h: 6, w: 5, kh: 3, kw: 2, sh: 2, sw: 1, ph: 1, pw: 2 };
    const fn = 3;
    const x = tensor(uniform(2 * 2 * 6 * 5, 1), [2, 2, 6, 5], { dtype: 'float64', requiresGrad: true });
    const w = tensor(uniform(fn * 2 * 3 * 2, 2), [fn, 2, 3, 2], { dtype: 'float64', requiresGrad: true });
    const y = conv2d(x, w, null, { stride: [2, 1], pad: [1, 2] });
    const dy = tensor(uniform(y.size, 3), y.shape, { dtype: 'float64' });
    y.backward(dy);
    const [oh, ow] = [y.shape[2]!, y.shape[3]!];
    const dx = new Float64Array(x.size);
    for (let b = 0; b < g.n; b++)
      for (let f = 0; f < fn; f++)
        for (let oy = 0; oy < oh; oy++)
          for (let ox = 0; ox < ow; ox++)
            for (let c = 0; c < g.c; c++)
              for (let ky = 0; ky < g.kh; ky++)
                for (let kx = 0; kx < g.kw; kx++) {
                  const iy = oy * g.sh - g.ph + ky;
                  const ix = ox * g.sw - g.pw + kx;
                  if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                  dx[((b * g.c + c) * g.h + iy) * g.w + ix]! += dy.data[((b * fn + f) * oh + oy) * ow + ox]! * w.data[((f * g.c + c) * g.kh + ky) * g.kw + kx]!;
                }
    expectClose(x.grad!.data, dx, 1e-12, 1e-12);
  });
});
