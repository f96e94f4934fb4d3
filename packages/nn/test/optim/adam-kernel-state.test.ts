import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, listBackends, setBackend, tensor } from '@tapegrad/core';
import { Adam } from '@tapegrad/nn';

/*
 * Adam's update is the backend's adamUpdate kernel and its moments come from Backend.stateArray (on the
 * wasm backend, arrays in wasm memory updated in place). Whatever the backend, and when the backend
 * changes between steps, the parameters and the saved state are the bits of the plain formula; saved
 * state is an ordinary copy, and restoring it continues exactly.
 */

const initial = getBackend().name;
afterEach(() => setBackend(initial));

const n = 20_011; // large enough for the fast paths, not a multiple of 4
const options = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7 };

function gradient(s: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (i % 17 === 0 ? 0 : Math.cos(i * 1.3 + s) * 10 ** ((i % 9) - 6)));
}

/** The documented update, element by element in float64, each value stored in float32 at once. */
function naive(steps: number): { p: Float32Array; m: Float32Array; v: Float32Array } {
  const p = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) * 0.05);
  const m = new Float32Array(n);
  const v = new Float32Array(n);
  for (let t = 1; t <= steps; t++) {
    const g = gradient(t);
    const stepSize = options.lr / (1 - options.beta1 ** t);
    const bias2Sqrt = Math.sqrt(1 - options.beta2 ** t);
    const w = 1 - options.beta1;
    for (let j = 0; j < n; j++) {
      m[j] = m[j]! + w * (g[j]! - m[j]!);
      v[j] = v[j]! * options.beta2 + (1 - options.beta2) * g[j]! * g[j]!;
      p[j] = p[j]! - stepSize * (m[j]! / (Math.sqrt(v[j]!) / bias2Sqrt + options.eps));
    }
  }
  return { p, m, v };
}

const firstDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).findIndex((x, i) => !Object.is(x, b[i]));

describe('Adam through the backend kernel', () => {
  const want = naive(6);

  for (const backend of listBackends()) {
    it(`6 steps on the ${backend} backend: the formula's bits; state saved as plain copies`, () => {
      setBackend(backend);
      const p = tensor(naive(0).p, [n], { requiresGrad: true });
      const opt = new Adam([p], options);
      for (let t = 1; t <= 6; t++) {
        p.grad = tensor(gradient(t), [n]);
        opt.step();
      }
      expect(firstDifference(p.data, want.p)).toBe(-1);
      const state = opt.stateDict();
      expect(firstDifference(state.tensors['exp_avg.0']!.data, want.m)).toBe(-1);
      expect(firstDifference(state.tensors['exp_avg_sq.0']!.data, want.v)).toBe(-1);
      expect(state.tensors['exp_avg.0']!.data.buffer).toBeInstanceOf(ArrayBuffer);
    });
  }

  it('the backend may change between steps, and a restored state continues exactly', () => {
    const backends = listBackends();
    const p = tensor(naive(0).p, [n], { requiresGrad: true });
    const opt = new Adam([p], options); // moments from the initial backend
    for (let t = 1; t <= 3; t++) {
      setBackend(backends[t % backends.length]!);
      p.grad = tensor(gradient(t), [n]);
      opt.step();
    }
    const saved = opt.stateDict();
    const q = p.clone();
    q.requiresGrad = true;
    for (const backend of backends) {
      setBackend(backend);
      const resumed = new Adam([q.detach().clone()], options);
      const r = resumed.params[0]!;
      r.requiresGrad = true;
      resumed.loadStateDict(saved);
      for (let t = 4; t <= 6; t++) {
        r.grad = tensor(gradient(t), [n]);
        resumed.step();
      }
      expect(firstDifference(r.data, want.p), `resumed on ${backend}`).toBe(-1);
    }
    for (let t = 4; t <= 6; t++) {
      setBackend(backends[t % backends.length]!);
      p.grad = tensor(gradient(t), [n]);
      opt.step();
    }
    expect(firstDifference(p.data, want.p)).toBe(-1);
  });
});
