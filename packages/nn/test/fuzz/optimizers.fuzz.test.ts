import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DType, TapegradError, Tensor } from '@tapegrad/core';
import type { Optimizer } from '@tapegrad/nn';
import { junkArb, makeTensor, nearShape, shapeArb } from './core-fuzz.js';
import { fuzzSettings } from './harness.js';
import { type Kind, SPECS, type Spec, inDomain } from './optimizer-specs.js';

/*
 * The optimizers under fuzzing: random parameter lists (empty, null, junk, int32, duplicates, a Set or a
 * generator) and hyper-parameters (negative lr, betas/momentum/alpha outside [0, 1), eps ≤ 0, NaN,
 * Infinity, strings) into each constructor; then two steps with random gradients (some missing, some of
 * the wrong shape or dtype). Property: construction either succeeds — and each step equals the update
 * formula written out here (PyTorch's, as each class documents it), with no NaN from finite values — or
 * throws a TapegradError `[Adam] beta1: expected …` naming the class (`[Adam.step] …` for a bad gradient).
 */

const goodValue: Record<Kind, fc.Arbitrary<number>> = {
  rate: fc.oneof(fc.constantFrom(0, 0.001, 0.1, 1), fc.double({ min: 0, max: 2, noNaN: true })),
  unit: fc.oneof(fc.constantFrom(0, 0.5, 0.9, 0.999), fc.double({ min: 0, max: 0.9999, noNaN: true })),
  positive: fc.constantFrom(1e-300, 1e-10, 1e-8, 1e-3, 0.5),
};
const badValue = fc.constantFrom<unknown>(-1, -1e-8, 1, 1.5, 0, -0, NaN, Infinity, -Infinity, '0.1', 1e12, true, [0.1]);

const floatTensor = (shape: readonly number[], dtype: DType, seed: number) => makeTensor(shape, dtype, 'unit', seed);

/** Parameter lists: mostly 1–3 float tensors (as an array, a Set or another iterable), sometimes wrong. */
const paramsArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .tuple(fc.array(fc.tuple(shapeArb({ maxRank: 3 }), fc.constantFrom<DType>('float32', 'float64'), fc.nat()), { minLength: 1, maxLength: 3 }), fc.constantFrom('array', 'array', 'set', 'iterable'))
      .map(([list, form]) => {
        const ts = list.map(([s, d, seed]) => floatTensor(s, d, seed));
        return form === 'set' ? new Set(ts) : form === 'iterable' ? { *[Symbol.iterator]() { yield* ts; } } : ts;
      }),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constant([]),
      fc.nat().map((s) => [new Tensor(Int32Array.from([1, 2]), [2], 'int32'), floatTensor([2], 'float32', s)]),
      fc.nat().map((s) => {
        const t = floatTensor([2], 'float32', s);
        return [t, t];
      }),
      junkArb.map((j) => [floatTensor([1], 'float32', 0), j]),
      junkArb,
    ),
  },
);

function optionsArb(spec: Spec): fc.Arbitrary<unknown> {
  const fields = Object.fromEntries(
    Object.entries(spec.hypers).map(([k, [, kind]]) => [k, fc.oneof({ weight: 8, arbitrary: goodValue[kind] }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: badValue })]),
  );
  return fc.oneof({ weight: 12, arbitrary: fc.record(fields, { requiredKeys: [] }) }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: junkArb });
}

/** Why construction must fail, or null. */
function ctorProblem(spec: Spec, params: unknown, options: unknown): string | null {
  if (options !== undefined && (typeof options !== 'object' || options === null)) return 'options are not an object';
  const o = (options ?? {}) as Record<string, unknown>;
  for (const [k, [def, kind]] of Object.entries(spec.hypers)) if (!inDomain(o[k] ?? def, kind)) return `${k} ${String(o[k])}`;
  if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') return 'params not iterable';
  return null;
}

/** Checks the elements (after the iterable was consumed into `list`). */
function listProblem(list: unknown[]): string | null {
  if (list.length === 0) return 'no parameters';
  if (list.some((p) => !(p instanceof Tensor) || p.dtype === 'int32')) return 'a parameter that is not a float tensor';
  if (new Set(list).size !== list.length) return 'a parameter listed twice';
  return null;
}

/** One step of the documented formula on every parameter with a gradient, values stored in each dtype. */
function refStep(name: string, h: Record<string, number>, params: Tensor[], grads: (Tensor | null)[], state: { bufs: Float64Array[][]; steps: number[] }): Float64Array[] {
  return params.map((p, i) => {
    const out = Float64Array.from(p.data);
    const g = grads[i];
    if (g === null || g === undefined) return out;
    const store = (v: number) => (p.dtype === 'float32' ? Math.fround(v) : v);
    const [a, b] = state.bufs[i]!;
    const t = ++state.steps[i]!;
    for (let j = 0; j < out.length; j++) {
      const gj = g.data[j]!;
      let pj = out[j]!;
      switch (name) {
        case 'SGD':
          pj = pj - h.lr! * gj;
          break;
        case 'Momentum':
          a![j] = store(h.momentum! * a![j]! - h.lr! * gj);
          pj = pj + a![j]!;
          break;
        case 'Nesterov':
          a![j] = store(h.momentum! * a![j]! - h.lr! * gj);
          pj = pj + h.momentum! * a![j]! - h.lr! * gj;
          break;
        case 'AdaGrad':
          a![j] = store(a![j]! + gj * gj);
          pj = pj - h.lr! * (gj / (Math.sqrt(a![j]!) + h.eps!));
          break;
        case 'RMSprop':
          a![j] = store(a![j]! * h.alpha! + (1 - h.alpha!) * gj * gj);
          pj = pj - h.lr! * (gj / (Math.sqrt(a![j]!) + h.eps!));
          break;
        case 'Adam': {
          const w = 1 - h.beta1!;
          a![j] = store(w < 0.5 ? a![j]! + w * (gj - a![j]!) : gj - (gj - a![j]!) * (1 - w));
          b![j] = store(b![j]! * h.beta2! + (1 - h.beta2!) * gj * gj);
          pj = pj - (h.lr! / (1 - h.beta1! ** t)) * (a![j]! / (Math.sqrt(b![j]!) / Math.sqrt(1 - h.beta2! ** t) + h.eps!));
          break;
        }
      }
      out[j] = store(pj);
    }
    return out;
  });
}

/** Gradients for one step: mostly of the parameter's shape and dtype (zeros included), sometimes none or wrong. */
const gradsArb = (shapes: { shape: readonly number[]; dtype: DType }[]) =>
  fc.tuple(
    ...shapes.map(({ shape, dtype }) =>
      fc.oneof(
        { weight: 10, arbitrary: fc.tuple(fc.constantFrom<'unit' | 'int'>('unit', 'int'), fc.nat()).map(([profile, seed]) => makeTensor(shape, dtype, profile, seed)) },
        { weight: 2, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.oneof(nearShape(shape).map((s) => makeTensor(s, dtype === 'float32' ? 'float64' : 'float32', 'unit', 1)), junkArb) },
      ),
    ),
  );

/** The parameters of a valid list (its shapes drive the gradients), or null. */
function paramList(params: unknown): Tensor[] | null {
  if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') return null;
  const list = [...(params as Iterable<unknown>)];
  return listProblem(list) === null ? (list as Tensor[]) : null;
}

const closeTo = (a: number, x: number, dtype: DType) => Object.is(a, x) || (Number.isNaN(a) && Number.isNaN(x)) || Math.abs(a - x) <= (dtype === 'float32' ? 1e-6 : 1e-12) * (1 + Math.abs(x));

describe('nn fuzz: optimizers', () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    it(`${name}: bad parameters and hyper-parameters are TapegradErrors naming it; steps follow the formula; both occur`, () => {
      const tally = { built: 0, refused: 0, stepRefused: 0 };
      const caseArb = fc.tuple(paramsArb, optionsArb(spec)).chain(([params, options]) => {
        const ps = paramList(params) ?? [];
        const grads = gradsArb(ps.map((p) => ({ shape: p.shape, dtype: p.dtype })));
        return fc.tuple(fc.constant(params), fc.constant(options), fc.tuple(grads, grads));
      });
      const property = fc.property(caseArb, ([params, options, steps]) => {
        const list = params !== null && params !== undefined && typeof (params as Iterable<unknown>)[Symbol.iterator] === 'function' ? [...(params as Iterable<unknown>)] : null;
        const problem = ctorProblem(spec, params, options) ?? (list === null ? 'params not iterable' : listProblem(list));
        let opt: Optimizer;
        try {
          opt = spec.make(params, options);
        } catch (e) {
          if (!(e instanceof TapegradError)) throw new Error(`new ${name} threw a bare ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
          expect(e.message).toMatch(new RegExp(`^\\[${name}\\] [^:]+: expected [\\s\\S]+, got [\\s\\S]*$`));
          if (problem === null) throw new Error(`new ${name} refused valid arguments: ${e.message}`);
          tally.refused++;
          return;
        }
        if (problem !== null) throw new Error(`new ${name} accepted arguments it must refuse (${problem})`);
        tally.built++;
        const ps = list as Tensor[];
        expect(opt.params).toEqual(ps);
        const o = (options ?? {}) as Record<string, number | null>;
        const h = Object.fromEntries(Object.entries(spec.hypers).map(([k, [def]]) => [k, o[k] ?? def]));
        const state = { bufs: ps.map((p) => [new Float64Array(p.size), new Float64Array(p.size)]), steps: ps.map(() => 0) };
        for (const grads of steps) {
          const bad = grads.findIndex((g, i) => g !== null && g !== undefined && !(g instanceof Tensor && g.dtype === ps[i]!.dtype && g.shape.join() === ps[i]!.shape.join() && g.ndim === ps[i]!.ndim));
          ps.forEach((p, i) => (p.grad = grads[i] as Tensor | null));
          const before = ps.map((p) => Array.from(p.data));
          try {
            opt.step();
          } catch (e) {
            if (!(e instanceof TapegradError)) throw new Error(`${name}.step threw a bare ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
            expect(e.message).toMatch(new RegExp(`^\\[${name}\\.step\\] params\\[${bad}\\]\\.grad: expected [\\s\\S]+, got [\\s\\S]*$`));
            if (bad < 0) throw new Error(`${name}.step refused valid gradients: ${e.message}`);
            // a refused step changes nothing (no parameter before the bad one updated)
            ps.forEach((p, i) => expect(Array.from(p.data), `params[${i}] after a refused step`).toEqual(before[i]));
            tally.stepRefused++;
            return;
          }
          if (bad >= 0) throw new Error(`${name}.step accepted a bad gradient for params[${bad}]`);
          const want = refStep(name, h, ps.map((p, i) => new Tensor(Float64Array.from(before[i]!), [...p.shape], p.dtype)), grads as (Tensor | null)[], state);
          ps.forEach((p, i) => {
            p.data.forEach((v, j) => {
              if (!closeTo(v, want[i]![j]!, p.dtype)) throw new Error(`${name}.step: params[${i}][${j}] = ${v}, expected ${want[i]![j]}`);
              if (Number.isNaN(v) && Number.isFinite(before[i]![j]!) && h.lr! <= 1e3) throw new Error(`${name}.step: NaN from finite values`);
            });
          });
        }
      });
      const settings = fuzzSettings(name, 200);
      fc.assert(property, settings);
      if (process.env.TAPEGRAD_FUZZ_VERBOSE) console.log(name, tally);
      expect(tally.built).toBeGreaterThanOrEqual(settings.numRuns * 0.1);
      expect(tally.refused).toBeGreaterThanOrEqual(settings.numRuns * 0.1);
      expect(tally.stepRefused).toBeGreaterThanOrEqual(settings.numRuns * 0.025);
    });
  }
});
