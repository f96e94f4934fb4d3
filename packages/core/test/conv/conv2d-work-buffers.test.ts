import { afterEach, describe, expect, it } from 'vitest';
import { type Tensor, getBackend, listBackends, conv2d, setBackend, tensor } from '@tapegrad/core';
import { scratchFloat } from '../../src/ops/scratch.js';

/*
 * conv2d is a fused primitive whose GEMM output, biased rows and (in the unrecorded backward) NHWC
 * gradient and column gradient live in work buffers shared by every call. Results must not depend on
 * what ran before or in between, and the unrecorded VJP (kernels on work buffers) must give the same
 * bits as the recorded one (differentiable ops, createGraph).
 */

const initial = getBackend().name;
afterEach(() => setBackend(initial));

interface Case {
  x: number[];
  w: number[];
  bias: boolean;
  stride: [number, number];
  pad: [number, number];
  seed: number;
}

const cases: Case[] = [
  { x: [3, 2, 9, 8], w: [5, 2, 3, 3], bias: true, stride: [1, 1], pad: [1, 0], seed: 1 },
  { x: [2, 1, 14, 14], w: [7, 1, 5, 5], bias: true, stride: [1, 1], pad: [0, 0], seed: 2 },
  { x: [1, 3, 6, 7], w: [4, 3, 2, 3], bias: false, stride: [2, 1], pad: [1, 1], seed: 3 },
];

const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
function values(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 2);
}
const bits = (t: Tensor | null) => (t === null ? null : Array.from(t.dtype === 'float32' ? new Uint32Array(Float32Array.from(t.data).buffer) : new Float64Array(t.data).map((v) => v)));

interface Run {
  out: Tensor;
  finish: () => (number[] | null)[];
}

/** Runs the forward now; `finish` runs the backward with a fixed upstream gradient and returns the gradients' bits. */
function start(c: Case, dtype: 'float32' | 'float64', needs: { x: boolean; w: boolean; b: boolean }, createGraph = false): Run {
  const x = tensor(values(size(c.x), c.seed), c.x, { dtype, requiresGrad: needs.x });
  const w = tensor(values(size(c.w), c.seed + 10), c.w, { dtype, requiresGrad: needs.w });
  const b = c.bias ? tensor(values(c.w[0]!, c.seed + 20), [c.w[0]!], { dtype, requiresGrad: needs.b }) : null;
  const out = conv2d(x, w, b, { stride: c.stride, pad: c.pad });
  return {
    out,
    finish: () => {
      out.backward(tensor(values(out.size, c.seed + 30), out.shape, { dtype }), { createGraph });
      return [bits(x.grad), bits(w.grad), b === null ? null : bits(b.grad)] as (number[] | null)[];
    },
  };
}

const all = { x: true, w: true, b: true };

describe('conv2d work buffers', () => {
  for (const backend of listBackends()) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`interleaved calls of different sizes give the bits of each call alone (${backend}, ${dtype})`, () => {
        setBackend(backend);
        const alone = cases.map((c) => {
          const r = start(c, dtype, all);
          return { out: bits(r.out), grads: r.finish() };
        });
        // forward 0, forward 1, backward 1, forward 2, backward 0, backward 2: every call reuses the buffers
        const r0 = start(cases[0]!, dtype, all);
        const r1 = start(cases[1]!, dtype, all);
        const g1 = r1.finish();
        const r2 = start(cases[2]!, dtype, all);
        const g0 = r0.finish();
        const g2 = r2.finish();
        expect([bits(r0.out), bits(r1.out), bits(r2.out)]).toEqual(alone.map((a) => a.out));
        expect([g0, g1, g2]).toEqual(alone.map((a) => a.grads));
      });

      it(`the unrecorded VJP gives the bits of the recorded one, for every set of inputs that need grad (${backend}, ${dtype})`, () => {
        setBackend(backend);
        for (const c of cases) {
          for (const needs of [all, { x: false, w: true, b: true }, { x: true, w: false, b: false }, { x: false, w: false, b: true }]) {
            if (!needs.x && !needs.w && !(c.bias && needs.b)) continue; // nothing to differentiate
            const constant = start(c, dtype, needs).finish();
            const recorded = start(c, dtype, needs, true).finish();
            expect(constant, JSON.stringify({ c, needs })).toEqual(recorded);
            // gradients exactly where asked for
            expect(constant.map((g) => g !== null)).toEqual([needs.x, needs.w, c.bias && needs.b]);
          }
        }
      });
    }
  }
});

describe('scratchFloat', () => {
  it('reuses the memory of the slot for any size up to the largest asked for', () => {
    const a = scratchFloat('float32', 1000, 0);
    const again = scratchFloat('float32', 600, 0);
    expect(again.buffer).toBe(a.buffer);
    expect(again.length).toBe(600);
    expect(scratchFloat('float32', 1000, 0).length).toBe(1000);
  });

  it('keeps the slots (and dtypes) apart, and does not keep very large buffers', () => {
    const s0 = scratchFloat('float64', 64, 0);
    const s1 = scratchFloat('float64', 64, 1);
    expect(s0.buffer).not.toBe(s1.buffer);
    expect(scratchFloat('float32', 64, 0).buffer).not.toBe(s0.buffer);
    const big = scratchFloat('float32', (1 << 22) + 1, 1);
    big[0] = 1;
    expect(scratchFloat('float32', (1 << 22) + 1, 1).buffer).not.toBe(big.buffer);
  });
});
