import { beforeAll, describe, expect, it } from 'vitest';
import { referenceBackend } from '@tapegrad/core';
import { planGemm } from '../../src/backend/wasm/gemm.js';
import type { WasmBackend } from '../../src/backend/wasm/index.js';
import { mismatch, threadedBackend, uniform, workersJoin } from './helpers.js';

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await threadedBackend();
});

const variants = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

/**
 * Both backends on the same stored operands (a (m,k) or (k,m), b (k,n) or (n,k)); null when they agree
 * within rtol 1e-4 / atol 1e-5. An output entry is a sum of k products that may cancel to near zero, so
 * rtol applies to the larger of |expected| and Σ|a||b| (the size of the terms summed; rounding in a
 * float32 sum is relative to that).
 */
function compareMatmul(m: number, k: number, n: number, transA: boolean, transB: boolean, seed: number): string | null {
  const a = uniform(m * k, seed);
  const b = uniform(k * n, seed + 1);
  const got = new Float32Array(m * n).fill(Number.NaN); // the kernel must overwrite every cell
  const want = new Float32Array(m * n);
  const scale = new Float32Array(m * n);
  wasm.matmul(a, b, got, m, k, n, transA, transB);
  referenceBackend.matmul(a, b, want, m, k, n, transA, transB);
  referenceBackend.matmul(a.map(Math.abs), b.map(Math.abs), scale, m, k, n, transA, transB);
  return mismatch(got, want, { scale });
}

describe('wasm matmul vs reference', () => {
  const odd = [1, 3, 7, 17, 33, 65];
  for (const [transA, transB] of variants) {
    it(`every (m,k,n) in {1,3,7,17,33,65}³, transA=${transA} transB=${transB}`, () => {
      let seed = 1;
      for (const m of odd) for (const k of odd) for (const n of odd) {
        const bad = compareMatmul(m, k, n, transA, transB, seed++);
        expect(bad, `(${m},${k},${n})`).toBeNull();
      }
    });
  }

  // The last column panel takes the 4-wide micro-kernel when it holds 1-4 columns, the 8-wide one when
  // 5-8: every width, with row counts that leave 1-3 rows in the last row panel.
  for (const [transA, transB] of variants) {
    it(`every last-panel width: n in 1..24, m in {5,30,4321}, transA=${transA} transB=${transB}`, () => {
      for (let n = 1; n <= 24; n++) {
        for (const [m, k] of [[5, 3], [30, 25], [4321, 9]] as const) {
          expect(compareMatmul(m, k, n, transA, transB, m + n), `(${m},${k},${n})`).toBeNull();
        }
      }
    });
  }

  // Large shapes: several k slabs, several row blocks, edge tiles, and the split kinds (rows, columns, k).
  const large: [number, number, number][] = [
    [257, 300, 129], // several KC slabs, ragged in every direction
    [100, 4320, 100], // the dense layer forward
    [4320, 100, 100], // its weight gradient
    [100, 100, 4320], // its input gradient
    [3000, 25, 30], // conv forward: tall and thin
    [30, 20000, 25], // conv weight gradient: tiny output, long k (split along k)
    [40, 300, 2100], // wider than one NC slab
  ];
  for (const [m, k, n] of large) {
    for (const [transA, transB] of variants) {
      it(`(${m},${k},${n}) transA=${transA} transB=${transB}`, () => {
        expect(compareMatmul(m, k, n, transA, transB, m + k + n)).toBeNull();
      });
    }
  }

  it('very tall A (im2col of a large batch) is streamed in blocks of rows, transB both ways', () => {
    for (const transB of [false, true]) expect(compareMatmul(160_003, 25, 31, false, transB, 5)).toBeNull();
  });

  it('batchedMatmul: small products handed out whole across threads, large ones split, a shared (stride 0) operand', () => {
    const cases: [number, number, number, number][] = [
      [100, 30, 25, 57], // small: several products per chunk
      [64, 30, 57, 25], // conv2d's filter gradient per image: a last column panel of one column
      [64, 7, 19, 12], // a last column panel of four columns, a last row panel of three rows
      [3, 130, 129, 131], // each product above the split threshold: one after another, each split
    ];
    for (const [batch, m, k, n] of cases) {
      for (const [transA, transB] of variants) {
        for (const [aStride, bStride] of [[m * k, k * n], [0, k * n], [m * k, 0]]) {
          const a = uniform(aStride === 0 ? m * k : batch * m * k, batch + m);
          const b = uniform(bStride === 0 ? k * n : batch * k * n, batch + n);
          const got = new Float32Array(batch * m * n).fill(Number.NaN);
          const want = new Float32Array(batch * m * n);
          const scale = new Float32Array(batch * m * n);
          wasm.batchedMatmul(a, b, got, batch, aStride, bStride, m, k, n, transA, transB);
          referenceBackend.batchedMatmul(a, b, want, batch, aStride, bStride, m, k, n, transA, transB);
          referenceBackend.batchedMatmul(a.map(Math.abs), b.map(Math.abs), scale, batch, aStride, bStride, m, k, n, transA, transB);
          expect(mismatch(got, want, { scale }), `batch ${batch} (${m},${k},${n}) tA=${transA} tB=${transB} strides ${aStride},${bStride}`).toBeNull();
        }
      }
    }
    const [a, b, out] = [uniform(30 * 25, 1), uniform(100 * 576 * 25, 2), new Float32Array(100 * 30 * 576)];
    expect(workersJoin(wasm, () => wasm.batchedMatmul(a, b, out, 100, 0, 576 * 25, 30, 25, 576, false, true))).toBe(true);
  });

  it('batchedMatmul with a row bias: added once to every row, on the small-product, split-product and k-split paths', () => {
    const cases: [number, number, number, number][] = [
      [100, 30, 25, 57], // small products, several per chunk
      [9, 30, 7, 13], // a last row panel of two rows, a last column panel of five
      [3, 130, 129, 131], // products split across threads like a plain GEMM
      [2, 6, 80000, 5], // tiny output, long k: split along k into partial sums
    ];
    for (const [batch, m, k, n] of cases) {
      for (const [transA, transB] of variants) {
        const a = uniform(batch * m * k, m + 1);
        const b = uniform(batch * k * n, n + 2);
        const bias = uniform(m, k + 3);
        const got = new Float32Array(batch * m * n).fill(Number.NaN);
        const want = new Float32Array(batch * m * n);
        const scale = new Float32Array(batch * m * n);
        wasm.batchedMatmul(a, b, got, batch, m * k, k * n, m, k, n, transA, transB, bias);
        referenceBackend.batchedMatmul(a, b, want, batch, m * k, k * n, m, k, n, transA, transB, bias);
        referenceBackend.batchedMatmul(a.map(Math.abs), b.map(Math.abs), scale, batch, m * k, k * n, m, k, n, transA, transB, bias.map(Math.abs));
        expect(mismatch(got, want, { scale }), `batch ${batch} (${m},${k},${n}) tA=${transA} tB=${transB}`).toBeNull();
      }
    }
    // the reference adds bias[i] to row i of each product after it (a naive loop over the definition)
    const [a, b, bias] = [uniform(2 * 3 * 4, 7), uniform(2 * 4 * 5, 8), uniform(3, 9)];
    const out = new Float32Array(2 * 3 * 5);
    referenceBackend.batchedMatmul(a, b, out, 2, 12, 20, 3, 4, 5, false, false, bias);
    for (let s = 0; s < 2; s++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 5; j++) {
          let dot = 0;
          for (let p = 0; p < 4; p++) dot += a[s * 12 + i * 4 + p]! * b[s * 20 + p * 5 + j]!;
          expect(out[s * 15 + i * 5 + j]).toBeCloseTo(Math.fround(dot) + bias[i]!, 5);
        }
      }
    }
    // k = 0: the bias alone
    const empty = new Float32Array(2 * 3 * 5).fill(Number.NaN);
    wasm.batchedMatmul(new Float32Array(0), new Float32Array(0), empty, 2, 0, 0, 3, 0, 5, false, false, bias);
    expect(Array.from(empty)).toEqual(Array.from({ length: 30 }, (_, i) => bias[Math.floor(i / 5) % 3]!));
  });

  it('k = 0 gives zeros, empty outputs are fine', () => {
    const out = new Float32Array(6).fill(5);
    wasm.matmul(new Float32Array(0), new Float32Array(0), out, 2, 0, 3, false, false);
    expect([...out]).toEqual([0, 0, 0, 0, 0, 0]);
    wasm.matmul(new Float32Array(0), new Float32Array(12), new Float32Array(0), 0, 4, 3, false, false);
  });

  it('propagates NaN and infinity like IEEE float32 arithmetic', () => {
    const a = Float32Array.from([1, Number.NaN, 2, 3]);
    const b = Float32Array.from([1, 2, Infinity, 4]);
    const out = new Float32Array(4);
    wasm.matmul(a, b, out, 2, 2, 2, false, false);
    // row 0: [1·1 + NaN·∞, 1·2 + NaN·4]; row 1: [2·1 + 3·∞, 2·2 + 3·4]
    expect(Number.isNaN(out[0]!)).toBe(true);
    expect(Number.isNaN(out[1]!)).toBe(true);
    expect(out[2]).toBe(Infinity);
    expect(out[3]).toBe(16);
  });

  it('float64 goes to the reference kernel', () => {
    const a = Float64Array.from([1, 2, 3, 4]);
    const b = Float64Array.from([0.1, 0.2, 0.3, 0.4]);
    const got = new Float64Array(4);
    const want = new Float64Array(4);
    wasm.matmul(a, b, got, 2, 2, 2, false, true);
    referenceBackend.matmul(a, b, want, 2, 2, 2, false, true);
    expect([...got]).toEqual([...want]);
  });
});

describe('GEMM work split', () => {
  it('keeps small products whole and splits large ones into at most 2 chunks per thread', () => {
    expect(planGemm(16, 16, 16, 4)).toMatchObject({ gridM: 1, gridN: 1, gridK: 1 });
    for (const [m, k, n] of [[512, 512, 512], [100, 4320, 100], [57600, 25, 30], [30, 57600, 25]] as const) {
      const p = planGemm(m, k, n, 2);
      const chunks = p.gridM * p.gridN * p.gridK;
      expect(chunks).toBeGreaterThanOrEqual(2);
      expect(chunks).toBeLessThanOrEqual(4);
      // the blocks tile the product exactly
      expect(p.gridM * p.mBlock).toBeGreaterThanOrEqual(m);
      expect((p.gridM - 1) * p.mBlock).toBeLessThan(m);
      expect(p.gridN * p.nBlock).toBeGreaterThanOrEqual(n);
      expect(p.gridK * p.kBlock).toBeGreaterThanOrEqual(k);
    }
    // a tiny output with a long k is split along k
    expect(planGemm(30, 57600, 25, 2).gridK).toBeGreaterThan(1);
  });

  it('runs chunks on the worker threads', () => {
    let seed = 0;
    expect(workersJoin(wasm, () => expect(compareMatmul(200, 200, 200, false, false, seed++)).toBeNull())).toBe(true);
    expect(wasm.workerCount()).toBe(2);
  });
});
