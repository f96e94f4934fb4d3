import { beforeAll, describe, expect, it } from 'vitest';
import { referenceBackend, type BinaryOp, type UnaryOp } from '@tapegrad/core';
import type { WasmBackend } from '../../src/backend/wasm/index.js';
import { collapseBroadcast } from '../../src/backend/wasm/elementwise.js';
import { firstValueDifference, mismatch, threadedBackend, uniform, workersJoin } from './helpers.js';

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await threadedBackend();
});

const sizes = [1, 3, 7, 17, 33, 65, 1000, 300_001];

/** Values where the approximations have to be careful: signed zeros, infinities, NaN, tails, denormals. */
const SPECIAL = [0, -0, 1, -1, Infinity, -Infinity, Number.NaN, 1e-30, -1e-30, 1e-40, -1e-40, 88.7, 88.8, -87.5, -103, -104.5,
  -1000, 1000, 0.625, -0.625, 0.6249, 9, -9, 20, 3.4e38, -3.4e38, 1.2e-38, 0.5, 2, 1e-7];

describe('wasm unary vs reference', () => {
  const ops: UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'relu', 'step', 'abs', 'square'];
  for (const op of ops) {
    it(`${op} on odd and large sizes`, () => {
      for (const n of sizes) {
        // log and sqrt get positive inputs (negative ones are NaN on both sides, checked below)
        const x = op === 'log' || op === 'sqrt' ? uniform(n, n, 1e-3, 50) : uniform(n, n, -12, 12);
        const got = new Float32Array(n);
        const want = new Float32Array(n);
        wasm.unary(op, x, got);
        referenceBackend.unary(op, x, want);
        expect(mismatch(got, want), `n=${n}`).toBeNull();
      }
    });
    it(`${op} on special values`, () => {
      const x = Float32Array.from(SPECIAL);
      const got = new Float32Array(x.length);
      const want = new Float32Array(x.length);
      wasm.unary(op, x, got);
      referenceBackend.unary(op, x, want);
      expect(mismatch(got, want)).toBeNull();
    });
  }

  it('log over the full positive float32 range, relative error < 1e-6 (1.2e-38 .. 3e38 and denormals)', () => {
    const x = new Float32Array(2000);
    for (let i = 0; i < x.length; i++) x[i] = Math.pow(2, -149 + (i * 276) / x.length);
    const got = new Float32Array(x.length);
    const want = new Float32Array(x.length);
    wasm.unary('log', x, got);
    referenceBackend.unary('log', x, want);
    expect(mismatch(got, want, { rtol: 1e-6, atol: 0 })).toBeNull();
  });

  it('exp over [-103, 88.7] has relative error < 1e-6 (denormal results included, to their resolution)', () => {
    const x = new Float32Array(4001);
    for (let i = 0; i < x.length; i++) x[i] = -103 + (i * 191.7) / (x.length - 1);
    const got = new Float32Array(x.length);
    const want = new Float32Array(x.length);
    wasm.unary('exp', x, got);
    referenceBackend.unary('exp', x, want);
    expect(mismatch(got, want, { rtol: 1e-6, atol: 1e-44 })).toBeNull();
  });

  it('relu and step treat NaN and -0 exactly as the reference (x > 0 ? x : 0)', () => {
    const x = Float32Array.from([Number.NaN, -0, 0, -1, 2]);
    const relu = new Float32Array(5);
    const step = new Float32Array(5);
    wasm.unary('relu', x, relu);
    wasm.unary('step', x, step);
    expect([...relu].map((v) => Object.is(v, -0) ? '-0' : v)).toEqual([0, 0, 0, 0, 2]);
    expect([...step]).toEqual([0, 0, 0, 0, 1]);
  });

  it('splits the transcendental ops of large arrays across the worker threads', () => {
    for (const op of ['exp', 'log', 'tanh', 'sigmoid'] as const) {
      const x = uniform(400_003, 77, 0.01, 9);
      const want = new Float32Array(x.length);
      referenceBackend.unary(op, x, want);
      const joined = workersJoin(wasm, () => {
        const got = new Float32Array(x.length);
        wasm.unary(op, x, got);
        expect(mismatch(got, want)).toBeNull();
      });
      expect(joined, op).toBe(true);
    }
  });

  it('float64 goes to the reference kernel', () => {
    const x = Float64Array.from([0.1, 1, 2]);
    const got = new Float64Array(3);
    const want = new Float64Array(3);
    wasm.unary('exp', x, got);
    referenceBackend.unary('exp', x, want);
    expect([...got]).toEqual([...want]);
  });
});

describe('wasm binary vs reference', () => {
  const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'gt', 'eq'];
  // [a shape, b shape]: same shape, scalars on either side, rows, columns, outer products, NCHW bias,
  // size-1 dims in the middle, 0-d, and a pattern that stays 5-D after merging (reference fallback).
  const patterns: [number[], number[]][] = [
    [[65], [65]],
    [[7, 33], [7, 33]],
    [[17, 33], []],
    [[], [3, 7]],
    [[1], [65]],
    [[33, 17], [17]],
    [[33, 17], [33, 1]],
    [[33, 1], [1, 17]],
    [[7, 3, 17, 5], [1, 3, 1, 1]],
    [[100, 30, 24, 24], [30, 1, 1]],
    [[2, 1, 3], [4, 1]],
    [[3, 1, 7, 1, 5], [1, 4, 1, 6, 1]],
    [[2, 3, 2, 3, 2, 3], [3, 1, 3, 1, 3]],
    [[], []],
    [[0, 3], [3]],
    [[300_001], [300_001]],
    [[1000, 301], [301]],
  ];
  const broadcast = (a: number[], b: number[]): number[] => {
    const rank = Math.max(a.length, b.length);
    return Array.from({ length: rank }, (_, i) => {
      const da = a[a.length - rank + i] ?? 1;
      const db = b[b.length - rank + i] ?? 1;
      return da === 1 ? db : da;
    });
  };
  const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
  for (const op of ops) {
    it(`${op} over broadcasting patterns`, () => {
      let seed = 10;
      for (const [as, bs] of patterns) {
        const os = broadcast(as, bs);
        const a = uniform(size(as), seed++, op === 'pow' ? 0.1 : -3, 3);
        const b = uniform(size(bs), seed++, op === 'div' || op === 'pow' ? 0.5 : -3, 3);
        if (op === 'eq' || op === 'gt' || op === 'maximum') {
          // small integers: plenty of exact ties
          a.forEach((v, i) => (a[i] = Math.round(v)));
          b.forEach((v, i) => (b[i] = Math.round(v)));
        }
        const got = new Float32Array(size(os)).fill(Number.NaN);
        const want = new Float32Array(size(os));
        wasm.binary(op, a, as, b, bs, got, os);
        referenceBackend.binary(op, a, as, b, bs, want, os);
        expect(mismatch(got, want), `${as} ${bs}`).toBeNull();
      }
    });
  }

  it('maximum propagates NaN from either side and keeps the first operand on ties', () => {
    const a = Float32Array.from([Number.NaN, 1, 2, -0, 5]);
    const b = Float32Array.from([1, Number.NaN, 2, 0, 4]);
    const got = new Float32Array(5);
    wasm.binary('maximum', a, [5], b, [5], got, [5]);
    expect(Number.isNaN(got[0]!)).toBe(true);
    expect(Number.isNaN(got[1]!)).toBe(true);
    expect(got[2]).toBe(2);
    expect(Object.is(got[3], -0)).toBe(true); // -0 >= 0: the first operand
    expect(got[4]).toBe(5);
  });

  it("mulStep (relu's VJP, a·[b > 0]) matches a·(b > 0 ? 1 : 0) value for value, NaN, ±0 and ∞ included", () => {
    const mulStep = 'mulStep' as string as BinaryOp;
    const special = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 2, -2];
    for (const [as, bs] of [[[300_001], [300_001]], [[65], [65]], [[7], [7]], [[33, 17], [17]], [[17, 33], [17, 1]], [[3], []]] as const) {
      const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
      const a = uniform(size(as), 5, -3, 3);
      const b = uniform(size(bs), 6, -3, 3);
      a.forEach((_, i) => i % 7 === 0 && (a[i] = special[i % special.length]!));
      b.forEach((_, i) => i % 5 === 0 && (b[i] = special[(i + 3) % special.length]!));
      const os = as.length >= bs.length ? [...as] : [...bs];
      const got = new Float32Array(size(os));
      wasm.binary(mulStep, a, as, b, bs, got, os);
      // the naive definition, broadcast by hand (b is a row, a column, a scalar or the same shape)
      const want = new Float32Array(got.length);
      for (let i = 0; i < got.length; i++) {
        const j = b.length === got.length ? i : b.length === 1 ? 0 : bs.length === 2 && bs[1] === 1 ? Math.floor(i / os[1]!) : i % b.length;
        want[i] = a[i]! * (b[j]! > 0 ? 1 : 0);
      }
      expect(firstValueDifference(got, want), `${as} ${bs}`).toBeNull();
    }
  });

  it('int32 goes to the reference kernel', () => {
    const a = Int32Array.from([1, 2, 3]);
    const b = Int32Array.from([2]);
    const got = new Int32Array(3);
    wasm.binary('mul', a, [3], b, [1], got, [3]);
    expect([...got]).toEqual([2, 4, 6]);
  });
});

describe('broadcast collapsing', () => {
  it('merges neighbours that stay contiguous or broadcast, drops size-1 dims, pads to 4', () => {
    expect(collapseBroadcast([7, 33], [7, 33], [7, 33])).toEqual({ dims: [1, 1, 1, 231], as: [0, 0, 0, 1], bs: [0, 0, 0, 1] });
    expect(collapseBroadcast([100, 30, 24, 24], [30, 1, 1], [100, 30, 24, 24])).toEqual({
      dims: [1, 100, 30, 576],
      as: [0, 17280, 576, 1],
      bs: [0, 0, 1, 0],
    });
    expect(collapseBroadcast([33, 1], [1, 17], [33, 17])).toEqual({ dims: [1, 1, 33, 17], as: [0, 0, 1, 0], bs: [0, 0, 0, 1] });
    expect(collapseBroadcast([2, 3, 2, 3, 2, 3], [3, 1, 3, 1, 3], [2, 3, 2, 3, 2, 3])).toBeNull();
  });
});
