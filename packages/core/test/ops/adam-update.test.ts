import { afterEach, describe, expect, it } from 'vitest';
import { type AdamStep, getBackend, listBackends, setBackend } from '@tapegrad/core';

/*
 * Backend.adamUpdate on every backend gives the bits of the documented formula computed element by
 * element in float64 and stored in the arrays' type: float32 and float64, both forms of torch's lerp,
 * sizes that fill no SIMD lane or chunk (0, 1, 3, 7, 17, 33, 255..257) and sizes split across threads,
 * special gradients (0, ±1e-30, 1e30, subnormals), over several steps so m and v are read back.
 */

const initial = getBackend().name;
afterEach(() => setBackend(initial));

type Arr = Float32Array | Float64Array;

/** The formula of Backend.adamUpdate, one element at a time, each value stored as soon as computed. */
function naive(p: Arr, g: Arr, m: Arr, v: Arr, h: AdamStep): void {
  for (let j = 0; j < p.length; j++) {
    const gj = g[j]!;
    m[j] = h.w < 0.5 ? m[j]! + h.w * (gj - m[j]!) : gj - (gj - m[j]!) * (1 - h.w);
    v[j] = v[j]! * h.beta2 + (1 - h.beta2) * gj * gj;
    p[j] = p[j]! - h.stepSize * (m[j]! / (Math.sqrt(v[j]!) / h.bias2Sqrt + h.eps));
  }
}

function gradient(n: number, s: number, Kind: typeof Float32Array | typeof Float64Array): Arr {
  const special = [0, 1e-30, -1e-30, 1e30, 1.5e-45, -3, 0.25];
  return Kind.from({ length: n }, (_, i) => (i % 13 === 5 ? special[(i + s) % special.length]! : Math.cos(i * 1.3 + s) * 10 ** ((i % 9) - 6)));
}

function stepOf(t: number, beta1: number, beta2: number, lr: number, eps: number): AdamStep {
  return { w: 1 - beta1, beta2, eps, stepSize: lr / (1 - beta1 ** t), bias2Sqrt: Math.sqrt(1 - beta2 ** t) };
}

function firstDifference(a: Arr, b: Arr): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('adamUpdate gives the formula bit for bit', () => {
  for (const backend of listBackends()) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const beta1 of [0.9, 0.3]) {
        it(`${backend}, ${dtype}, beta1 ${beta1} (lerp ${beta1 > 0.5 ? 'forward' : 'backward'})`, () => {
          setBackend(backend);
          const Kind = dtype === 'float32' ? Float32Array : Float64Array;
          for (const n of [0, 1, 3, 7, 17, 33, 255, 256, 257, 1031, 65539, 433_890]) {
            const init = Kind.from({ length: n }, (_, i) => Math.sin(i * 0.7) * 0.05);
            const [p, m, v] = [init.slice(), new Kind(n), new Kind(n)];
            const [wp, wm, wv] = [init.slice(), new Kind(n), new Kind(n)];
            for (let t = 1; t <= 3; t++) {
              const g = gradient(n, t, Kind);
              const h = stepOf(t, beta1, 0.999, 0.01, 1e-7);
              getBackend().adamUpdate(p, g, m, v, h);
              naive(wp, g, wm, wv, h);
            }
            for (const [name, got, want] of [['p', p, wp], ['m', m, wm], ['v', v, wv]] as const) {
              const bad = firstDifference(got, want);
              expect(bad, `n=${n} ${name}[${bad}]: ${got[bad]} vs ${want[bad]}`).toBe(-1);
            }
          }
        });
      }
    }
  }

  it('the fast backend leaves the gradient alone and updates only the given arrays', () => {
    for (const backend of listBackends()) {
      setBackend(backend);
      const n = 5000;
      const g = gradient(n, 1, Float32Array) as Float32Array;
      const gCopy = g.slice();
      const p = new Float32Array(n + 8).fill(1);
      const m = new Float32Array(n + 8);
      const v = new Float32Array(n + 8);
      // subarrays: the kernel must respect byteOffset and length
      getBackend().adamUpdate(p.subarray(4, 4 + n), g, m.subarray(4, 4 + n), v.subarray(4, 4 + n), stepOf(1, 0.9, 0.999, 0.001, 1e-8));
      expect(firstDifference(g, gCopy), backend).toBe(-1);
      for (const a of [p, m, v]) {
        const edge = [0, 1, 2, 3, n + 4, n + 5, n + 6, n + 7].map((i) => a[i]);
        expect(edge, backend).toEqual(new Array(8).fill(a === p ? 1 : 0));
      }
      expect(p[4]).not.toBe(1);
    }
  });
});
