import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TapegradError, Tensor } from '@tapegrad/core';
import { functionalCall } from '@tapegrad/nn';
import { junkArb } from './core-fuzz.js';
import { fuzzSettings } from './harness.js';
import { MODELS, editArb, edited, inputFor } from './state-dicts.js';

/*
 * functionalCall under fuzzing: stand-in parameters by name (a valid state dict of other weights, edited:
 * keys dropped, renamed, added, reshaped, recast, junk) or by position (truncated, padded, junk). Property:
 * the call either returns exactly what the same model with those values loaded returns, or throws a
 * TapegradError `[functionalCall] …`; either way the model keeps its own parameter tensors and values.
 */

/** Why the stand-ins must be refused, or null (then: the names or positions that are replaced). */
function problem(names: readonly string[], params: ReadonlyMap<string, Tensor>, standIns: unknown): string | null {
  if (typeof standIns !== 'object' || standIns === null) return 'not an array or object';
  const fits = (name: string, t: unknown) => {
    const p = params.get(name)!;
    return t === undefined || (t instanceof Tensor && t.dtype === p.dtype && t.shape.join() === p.shape.join() && t.ndim === p.ndim);
  };
  if (Array.isArray(standIns)) {
    if (standIns.length !== names.length) return 'wrong count';
    return names.every((n, i) => fits(n, standIns[i])) ? null : 'a stand-in of the wrong shape or dtype';
  }
  const record = standIns as Record<string, unknown>;
  if (Object.keys(record).some((k) => !params.has(k))) return 'an unknown name';
  return names.every((n) => !Object.prototype.hasOwnProperty.call(record, n) || fits(n, record[n])) ? null : 'a stand-in of the wrong shape or dtype';
}

describe('nn fuzz: functionalCall', () => {
  it('equals the model with the stand-ins loaded, or a TapegradError; the model is restored either way; both occur', () => {
    const tally = { called: 0, refused: 0 };
    const standInsArb = fc.oneof(
      { weight: 6, arbitrary: fc.record({ form: fc.constant('record' as const), edits: fc.array(editArb, { maxLength: 2 }) }) },
      { weight: 3, arbitrary: fc.record({ form: fc.constant('array' as const), cut: fc.integer({ min: -1, max: 1 }), junk: fc.option(junkArb, { nil: undefined }) }) },
      { weight: 1, arbitrary: fc.record({ form: fc.constant('junk' as const), value: junkArb }) },
    );
    const property = fc.property(fc.constantFrom(...Object.keys(MODELS)), fc.integer({ min: 0, max: 1000 }), standInsArb, (name, seed, spec) => {
      const model = MODELS[name]!(seed);
      const named = model.namedParameters();
      const params = new Map(named);
      const before = named.map(([, p]) => Array.from(p.data));
      const other = MODELS[name]!(seed + 1).stateDict();
      let standIns: unknown;
      if (spec.form === 'record') standIns = edited(other, spec.edits);
      else if (spec.form === 'junk') standIns = spec.value;
      else {
        const list: unknown[] = named.map(([k]) => other[k]);
        if (spec.cut < 0) list.pop();
        if (spec.cut > 0) list.push(other[named[0]![0]]);
        if (spec.junk !== undefined && list.length > 0) list[seed % list.length] = spec.junk;
        standIns = list;
      }
      const x = inputFor(name);
      const why = problem(named.map(([k]) => k), params, standIns);
      let out: unknown;
      try {
        out = functionalCall(model, standIns as Tensor[], x);
      } catch (e) {
        if (!(e instanceof TapegradError)) throw new Error(`functionalCall threw a bare ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
        expect(e.message).toMatch(/^\[functionalCall\] [^:]+: expected [\s\S]+, got [\s\S]*$/);
        if (why === null) throw new Error(`functionalCall refused valid stand-ins: ${e.message}`);
        tally.refused++;
      }
      // restored: the same tensors with their own values
      expect(model.namedParameters().map(([k, p]) => [k, p])).toEqual(named);
      named.forEach(([k, p], i) => expect(Array.from(p.data), k).toEqual(before[i]));
      if (out === undefined) return;
      if (why !== null) throw new Error(`functionalCall accepted stand-ins it must refuse (${why})`);
      // the reference: a twin with the stand-ins' values loaded
      const twin = MODELS[name]!(seed);
      const twinParams = twin.namedParameters();
      twinParams.forEach(([k, p], i) => {
        const t = Array.isArray(standIns) ? standIns[i] : (standIns as Record<string, unknown>)[k];
        if (t instanceof Tensor) p.data.set(t.data);
      });
      const want = twin.forward(x);
      expect(out).toBeInstanceOf(Tensor);
      expect((out as Tensor).shape).toEqual(want.shape);
      expect(Array.from((out as Tensor).data)).toEqual(Array.from(want.data));
      tally.called++;
    });
    const settings = fuzzSettings('functionalCall', 200);
    fc.assert(property, settings);
    if (process.env.TAPEGRAD_FUZZ_VERBOSE) console.log('functionalCall:', tally);
    expect(tally.called).toBeGreaterThanOrEqual(settings.numRuns * 0.1);
    expect(tally.refused).toBeGreaterThanOrEqual(settings.numRuns * 0.1);
  });
});
