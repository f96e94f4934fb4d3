import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng, tensor } from '@tapegrad/core';
import { buildInputs, compare, opTable, toTensor, type AnyOpRow } from '../op-table/index.js';

/*
 * A VJP is a linear map of the output gradient: vjp(a·g + b·h) = a·vjp(g) + b·vjp(h). Checked by
 * property over random gradients and coefficients (fixed seed) for a spread of primitives: elementwise,
 * broadcasting binary, matrix product, reductions with index routing, layout and composites.
 */

const OPS = ['sub', 'div', 'pow', 'exp', 'tanh', 'sigmoid', 'relu', 'matmul', 'permute', 'max', 'gatherFlat', 'scatterAddFlat', 'softmax'];

/** Input gradients of the row's first sample for output gradient `g` (fresh leaves each time). */
function vjp(r: AnyOpRow, g: Float64Array): Float64Array[] {
  const sample = r.samples[0]!;
  const inputs = buildInputs(r.op, sample).map((x) => toTensor(x, 'float64', true));
  const out = r.run(inputs, sample.attrs);
  out.backward(tensor(g, out.shape, { dtype: 'float64' }));
  return inputs.map((x) => (x.grad ? Float64Array.from(x.grad.data) : new Float64Array(x.size)));
}

function outputSize(r: AnyOpRow): number {
  const sample = r.samples[0]!;
  return r.run(buildInputs(r.op, sample).map((x) => toTensor(x, 'float64')), sample.attrs).size;
}

function normals(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

describe('VJPs are linear in the output gradient', () => {
  for (const name of OPS) {
    const r = opTable.find((row) => row.op === name);
    it(`${name}`, () => {
      expect(r, `a row for ${name}`).toBeDefined();
      const n = outputSize(r!);
      const coefficient = fc.double({ min: -3, max: 3, noNaN: true });
      fc.assert(
        fc.property(fc.integer(), fc.integer(), coefficient, coefficient, (s1, s2, a, b) => {
          const g = normals(n, s1);
          const h = normals(n, s2);
          const combined = vjp(r!, g.map((v, i) => a * v + b * h[i]!));
          const vg = vjp(r!, g);
          const vh = vjp(r!, h);
          combined.forEach((c, k) => {
            const expected = vg[k]!.map((v, i) => a * v + b * vh[k]![i]!);
            const diff = compare({ data: c, shape: [c.length] }, { data: expected, shape: [c.length] }, { atol: 1e-12, rtol: 1e-9 });
            expect(diff).toBeNull();
          });
          // and the special case the definition starts from: vjp(2g) = 2·vjp(g), exactly in binary floating point
          vjp(r!, g.map((v) => 2 * v)).forEach((c, k) => expect(Array.from(c)).toEqual(Array.from(vg[k]!, (v) => 2 * v)));
        }),
        { seed: 42, numRuns: 15 },
      );
    });
  }
});
