import { describe, expect, it } from 'vitest';
import { gradCheck } from '@tapegrad/core';
import { buildInputs, opTable, toTensor } from '../op-table/index.js';

/*
 * gradCheck in float64 (central differences vs the tape) for every sample of every differentiable row.
 * Inputs marked differentiable: false (labels, indices) are passed without requiresGrad, so gradCheck
 * leaves them alone.
 */

describe('gradients of the op table (float64 gradCheck)', () => {
  for (const r of opTable) {
    if (r.gradCheck === false) continue;
    const options = r.gradCheck ?? {};
    for (const sample of r.samples) {
      it(`${r.op}: ${sample.label}`, () => {
        const refs = buildInputs(r.op, sample);
        const inputs = refs.map((x, i) => toTensor(x, 'float64', sample.inputs[i]!.differentiable !== false));
        expect(gradCheck((...xs) => r.run(xs, sample.attrs), inputs, options)).toBe(true);
      });
    }
  }
});
