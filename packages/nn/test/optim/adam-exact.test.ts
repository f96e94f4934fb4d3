import { describe, expect, it } from 'vitest';
import { tensor } from '@tapegrad/core';
import { Adam } from '@tapegrad/nn';

/*
 * Adam's float32 loop keeps m and v in locals (rounded with Math.fround) instead of reading them back
 * from the arrays. It must give the very bits of the plain formula computed in float64 and stored in the
 * parameter's dtype after every assignment — both branches of torch's lerp, float32 and float64.
 */

/** The update as documented, element by element, storing into arrays of the parameter's kind. */
function naiveAdam(p: Float32Array | Float64Array, grads: (Float32Array | Float64Array)[], o: { lr: number; beta1: number; beta2: number; eps: number }): void {
  const m = p instanceof Float32Array ? new Float32Array(p.length) : new Float64Array(p.length);
  const v = p instanceof Float32Array ? new Float32Array(p.length) : new Float64Array(p.length);
  grads.forEach((g, s) => {
    const t = s + 1;
    const stepSize = o.lr / (1 - o.beta1 ** t);
    const bias2Sqrt = Math.sqrt(1 - o.beta2 ** t);
    const w = 1 - o.beta1;
    for (let j = 0; j < p.length; j++) {
      const gj = g[j]!;
      m[j] = w < 0.5 ? m[j]! + w * (gj - m[j]!) : gj - (gj - m[j]!) * (1 - w);
      v[j] = v[j]! * o.beta2 + (1 - o.beta2) * gj * gj;
      p[j] = p[j]! - stepSize * (m[j]! / (Math.sqrt(v[j]!) / bias2Sqrt + o.eps));
    }
  });
}

describe('Adam, bit for bit', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const beta1 of [0.9, 0.3]) {
      it(`matches the plain formula over 7 steps (${dtype}, beta1 ${beta1}: lerp ${1 - beta1 < 0.5 ? 'forward' : 'backward'})`, () => {
        const n = 1031;
        const Arr = dtype === 'float32' ? Float32Array : Float64Array;
        const init = Arr.from({ length: n }, (_, i) => Math.sin(i * 0.7) * 0.05);
        const grads = Array.from({ length: 7 }, (_, s) =>
          Arr.from({ length: n }, (_, i) => (i % 17 === 0 ? 0 : Math.cos(i * 1.3 + s) * 10 ** ((i % 9) - 6))),
        );
        const options = { lr: 0.01, beta1, beta2: 0.999, eps: 1e-7 };
        const p = tensor(init.slice(), [n], { dtype, requiresGrad: true });
        const opt = new Adam([p], options);
        for (const g of grads) {
          p.grad = tensor(g, [n], { dtype });
          opt.step();
        }
        const want = init.slice();
        naiveAdam(want, grads, options);
        const got = p.data;
        const bad = Array.from(got).findIndex((x, i) => !Object.is(x, want[i]));
        expect(bad, `first difference at ${bad}: ${got[bad]} vs ${want[bad]}`).toBe(-1);
        // the moments live in the optimizer's state, not only in the loop's locals
        expect(Array.from(opt.stateDict().tensors['exp_avg.0']!.data).some((x) => x !== 0)).toBe(true);
      });
    }
  }
});
