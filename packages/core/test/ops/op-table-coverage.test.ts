import { describe, expect, it } from 'vitest';
import { listPrimitives } from '@tapegrad/core';
import { opTable } from '../op-table/index.js';

/* The meta-test: a registered primitive without a row in the op table fails here. */

describe('op table coverage', () => {
  const covered = new Set(opTable.map((r) => r.op));

  it('has a row for every registered primitive', () => {
    const missing = listPrimitives()
      .map((p) => p.name)
      .filter((name) => !covered.has(name));
    expect(missing).toEqual([]);
  });

  it('checks gradients of every differentiable primitive, and only of those', () => {
    for (const p of listPrimitives()) {
      for (const r of opTable.filter((row) => row.op === p.name)) {
        expect(r.gradCheck !== false, `${p.name}: gradCheck ${p.differentiable ? 'expected' : 'not expected'}`).toBe(p.differentiable);
      }
    }
  });

  it('gives every row at least one sample', () => {
    for (const r of opTable) expect(r.samples.length, r.op).toBeGreaterThan(0);
  });
});
