import { beforeAll, describe, expect, it } from 'vitest';
import type { WindowGeometry } from '@tapegrad/core';
import type { WasmBackend } from '../../src/backend/wasm/index.js';
import { firstDifference, threadedBackend, uniform } from './helpers.js';

/*
 * Kernels given operands that lie in wasm memory (Backend.resident: the array pool puts conv2d's
 * internals and backward's gradients there) read and write them in place instead of copying them in
 * and out. Each kernel runs once on ordinary arrays and then with every combination of its operands
 * resident; the outputs must be the same bits (only the copies differ), and inputs must be untouched.
 */

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await threadedBackend();
});

type Operands = Float32Array[];

/**
 * Runs `kernel` on `operands` as ordinary arrays, then for every non-empty subset made resident
 * (copies in wasm memory, same contents); compares all operands afterwards bit for bit.
 */
function sameInEveryPlacement(operands: Operands, kernel: (ops: Operands) => void): void {
  const resident = wasm.resident!;
  const plain = operands.map((a) => a.slice());
  kernel(plain);
  const n = operands.length;
  for (let mask = 1; mask < 1 << n; mask++) {
    const placed = operands.map((a, i) => {
      if (!(mask & (1 << i))) return a.slice();
      const r = resident.alloc(a.length, false)!;
      r.set(a);
      expect(resident.has(r)).toBe(true);
      return r;
    });
    kernel(placed);
    placed.forEach((a, i) => {
      // bits, not values: compare the words
      const bits = (x: Float32Array) => new Uint32Array(x.buffer, x.byteOffset, x.length);
      expect(firstDifference(bits(a), bits(plain[i]!)), `operand ${i}, placement mask ${mask.toString(2)}`).toBeNull();
      if (mask & (1 << i)) resident.free(a);
    });
  }
}

const geometry = (n: number, c: number, h: number, w: number, k: number, s: number, p: number): WindowGeometry => ({
  n, c, h, w, kh: k, kw: k, sh: s, sw: s, ph: p, pw: p, oh: Math.floor((h + 2 * p - k) / s) + 1, ow: Math.floor((w + 2 * p - k) / s) + 1,
});

describe('wasm kernels on operands in wasm memory', () => {
  it('matmul, all four transposes, odd sizes (a, b, out)', () => {
    const [m, k, n] = [33, 17, 9];
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      sameInEveryPlacement([uniform(m * k, 1), uniform(k * n, 2), new Float32Array(m * n)], ([a, b, out]) =>
        wasm.matmul(a!, b!, out!, m, k, n, tA, tB),
      );
    }
  });

  it('matmul of a very tall A (the row-streamed path, or in place when A or out is resident)', () => {
    const [m, k, n] = [100_003, 25, 60]; // m·(k+n) above 2^23
    sameInEveryPlacement([uniform(m * k, 3), uniform(k * n, 4), new Float32Array(m * n)], ([a, b, out]) =>
      wasm.matmul(a!, b!, out!, m, k, n, false, false),
    );
  });

  it('a large matmul split across threads, with a k-split', () => {
    const [m, k, n] = [30, 57_600, 25]; // the conv filter gradient's shape
    sameInEveryPlacement([uniform(m * k, 5), uniform(k * n, 6), new Float32Array(m * n)], ([a, b, out]) =>
      wasm.matmul(a!, b!, out!, m, k, n, false, false),
    );
  });

  it('batchedMatmul (the per-image filter products of conv2d and their gradient)', () => {
    const [batch, m, k, n] = [20, 30, 25, 57];
    sameInEveryPlacement([uniform(m * k, 23), uniform(batch * n * k, 24), new Float32Array(batch * m * n)], ([a, b, out]) =>
      wasm.batchedMatmul(a!, b!, out!, batch, 0, n * k, m, k, n, false, true),
    );
    sameInEveryPlacement([uniform(batch * m * n, 25), uniform(batch * n * k, 26), new Float32Array(batch * m * k)], ([g, b, out]) =>
      wasm.batchedMatmul(g!, b!, out!, batch, m * n, n * k, m, n, k, false, false),
    );
  });

  it('binary ops: same shapes (streamed), a broadcast row, mulStep', () => {
    const rows = 3001;
    sameInEveryPlacement([uniform(rows * 30, 7), uniform(rows * 30, 8), new Float32Array(rows * 30)], ([a, b, out]) =>
      wasm.binary('mulStep', a!, [rows, 30], b!, [rows, 30], out!, [rows, 30]),
    );
    // one long row: a head of 4096-element rows (split across threads when out is resident) and a tail
    const n = 300_007;
    sameInEveryPlacement([uniform(n, 27), uniform(n, 28), new Float32Array(n)], ([a, b, out]) =>
      wasm.binary('mulStep', a!, [n], b!, [n], out!, [n]),
    );
    sameInEveryPlacement([uniform(rows * 30, 9), uniform(30, 10), new Float32Array(rows * 30)], ([a, b, out]) =>
      wasm.binary('add', a!, [rows, 30], b!, [30], out!, [rows, 30]),
    );
    sameInEveryPlacement([uniform(7 * 5 * 3, 11), uniform(5 * 1, 12), new Float32Array(7 * 5 * 3)], ([a, b, out]) =>
      wasm.binary('sub', a!, [7, 5, 3], b!, [5, 1], out!, [7, 5, 3]),
    );
  });

  it('unary ops: relu (streamed) and exp (split across threads)', () => {
    const n = 300_007;
    sameInEveryPlacement([uniform(n, 13), new Float32Array(n)], ([x, out]) => wasm.unary('relu', x!, out!));
    sameInEveryPlacement([uniform(n, 14), new Float32Array(n)], ([x, out]) => wasm.unary('exp', x!, out!));
  });

  it('permute (streamed batched transpose and the large one) and reduceSum', () => {
    sameInEveryPlacement([uniform(10 * 24 * 31, 15), new Float32Array(10 * 24 * 31)], ([x, out]) =>
      wasm.permute(x!, [10, 24, 31], [0, 2, 1], out!),
    );
    sameInEveryPlacement([uniform(2 * 1000 * 601, 16), new Float32Array(2 * 1000 * 601)], ([x, out]) =>
      wasm.permute(x!, [2, 1000, 601], [0, 2, 1], out!),
    );
    sameInEveryPlacement([uniform(5001 * 30, 17), new Float32Array(30)], ([x, out]) => wasm.reduceSum(x!, [5001, 30], [0], out!));
  });

  it('scatterAdd into a zeroed out, im2col, col2im (accumulating), maxPool2d', () => {
    const size = 40_000;
    const indices = Int32Array.from({ length: 9_999 }, (_, i) => (i * 7919) % size);
    sameInEveryPlacement([uniform(indices.length, 18), new Float32Array(size)], ([g, out]) => wasm.scatterAdd(g!, indices, out!));
    // indices that never repeat (max pooling's, windows apart): split across threads, same bits as serial
    const unique = Int32Array.from({ length: 200_000 }, (_, i) => (i % 7 === 3 ? -1 : (i * 7919) % 400_009));
    const serial = new Float32Array(400_009);
    const gu = uniform(unique.length, 29);
    wasm.scatterAdd(gu, unique, serial);
    sameInEveryPlacement([gu, new Float32Array(400_009)], ([gi, out]) => {
      wasm.scatterAdd(gi!, unique, out!, true);
      expect(firstDifference(out!, serial)).toBeNull();
    });
    const g = geometry(3, 2, 17, 13, 3, 2, 1);
    const inSize = g.n * g.c * g.h * g.w;
    const colSize = g.n * g.oh * g.ow * g.c * g.kh * g.kw;
    sameInEveryPlacement([uniform(inSize, 19), new Float32Array(colSize)], ([x, col]) => wasm.im2col(x!, g, col!));
    sameInEveryPlacement([uniform(colSize, 20), uniform(inSize, 21)], ([col, out]) => wasm.col2im(col!, g, out!));
    const p = geometry(4, 5, 24, 24, 2, 2, 0);
    const arg = new Int32Array(p.n * p.c * p.oh * p.ow);
    sameInEveryPlacement([uniform(p.n * p.c * p.h * p.w, 22), new Float32Array(arg.length)], ([x, out]) => wasm.maxPool2d(x!, p, out!, arg));
  });
});
