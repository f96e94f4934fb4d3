import { describe, expect, it } from 'vitest';
import { TapegradError } from '@tapegrad/core';
import { opTable } from '../op-table/index.js';

/* Every error case of every row: the expected typed error class, and a message matching its regex. */

describe('errors of the op table', () => {
  for (const r of opTable) {
    it(`${r.op} has at least 3 error cases`, () => {
      expect(r.errors.length).toBeGreaterThanOrEqual(3);
    });
    for (const e of r.errors) {
      it(`${r.op}: ${e.label}`, () => {
        let thrown: unknown;
        try {
          e.call();
        } catch (err) {
          thrown = err;
        }
        expect(thrown, 'expected the call to throw').toBeInstanceOf(TapegradError);
        expect(thrown).toBeInstanceOf(e.error);
        expect((thrown as Error).message).toMatch(e.message);
      });
    }
  }
});
