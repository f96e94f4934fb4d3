import fc from 'fast-check';
import { Rng, type Tensor, tensor } from '@tapegrad/core';
import type { Geometry } from './naive.js';

/** Window geometries with a non-empty output: strides 1–3, pads 0–2, kernels 1–4, non-square allowed. */
export interface ConvCase extends Geometry {
  /** number of filters */
  fn: number;
  bias: boolean;
  seed: number;
}

/** H (or W) from kernel k, pad p and a slack s ≥ 0: always at least the kernel minus the padding. */
export const side = (k: number, p: number, s: number) => Math.max(1, k - 2 * p) + s;

export const convCase: fc.Arbitrary<ConvCase> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    c: fc.integer({ min: 1, max: 3 }),
    fn: fc.integer({ min: 1, max: 3 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 2 }),
    pw: fc.integer({ min: 0, max: 2 }),
    slackH: fc.integer({ min: 0, max: 4 }),
    slackW: fc.integer({ min: 0, max: 4 }),
    bias: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .map(({ slackH, slackW, ...g }) => ({ ...g, h: side(g.kh, g.ph, slackH), w: side(g.kw, g.pw, slackW) }));

/** Pool geometries: kernels 1–4, strides 1–3, pads 0–2 but at most half the kernel (as PyTorch requires). */
export const poolCase: fc.Arbitrary<ConvCase> = convCase.map((g) => ({ ...g, ph: Math.min(g.ph, Math.floor(g.kh / 2)), pw: Math.min(g.pw, Math.floor(g.kw / 2)) }))
  .map((g) => ({ ...g, h: Math.max(g.h, g.kh - 2 * g.ph), w: Math.max(g.w, g.kw - 2 * g.pw) }));

/** Uniform values in [-1, 1) from a seed, as a float64 array. */
export function uniform(size: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: size }, () => rng.next() * 2 - 1);
}

/** The same values as a float64 tensor and as a float32 one (and the float32 rounding back in float64). */
export function both(values: Float64Array, shape: number[]): { f64: Tensor; f32: Tensor; rounded: Tensor } {
  const f32 = tensor(Float32Array.from(values), shape);
  return { f64: tensor(values, shape, { dtype: 'float64' }), f32, rounded: tensor(Float64Array.from(f32.data), shape, { dtype: 'float64' }) };
}

/** allclose with the message naming the first bad index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) throw new Error(`index ${i}: ${a} vs expected ${e} (diff ${Math.abs(a - e)})`);
  }
}
