import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TapegradError, Tensor, ValueError, formatShape } from '@tapegrad/core';
import type { Module, StateDict } from '@tapegrad/nn';
import { junkArb } from './core-fuzz.js';
import { fuzzSettings } from './harness.js';
import { MODELS, editArb, edited } from './state-dicts.js';

/*
 * loadStateDict under fuzzing: a valid state dict of the same architecture (other weights) with random
 * keys dropped, renamed (a `module.` prefix, a typo, another layer's name), added, reshaped (same size or
 * not), recast (float64, int32) or replaced by junk, loaded strictly or not. Property: either it loads —
 * every given entry copied exactly, the rest untouched, the parameters the same tensor objects, the
 * missing and unexpected keys reported — or it throws one ValueError `[loadStateDict] stateDict: …` that
 * lists every problem (each missing, unexpected and mismatched key, with their counts) and changes nothing.
 */

interface Problems {
  missing: string[];
  unexpected: string[];
  mismatched: string[];
}

/** The reference: what is wrong with `sd` for `model`, read from the parameters' names, shapes and dtypes. */
function problemsOf(model: Module, sd: Record<string, unknown>): Problems {
  const params = new Map(model.namedParameters());
  const missing = [...params.keys()].filter((k) => !Object.prototype.hasOwnProperty.call(sd, k));
  const unexpected = Object.keys(sd).filter((k) => !params.has(k));
  const mismatched = [...params].filter(([k, p]) => {
    if (!Object.prototype.hasOwnProperty.call(sd, k)) return false;
    const v = sd[k];
    return !(v instanceof Tensor) || v.dtype !== p.dtype || formatShape(v.shape) !== formatShape(p.shape);
  });
  return { missing, unexpected, mismatched: mismatched.map(([k]) => k) };
}

/** The names listed in one `N what: a, b, c` section of the message, with N. */
function section(message: string, what: 'missing' | 'unexpected'): { count: number; names: string[] } | null {
  const m = new RegExp(`(\\d+) ${what}: ([^;]*)`).exec(message);
  return m === null ? null : { count: Number(m[1]), names: m[2]!.split(', ') };
}

const snapshot = (model: Module) => model.namedParameters().map(([k, p]) => [k, p, Array.from(p.data)] as const);

const strictArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>(undefined, { strict: true }, { strict: false }, {}) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'strict', { strict: 'no' }, { strict: 0 }) });

describe('nn fuzz: loadStateDict', () => {
  it('loads exactly what fits or throws one ValueError listing every problem; both occur', () => {
    const tally = { loaded: 0, refused: 0 };
    const property = fc.property(
      fc.constantFrom(...Object.keys(MODELS)),
      fc.integer({ min: 0, max: 1000 }),
      fc.oneof({ weight: 12, arbitrary: fc.array(editArb, { maxLength: 3 }) }, { weight: 1, arbitrary: junkArb.map((j) => ({ junk: j })) }),
      strictArb,
      (name, seed, edits, options) => {
        const model = MODELS[name]!(seed);
        const sd: unknown = Array.isArray(edits) ? edited(MODELS[name]!(seed + 1).stateDict(), edits) : (edits as { junk: unknown }).junk;
        const before = snapshot(model);
        const o = options as { strict?: unknown } | null | undefined | string;
        const optionsOk = o === undefined || (typeof o === 'object' && o !== null && (o.strict === undefined || typeof o.strict === 'boolean'));
        const strict = typeof o === 'object' && o !== null && o.strict === false ? false : true;
        const sdOk = typeof sd === 'object' && sd !== null;
        const p = sdOk ? problemsOf(model, sd as Record<string, unknown>) : null;
        const listed = p === null ? [] : [...(strict ? [...p.missing, ...p.unexpected] : []), ...p.mismatched];
        const mustRefuse = !optionsOk || !sdOk || listed.length > 0;
        let result: unknown;
        try {
          result = model.loadStateDict(sd as StateDict, options as never);
        } catch (e) {
          if (!(e instanceof TapegradError)) throw new Error(`loadStateDict threw a bare ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
          expect(e, e.message).toBeInstanceOf(ValueError);
          expect(e.message).toMatch(/^\[loadStateDict\] [^:]+: expected [\s\S]+, got [\s\S]*$/);
          if (!mustRefuse) throw new Error(`loadStateDict refused a state dict that fits: ${e.message}`);
          if (optionsOk && sdOk && p !== null) {
            // one error listing every problem, with their counts
            for (const what of ['missing', 'unexpected'] as const) {
              const s = section(e.message, what);
              const want = strict ? p[what] : [];
              if (want.length === 0) expect(s, e.message).toBeNull();
              else expect({ count: s?.count, names: new Set(s?.names) }, e.message).toEqual({ count: want.length, names: new Set(want) });
            }
            const mm = /(\d+) mismatched: (.*)$/.exec(e.message);
            expect(mm === null ? 0 : Number(mm[1]), e.message).toBe(p.mismatched.length);
            for (const k of p.mismatched) expect(mm?.[2], e.message).toContain(`${k} (expected `);
          }
          // nothing copied
          for (const [k, t, data] of before) expect(Array.from(t.data), k).toEqual(data);
          tally.refused++;
          return;
        }
        if (mustRefuse) throw new Error(`loadStateDict accepted what it must refuse: ${JSON.stringify(p)}, options ${String(options)}`);
        expect(result).toEqual({ missing: p!.missing, unexpected: p!.unexpected });
        const after = new Map(model.namedParameters());
        for (const [k, t, data] of before) {
          expect(after.get(k), `${k} is the same tensor`).toBe(t);
          const src = (sd as Record<string, unknown>)[k];
          expect(Array.from(t.data), k).toEqual(src instanceof Tensor ? Array.from(src.data) : data);
        }
        tally.loaded++;
      },
    );
    const settings = fuzzSettings('loadStateDict', 300);
    fc.assert(property, settings);
    if (process.env.TAPEGRAD_FUZZ_VERBOSE) console.log('loadStateDict:', tally);
    expect(tally.loaded).toBeGreaterThanOrEqual(settings.numRuns * 0.1);
    expect(tally.refused).toBeGreaterThanOrEqual(settings.numRuns * 0.1);
  });
});
