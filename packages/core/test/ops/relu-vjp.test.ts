import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, listBackends, referenceBackend, relu, setBackend, sum, tensor } from '@tapegrad/core';

/*
 * relu's VJP runs as one fused backend pass ('mulStep': grad · [x > 0]) when the backward is not
 * recorded, and as mul(grad, step(x)) when it is (createGraph). Both must give exactly the values of
 * grad · step(x) computed in the tensor's dtype — special values included: relu'(0) = 0, a NaN or
 * infinite grad times a 0 mask is NaN, and a negative grad times 0 is −0.
 */

const initial = getBackend().name;
afterEach(() => setBackend(initial));

const X = [0, -0, 1e-30, -1e-30, 2.5, -2.5, Number.NaN, Infinity, -Infinity, 3, -3, 0, 7, -7, 1, -1];
const G = [1, -1, -2, 2, Number.NaN, Number.NaN, 1, -4, 5, Infinity, Infinity, -Infinity, -Infinity, -0.5, -0, 0];

/** grad · step(x), rounded to the dtype as mul and step would store it. */
function expected(x: number[], g: number[], dtype: 'float32' | 'float64'): number[] {
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  return x.map((xi, i) => round(round(g[i]!) * (round(xi) > 0 ? 1 : 0)));
}

/** A large input so every backend path (streamed blocks, tails) is crossed, with the special values spread through it. */
function bigInputs(n: number): { x: number[]; g: number[] } {
  const x: number[] = [];
  const g: number[] = [];
  for (let i = 0; i < n; i++) {
    x.push(i % 37 === 0 ? X[(i / 37) % X.length]! : Math.sin(i * 1.7) * 3);
    g.push(i % 41 === 0 ? G[(i / 41) % G.length]! : Math.cos(i * 0.3) * 2);
  }
  return { x, g };
}

describe('relu VJP', () => {
  for (const backend of listBackends()) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const n of [X.length, 1, 7, 33, 300_007]) {
        it(`equals grad · step(x) exactly, with and without createGraph (${backend}, ${dtype}, ${n} elements)`, () => {
          setBackend(backend);
          const { x: xs, g: gs } = n === X.length ? { x: X, g: G } : bigInputs(n);
          const want = expected(xs, gs, dtype);
          for (const createGraph of [false, true]) {
            const x = tensor(xs, [xs.length], { dtype, requiresGrad: true });
            // an upstream gradient that requires grad: only a recorded backward makes x.grad depend on it
            const g = tensor(gs, [gs.length], { dtype, requiresGrad: true });
            relu(x).backward(g, { createGraph });
            const got = Array.from(x.grad!.data);
            const bad = got.findIndex((v, i) => !Object.is(v, want[i]));
            expect(bad, `first mismatch at ${bad}: got ${got[bad]}, want ${want[bad]}`).toBe(-1);
            // the fused pass is a constant; the createGraph path records mul(grad, mask)
            expect(x.grad!.requiresGrad).toBe(createGraph);
          }
        });
      }
    }
  }

  it('keeps the VJP differentiable under createGraph: d/dv Σ vjp(v) = step(x)', () => {
    const x = tensor([-2, 0, 0.5, 3], undefined, { dtype: 'float64', requiresGrad: true });
    const v = tensor([4, 5, 6, 7], undefined, { dtype: 'float64', requiresGrad: true });
    relu(x).backward(v, { createGraph: true });
    const gx = x.grad!;
    expect(Array.from(gx.data)).toEqual([0, 0, 6, 7]);
    sum(gx).backward();
    expect(Array.from(v.grad!.data)).toEqual([0, 0, 1, 1]);
  });
});

describe("reference backend 'mulStep'", () => {
  it('broadcasts like every binary op and matches a · step(b) in float64 and int32', () => {
    const a = new Float64Array([1, -2, 3, Number.NaN, 5, -6]);
    const b = new Float64Array([0.5, -0.5, 0]);
    const out = new Float64Array(6);
    referenceBackend.binary('mulStep', a, [2, 3], b, [3], out, [2, 3]);
    expect(Array.from(out)).toEqual([1, -0, 0, Number.NaN, 0, -0]);
    const ai = new Int32Array([4, 5]);
    const bi = new Int32Array([1, 0]);
    const oi = new Int32Array(2);
    referenceBackend.binary('mulStep', ai, [2], bi, [2], oi, [2]);
    expect(Array.from(oi)).toEqual([4, 0]);
  });

  it('float32 fast path equals the generic path bit for bit', () => {
    const n = 1001;
    const a = new Float32Array(n);
    const b = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = i % 13 === 0 ? G[i % G.length]! : Math.sin(i) * 1e3;
      b[i] = i % 11 === 0 ? X[i % X.length]! : Math.cos(i * 2.1);
    }
    const fast = new Float32Array(n);
    referenceBackend.binary('mulStep', a, [n], b, [n], fast, [n]);
    // the general (broadcasting) loop: the same values seen as (n,1)·(n,1) against an (n,1) output of another rank
    const generic = new Float32Array(n);
    referenceBackend.binary('mulStep', a, [n, 1], b, [1, n, 1], generic, [1, n, 1]);
    const bad = Array.from(fast).findIndex((v, i) => !Object.is(v, generic[i]) || !Object.is(v, Math.fround(a[i]! * (b[i]! > 0 ? 1 : 0))));
    expect(bad).toBe(-1);
  });
});
