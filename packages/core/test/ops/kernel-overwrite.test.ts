import { afterEach, describe, expect, it } from 'vitest';
import { type BinaryOp, type UnaryOp, getBackend, listBackends, setBackend } from '@tapegrad/core';

/*
 * The Backend contract ops rely on when they pass reused, non-zeroed work buffers (conv2d): binary,
 * unary, matmul and permute write every element of `out` and never read it. Each kernel runs once into a
 * zeroed `out` and once into one full of NaN and 1e30 garbage; the results must be the same bits. The
 * shapes cover every path of each backend (small jobs, streamed blocks, threaded chunks, tails).
 */

const initial = getBackend().name;
afterEach(() => setBackend(initial));

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 3);
}

/**
 * Runs `kernel` into a zeroed and into a garbage-filled array; returns the first index where their bits
 * differ, or -1. (A loop, not toEqual: the arrays have up to 4.8 million elements.)
 */
function firstDifference<T extends Float32Array | Int32Array>(make: () => T, kernel: (out: T) => void): number {
  const zeroed = make();
  kernel(zeroed);
  const dirty = make();
  for (let i = 0; i < dirty.length; i++) dirty[i] = i % 2 === 0 ? Number.NaN : 1e30;
  kernel(dirty);
  const bits = (a: T) => (a instanceof Int32Array ? a : new Uint32Array(a.buffer, a.byteOffset, a.length));
  const [x, y] = [bits(dirty), bits(zeroed)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

describe('kernels that write every element of out', () => {
  for (const backend of listBackends()) {
    const fast = backend !== 'reference';

    it(`matmul, every transpose variant (${backend})`, () => {
      setBackend(backend);
      const shapes: [number, number, number][] = [
        [1, 1, 1],
        [7, 0, 5],
        [33, 17, 9],
        [30, 25, 25],
        [100, 100, 10],
        ...(fast ? ([[57600, 25, 30], [160_000, 25, 30], [100, 4320, 100], [30, 5760, 25]] as [number, number, number][]) : []),
      ];
      for (const [m, k, n] of shapes) {
        for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
          if (m * n > 2e6 && (ta || tb) && !(ta === false && tb === true)) continue; // the large shapes in the variant conv2d uses
          const a = values(m * k, 1);
          const b = values(k * n, 2);
          expect(firstDifference(() => new Float32Array(m * n), (out) => getBackend().matmul(a, b, out, m, k, n, ta, tb)), `${m}x${k}x${n} transA=${ta} transB=${tb}`).toBe(-1);
        }
      }
    });

    it(`binary over broadcasting patterns (${backend})`, () => {
      setBackend(backend);
      const all: BinaryOp[] = ['add', 'mul', 'sub', 'div', 'maximum', 'gt', 'eq', 'mulStep', 'pow'];
      // large operands (streamed blocks, long rows, tails) with the ops ops run on them; small ones with every op
      const patterns: [number[], number[], BinaryOp[]][] = [
        [[57600, 30], [30], ['add']],
        [[100, 30, 24, 24], [30, 1, 1], ['add']],
        [[300_001], [300_001], ['mul', 'mulStep']],
        [[300_001], [], ['mul']],
        [[7, 33], [7, 1], all],
        [[2, 3, 2, 3, 2, 3], [3, 1, 3, 1, 3], all],
        [[5], [5], all],
      ];
      for (const [as, bs, ops] of patterns) {
        const os = as.length >= bs.length ? as : bs;
        const a = values(size(as), 3).map((v) => Math.abs(v) + 0.1);
        const b = values(size(bs), 4);
        for (const op of ops) {
          expect(firstDifference(() => new Float32Array(size(os)), (out) => getBackend().binary(op, a, as, b, bs, out, os)), `${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`).toBe(-1);
        }
      }
    });

    it(`unary (${backend})`, () => {
      setBackend(backend);
      const ops: UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'relu', 'step', 'abs', 'square'];
      for (const n of [1, 7, 300_007]) {
        for (const op of ops) {
          const x = values(n, 5).map((v) => (op === 'log' || op === 'sqrt' ? Math.abs(v) + 0.01 : v));
          expect(firstDifference(() => new Float32Array(n), (out) => getBackend().unary(op, x, out)), `${op} ${n}`).toBe(-1);
        }
      }
    });

    it(`permute, float32 and int32 (${backend})`, () => {
      setBackend(backend);
      const cases: [number[], number[]][] = [
        [[100, 24, 24, 30], [0, 3, 1, 2]],
        [[100, 30, 24, 24], [0, 2, 3, 1]],
        [[3, 5, 7], [2, 0, 1]],
        [[17, 33], [1, 0]],
        [[2, 3, 4, 5, 6], [4, 2, 0, 3, 1]],
      ];
      for (const [shape, perm] of cases) {
        const x = values(size(shape), 6);
        expect(firstDifference(() => new Float32Array(size(shape)), (out) => getBackend().permute(x, shape, perm, out)), `${JSON.stringify(shape)} ${JSON.stringify(perm)}`).toBe(-1);
        const xi = Int32Array.from(x, (v) => Math.round(v * 1000));
        expect(firstDifference(() => new Int32Array(size(shape)), (out) => getBackend().permute(xi, shape, perm, out))).toBe(-1);
      }
    });
  }
});
