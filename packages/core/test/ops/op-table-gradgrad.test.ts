import { describe, expect, it } from 'vitest';
import { gradGradCheck, listPrimitives } from '@tapegrad/core';
import { buildInputs, opTable, toTensor } from '../op-table/index.js';

/*
 * Second derivatives: for every differentiable row whose primitive declares a differentiable VJP (and for
 * composite rows, which are built from such primitives), gradGradCheck differentiates the createGraph VJP
 * numerically w.r.t. both the inputs and the output gradient. A VJP computed from raw values instead of
 * ops fails here even when its first derivatives are right.
 */

const info = new Map(listPrimitives().map((p) => [p.name, p]));

describe('second derivatives of the op table (float64 gradGradCheck)', () => {
  for (const r of opTable) {
    if (r.gradCheck === false) continue;
    const p = info.get(r.op);
    if (p !== undefined && !p.vjpDifferentiable) continue;
    for (const sample of r.samples) {
      it(`${r.op}: ${sample.label}`, () => {
        const refs = buildInputs(r.op, sample);
        const inputs = refs.map((x, i) => toTensor(x, 'float64', sample.inputs[i]!.differentiable !== false));
        expect(gradGradCheck((...xs) => r.run(xs, sample.attrs), inputs, r.gradCheck || {})).toBe(true);
      });
    }
  }
});
