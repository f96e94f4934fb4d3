import { beforeAll, describe, expect, it } from 'vitest';
import { referenceBackend, type WindowGeometry } from '@tapegrad/core';
import type { WasmBackend } from '../../src/backend/wasm/index.js';
import { firstDifference, levels, mismatch, threadedBackend, uniform } from './helpers.js';

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await threadedBackend();
});

function geometry(n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number): WindowGeometry {
  return { n, c, h, w, kh, kw, sh, sw, ph, pw, oh: Math.floor((h + 2 * ph - kh) / sh) + 1, ow: Math.floor((w + 2 * pw - kw) / sw) + 1 };
}

// Odd sizes, strides, paddings, non-square kernels, wide kernels (vector runs plus tails), the 2×2/2 pool
// fast path with odd widths, and the SimpleConvNet shapes (large enough to be split across threads).
const geometries: WindowGeometry[] = [
  geometry(1, 1, 1, 1, 1, 1, 1, 1, 0, 0),
  geometry(2, 3, 7, 7, 3, 3, 1, 1, 0, 0),
  geometry(3, 2, 17, 13, 5, 5, 2, 2, 2, 2),
  geometry(2, 3, 33, 33, 3, 3, 3, 3, 1, 1),
  geometry(2, 2, 11, 10, 3, 2, 2, 1, 1, 0),
  geometry(1, 2, 20, 20, 9, 9, 1, 1, 4, 4),
  geometry(2, 3, 65, 65, 7, 7, 4, 4, 3, 3),
  geometry(1, 2, 8, 9, 2, 2, 2, 2, 0, 0),
  geometry(4, 5, 24, 24, 2, 2, 2, 2, 0, 0),
  geometry(3, 1, 17, 35, 2, 2, 2, 2, 1, 1),
  geometry(100, 1, 28, 28, 5, 5, 1, 1, 0, 0),
  geometry(100, 30, 24, 24, 2, 2, 2, 2, 0, 0),
];
const inSize = (g: WindowGeometry) => g.n * g.c * g.h * g.w;
const outSize = (g: WindowGeometry) => g.n * g.c * g.oh * g.ow;
const colSize = (g: WindowGeometry) => g.n * g.oh * g.ow * g.c * g.kh * g.kw;
const name = (g: WindowGeometry) => `x (${g.n},${g.c},${g.h},${g.w}) k ${g.kh}×${g.kw} s ${g.sh},${g.sw} p ${g.ph},${g.pw}`;

describe('wasm im2col / col2im vs reference', () => {
  for (const g of geometries) {
    it(name(g), () => {
      const x = uniform(inSize(g), inSize(g));
      const got = new Float32Array(colSize(g)).fill(Number.NaN); // every cell must be written (padding as 0)
      const want = new Float32Array(colSize(g));
      wasm.im2col(x, g, got);
      referenceBackend.im2col(x, g, want);
      expect(mismatch(got, want, { rtol: 0, atol: 0 })).toBeNull();

      const col = uniform(colSize(g), 7);
      const start = uniform(inSize(g), 8); // col2im adds into what out holds
      const back = start.slice();
      const backRef = start.slice();
      wasm.col2im(col, g, back);
      referenceBackend.col2im(col, g, backRef);
      expect(mismatch(back, backRef)).toBeNull();
    });
  }
  it('padding-only windows give zero rows (im2col) and nothing back (col2im)', () => {
    const g = geometry(1, 2, 2, 2, 1, 1, 1, 1, 1, 1); // 4×4 output, the border windows see only padding
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const got = new Float32Array(colSize(g)).fill(Number.NaN);
    const want = new Float32Array(colSize(g));
    wasm.im2col(x, g, got);
    referenceBackend.im2col(x, g, want);
    expect([...got]).toEqual([...want]);
  });
});

describe('wasm max pooling vs reference', () => {
  const poolGeometries = geometries.filter((g) => g.ph <= g.kh / 2 && g.pw <= g.kw / 2);
  for (const g of poolGeometries) {
    it(`${name(g)}: values, ties and first-maximum indices`, () => {
      for (const x of [uniform(inSize(g), 3), levels(inSize(g), 4, 3)]) {
        const out = new Float32Array(outSize(g));
        const idx = new Int32Array(outSize(g)).fill(-7);
        const outRef = new Float32Array(outSize(g));
        const idxRef = new Int32Array(outSize(g));
        wasm.maxPool2d(x, g, out, idx);
        referenceBackend.maxPool2d(x, g, outRef, idxRef);
        expect(mismatch(out, outRef, { rtol: 0, atol: 0 })).toBeNull();
        expect(firstDifference(idx, idxRef)).toBeNull();
      }
    });
  }
  it('NaN wins a window, and the first NaN is the one indexed', () => {
    const g = geometry(1, 1, 4, 16, 2, 2, 2, 2, 0, 0);
    const x = levels(64, 9, 4);
    for (const i of [0, 5, 17, 18, 33, 50, 51, 63]) x[i] = Number.NaN;
    x[40] = -Infinity;
    const out = new Float32Array(outSize(g));
    const idx = new Int32Array(outSize(g));
    const outRef = new Float32Array(outSize(g));
    const idxRef = new Int32Array(outSize(g));
    wasm.maxPool2d(x, g, out, idx);
    referenceBackend.maxPool2d(x, g, outRef, idxRef);
    expect(mismatch(out, outRef, { rtol: 0, atol: 0 })).toBeNull();
    expect(firstDifference(idx, idxRef)).toBeNull();
  });
});

describe('wasm average pooling and its adjoint vs reference', () => {
  for (const g of geometries) {
    for (const countIncludePad of [true, false]) {
      it(`${name(g)} countIncludePad=${countIncludePad}`, () => {
        const x = uniform(inSize(g), 11);
        const out = new Float32Array(outSize(g));
        const outRef = new Float32Array(outSize(g));
        wasm.avgPool2d(x, g, countIncludePad, out);
        referenceBackend.avgPool2d(x, g, countIncludePad, outRef);
        expect(mismatch(out, outRef)).toBeNull();

        const grad = uniform(outSize(g), 12);
        const back = uniform(inSize(g), 13);
        const backRef = back.slice();
        wasm.avgPool2dBackward(grad, g, countIncludePad, back);
        referenceBackend.avgPool2dBackward(grad, g, countIncludePad, backRef);
        expect(mismatch(back, backRef)).toBeNull();
      });
    }
  }
});
