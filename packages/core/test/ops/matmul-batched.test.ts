import { afterEach, describe, expect, it } from 'vitest';
import { type Tensor, getBackend, gradCheck, gradGradCheck, listBackends, randn, setBackend } from '@tapegrad/core';
import { matmulFlags } from '../../src/ops/matmul.js';

/*
 * The matmul primitive on stacks of matrices (what conv2d uses: the filters times each image's
 * windows): every mix of a 2-D and a 3-D operand and every transpose flag, on each backend, against a
 * naive triple loop in float64, plus gradCheck and gradGradCheck (the 2-D operand's gradient is summed
 * over the batch by the engine). Sizes are odd so that no SIMD lane or 4×8 tile is ever full.
 */

const initial = getBackend().name;
afterEach(() => setBackend(initial));

/** Stored shape of an operand: op(x) is (rows, cols); stored transposed when `trans`. */
const stored = (batch: number | null, rows: number, cols: number, trans: boolean) => {
  const matrix = trans ? [cols, rows] : [rows, cols];
  return batch === null ? matrix : [batch, ...matrix];
};

/** op(a_i)·op(b_i) by definition, in float64. */
function naive(a: Tensor, b: Tensor, transA: boolean, transB: boolean, batch: number, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(batch * m * n);
  const aAt = (i: number, r: number, c: number) => a.data[(a.ndim === 3 ? i * m * k : 0) + (transA ? c * m + r : r * k + c)]!;
  const bAt = (i: number, r: number, c: number) => b.data[(b.ndim === 3 ? i * k * n : 0) + (transB ? c * k + r : r * n + c)]!;
  for (let i = 0; i < batch; i++) {
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += aAt(i, r, p) * bAt(i, p, c);
        out[(i * m + r) * n + c] = s;
      }
    }
  }
  return out;
}

const layouts = [
  { label: '2-D · 3-D', aBatched: false, bBatched: true },
  { label: '3-D · 2-D', aBatched: true, bBatched: false },
  { label: '3-D · 3-D', aBatched: true, bBatched: true },
];
const flags = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

for (const backend of listBackends()) {
  describe(`matmul on stacks of matrices (${backend} backend)`, () => {
    for (const { label, aBatched, bBatched } of layouts) {
      it(`${label}: forward against a naive loop (float64 and float32), all transpose flags`, () => {
        setBackend(backend);
        const [batch, m, k, n] = [5, 7, 13, 9];
        let seed = 1;
        for (const [transA, transB] of flags) {
          for (const dtype of ['float64', 'float32'] as const) {
            const a = randn(stored(aBatched ? batch : null, m, k, transA), { seed: seed++, dtype });
            const b = randn(stored(bBatched ? batch : null, k, n, transB), { seed: seed++, dtype });
            const out = matmulFlags(a, b, transA, transB);
            expect(out.shape).toEqual([batch, m, n]);
            const want = naive(a, b, transA, transB, batch, m, k, n);
            const tol = dtype === 'float64' ? 1e-12 : 1e-4;
            out.data.forEach((v, i) => expect(Math.abs(v - want[i]!), `${dtype} tA=${transA} tB=${transB} [${i}]`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!))));
          }
        }
      });

      it(`${label}: gradCheck and gradGradCheck in float64, all transpose flags`, () => {
        setBackend(backend);
        const [batch, m, k, n] = [3, 3, 4, 2];
        let seed = 50;
        for (const [transA, transB] of flags) {
          const a = randn(stored(aBatched ? batch : null, m, k, transA), { seed: seed++, dtype: 'float64', requiresGrad: true });
          const b = randn(stored(bBatched ? batch : null, k, n, transB), { seed: seed++, dtype: 'float64', requiresGrad: true });
          const f = (x: Tensor, y: Tensor) => matmulFlags(x, y, transA, transB);
          expect(gradCheck(f, [a, b])).toBe(true);
          expect(gradGradCheck(f, [a, b])).toBe(true);
        }
      });
    }

    it('the SimpleConvNet shape: filters (30,25) times 100 images of (576,25) windows, transposed', () => {
      setBackend(backend);
      const w = randn([30, 25], { seed: 7, dtype: 'float32' });
      const cols = randn([100, 576, 25], { seed: 8, dtype: 'float32' });
      const out = matmulFlags(w, cols, false, true);
      const want = naive(w, cols, false, true, 100, 30, 25, 576);
      let worst = 0;
      out.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]!) / (1 + Math.abs(want[i]!)))));
      expect(worst).toBeLessThan(1e-5);
    });
  });
}
