import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, listBackends, noGrad, setBackend } from '@tapegrad/core';
import { FLOAT32_TOLERANCE, FLOAT64_TOLERANCE, buildInputs, compare, opTable, toRef, toTensor, type FloatDType } from '../op-table/index.js';

/*
 * Forward of every op-table row against its naive float64 reference, on every registered backend:
 * float64 within the row's tight tolerance, float32 within rtol 1e-4 / atol 1e-5 of the float64
 * reference computed from the same (unrounded) inputs.
 */

const initial = getBackend();
afterEach(() => setBackend(initial));

for (const backend of listBackends()) {
  describe(`forward on the ${backend} backend`, () => {
    for (const r of opTable) {
      for (const sample of r.samples) {
        for (const dtype of ['float64', 'float32'] as FloatDType[]) {
          it(`${r.op}: ${sample.label} (${dtype})`, () => {
            const refs = buildInputs(r.op, sample);
            const expected = r.reference(refs, sample.attrs);
            setBackend(backend);
            const out = noGrad(() => r.run(refs.map((x) => toTensor(x, dtype)), sample.attrs));
            const tol = dtype === 'float64' ? (r.forwardTolerance ?? FLOAT64_TOLERANCE) : FLOAT32_TOLERANCE;
            expect(compare(toRef(out), expected, tol)).toBeNull();
            if (out.dtype !== 'int32') expect(out.dtype).toBe(dtype);
          });
        }
      }
    }
  });
}
