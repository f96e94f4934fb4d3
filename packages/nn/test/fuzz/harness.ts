import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DType, TapegradError, Tensor, getBackend, listBackends, setBackend } from '@tapegrad/core';
import { type Module, manualSeed } from '@tapegrad/nn';
import { type Expected, compareResult, hashSeed, makeTensor, mutated, printable } from './core-fuzz.js';
import { type Flow, type Refusal, isRefusal, refForward } from './references.js';

/*
 * The fuzz harness of nn's modules. A target is one public layer or model: constructor arguments (wild:
 * anything, junk included; valid: valid by construction), an input generator for a module built from
 * given arguments, and the constructor's rules. Every case is classified:
 *   - construction threw: it must be a TapegradError in the standard form naming the class
 *     (`[Conv2d] kernel: expected …` or `[AlexNet (Conv2d)] …`), and the rules must refuse the arguments;
 *   - construction succeeded (the rules must accept), then forward:
 *     - returned: equal to the reference of references.ts, which uses the module's own parameters; and
 *       no NaN when the input is finite;
 *     - threw: a TapegradError in the standard form naming the module (its class) or the failing layer
 *       (its dotted name, e.g. `[conv1] x: expected 4-D (N,1,28,28), got shape […]`), and the reference
 *       refuses the input. A model's wrong input must be reported by its first layer with the expected
 *       and the received shape.
 * Anything else fails: a bare TypeError/RangeError, an error naming something else, a refusal of valid
 * arguments or a silent acceptance of invalid ones. Valid cases also run backward: the input and every
 * parameter get a finite gradient of their own shape and dtype.
 */

/** One fuzz case: constructor arguments, the forward input and the training mode. */
export interface Case<C> {
  readonly args: C;
  readonly x: unknown;
  readonly training: boolean;
}

export interface ModuleTarget<C extends readonly unknown[]> {
  /** The exported class. */
  readonly name: string;
  /** Constructs the module (a constructor call, or a model built from a spec). */
  build(args: C): Module;
  /** Constructor arguments of any kind (the harness adds mutated valid ones). */
  readonly wild: fc.Arbitrary<C>;
  /** Valid constructor arguments of a module cheap to run. */
  readonly valid: fc.Arbitrary<C>;
  /** Why the constructor must refuse `args`, or null when it must accept them. */
  ctorProblem(args: C): string | null;
  /** Inputs for a module built from `args`: wild ones (wrong rank, channels, dtype, junk) or valid ones. */
  input(args: C, wild: boolean): fc.Arbitrary<unknown>;
  /** Valid arguments too costly to build (a 10^8-parameter layer): such cases are discarded. */
  tooLarge?(args: C): boolean;
  /** Whether the constructor can refuse at all (a class without arguments cannot). Default true. */
  readonly ctorRefusals?: boolean;
  /** Whether a finite input must give a NaN-free output (default true). */
  finite?(c: Case<C>, m: Module): boolean;
  /** Runs per property: wild, valid, backward (defaults 150, 40, 20). */
  readonly runs?: { wild?: number; valid?: number; backward?: number };
}

export interface ModuleTally {
  accepted: number;
  ctorRefused: number;
  forwardRefused: number;
}

/** `[label] arg: expected …, got …` — the one message form of tapegrad's errors. */
const MESSAGE = /^\[([^\]]+)\] [^:]+: expected [\s\S]+, got [\s\S]*$/;

/** The module named by an error label: `conv1`, `features.0 (conv2d)` or `Conv2d (conv2d)` → its first word. */
const labelBase = (label: string) => label.replace(/ \([^)]*\)$/, '');

function describeError(e: unknown): string {
  const err = e as Error;
  return `${err?.constructor?.name ?? typeof e}: ${err?.message ?? String(e)}\n${err?.stack ?? ''}`;
}

/** Checks that `e` is a TapegradError in the standard form whose label is one of `names`; returns the label. */
function checkError(what: string, e: unknown, names: readonly string[]): string {
  if (!(e instanceof TapegradError)) throw new Error(`${what} threw a bare ${describeError(e)}`);
  const m = MESSAGE.exec(e.message);
  if (m === null) throw new Error(`${what}: error message not of the form "[layer] arg: expected …, got …": ${e.message}`);
  if (!names.includes(labelBase(m[1]!))) throw new Error(`${what}: error names [${m[1]}], expected one of ${names.join(', ')}: ${e.message}`);
  return labelBase(m[1]!);
}

/** The expected result of a flow: values, shape, dtype, and the per-element scale of the rounding error. */
const expectedOf = (f: Flow): Expected => ({ data: f.data, shape: f.shape, dtype: f.dtype as DType, scale: f.bound.map((v) => (Number.isNaN(v) ? 0 : v)) });

const allFinite = (x: unknown) => x instanceof Tensor && Array.from(x.data).every(Number.isFinite);

/** Builds the module of a case (reseeding the global generator first, so a case replays). */
function construct<C extends readonly unknown[]>(t: ModuleTarget<C>, args: C): { module: Module } | { error: unknown } {
  manualSeed(1);
  try {
    return { module: t.build(args) };
  } catch (e) {
    return { error: e };
  }
}

/** Runs one case and classifies it; throws (failing the property) on anything but the good outcomes. */
export function checkCase<C extends readonly unknown[]>(t: ModuleTarget<C>, c: Case<C>, tally: ModuleTally): void {
  const problem = t.ctorProblem(c.args);
  const built = construct(t, c.args);
  if ('error' in built) {
    checkError(`new ${t.name}(…)`, built.error, [t.name]);
    if (problem === null) throw new Error(`new ${t.name}(…) refused arguments the rules accept: ${(built.error as Error).message}`);
    tally.ctorRefused++;
    return;
  }
  if (problem !== null) throw new Error(`new ${t.name}(…) accepted arguments it must refuse (${problem})`);
  const m = built.module.train(c.training);
  // computed before the call: the reference reads the state of Dropout generators without advancing it
  const verdict = refForward(m, c.x);
  let out: unknown;
  try {
    out = m.forward(c.x as Tensor);
  } catch (e) {
    const names = [t.name, ...m.namedModules().map(([n]) => n).filter((n) => n !== '')];
    const label = checkError(`${t.name}.forward`, e, names);
    if (!isRefusal(verdict)) throw new Error(`${t.name}.forward refused an input the reference accepts: ${(e as Error).message}`);
    checkNamed(t.name, m, verdict, label, (e as Error).message);
    tally.forwardRefused++;
    return;
  }
  if (isRefusal(verdict)) throw new Error(`${t.name}.forward accepted an input it must refuse (${verdict.reject}); returned ${out instanceof Tensor ? `shape [${out.shape}]` : typeof out}`);
  const diff = compareResult(out, expectedOf(verdict));
  if (diff !== null) throw new Error(`${t.name}.forward: result differs from the reference: ${diff}`);
  if ((t.finite?.(c, m) ?? true) && allFinite(c.x) && Array.from((out as Tensor).data).some(Number.isNaN)) {
    throw new Error(`${t.name}.forward: NaN in the output of a finite input`);
  }
  tally.accepted++;
}

/** A refusal that must come from a given layer (a model's input check) names exactly that layer. */
function checkNamed(target: string, m: Module, r: Refusal, label: string, message: string): void {
  if (r.layer === undefined) return;
  const name = m.namedModules().find(([, sub]) => sub === r.layer)?.[0];
  if (label !== name) throw new Error(`${target}.forward: the error names [${label}], expected the layer [${name}]: ${message}`);
  if (r.message && !r.message.test(message)) throw new Error(`${target}.forward: message ${JSON.stringify(message)} does not match ${r.message}`);
}

/**
 * The backward property on a valid case: the float input (a requiresGrad copy) and every parameter get
 * a finite gradient of their own shape and dtype.
 */
export function checkBackward<C extends readonly unknown[]>(t: ModuleTarget<C>, c: Case<C>, gradSeed: number): void {
  const built = construct(t, c.args);
  if ('error' in built) throw new Error(`new ${t.name}(…) refused valid arguments: ${describeError(built.error)}`);
  const m = built.module.train(c.training);
  const x = c.x as Tensor;
  const leaf = x.dtype === 'int32' ? x : printable(x.clone());
  if (leaf !== x) leaf.requiresGrad = true;
  const out = m.forward(leaf);
  const targets: [string, Tensor][] = [...m.namedParameters(), ...(leaf !== x ? [['x', leaf] as [string, Tensor]] : [])];
  if (targets.length === 0) return;
  if (!out.requiresGrad) throw new Error(`${t.name}: the output of requiresGrad inputs does not require grad`);
  out.backward(makeTensor(out.shape, out.dtype, 'unit', gradSeed));
  for (const [name, p] of targets) {
    const g = p.grad;
    if (g === null) throw new Error(`${t.name}: ${name} got no gradient`);
    if (g.dtype !== p.dtype || g.shape.join() !== p.shape.join() || g.ndim !== p.ndim) throw new Error(`${t.name}: gradient of ${name} is [${g.shape}] ${g.dtype}, expected [${p.shape}] ${p.dtype}`);
    const bad = Array.from(g.data).findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${t.name}: gradient of ${name} is ${g.data[bad]} at flat index ${bad}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// The vitest suite

/** `TAPEGRAD_FUZZ_RUNS=20 TAPEGRAD_FUZZ_SEED=7 npx vitest run packages/nn/test/fuzz` fuzzes longer or elsewhere. */
const RUNS_FACTOR = Number(process.env.TAPEGRAD_FUZZ_RUNS ?? 1);
const SEED_SHIFT = Number(process.env.TAPEGRAD_FUZZ_SEED ?? 0);

/** fast-check settings of a property named `name` with `runs` runs by default (fixed seed, shifted on demand). */
export const fuzzSettings = (name: string, runs: number) => ({ seed: (hashSeed(`nn-fuzz/${name}`) + SEED_SHIFT) | 0, numRuns: Math.round(runs * RUNS_FACTOR) });

function onBackend(backend: string, fn: () => void): void {
  const previous = getBackend();
  setBackend(backend);
  try {
    fn();
  } finally {
    setBackend(previous);
  }
}

function caseArb<C extends readonly unknown[]>(t: ModuleTarget<C>, args: fc.Arbitrary<C>, wild: boolean): fc.Arbitrary<Case<C>> {
  return args.chain((a) => fc.record({ args: fc.constant(a), x: t.input(a, wild), training: fc.boolean() }));
}

/** The wild, valid and backward properties of each target, on every registered backend. */
export function fuzzModules(group: string, targets: readonly ModuleTarget<readonly unknown[]>[]): void {
  for (const backend of listBackends()) {
    describe(`${group} (${backend} backend)`, () => {
      for (const t of targets) {
        const seed = (hashSeed(`nn-fuzz/${t.name}`) + SEED_SHIFT) | 0;
        const base = { wild: 150, valid: 40, backward: 20, ...t.runs };
        const runs = { wild: Math.round(base.wild * RUNS_FACTOR), valid: Math.round(base.valid * RUNS_FACTOR), backward: Math.round(base.backward * RUNS_FACTOR) };
        describe(t.name, () => {
          it('wild constructor arguments and inputs: a result equal to the reference or a TapegradError naming the layer; both occur', () => {
            const tally: ModuleTally = { accepted: 0, ctorRefused: 0, forwardRefused: 0 };
            const wildCase = caseArb(t, t.wild, true);
            const brokenCase = caseArb(t, mutated(t.valid), true);
            const property = fc.property(fc.oneof(wildCase, brokenCase), (c) => {
              fc.pre(!t.tooLarge?.(c.args));
              checkCase(t, c, tally);
            });
            onBackend(backend, () => fc.assert(property, { seed, numRuns: runs.wild }));
            if (process.env.TAPEGRAD_FUZZ_VERBOSE) console.log(`${t.name} on ${backend}:`, tally);
            const refused = tally.ctorRefused + tally.forwardRefused;
            expect(tally.accepted, 'accepted cases').toBeGreaterThanOrEqual(runs.wild * 0.05);
            expect(refused, 'refused cases').toBeGreaterThanOrEqual(runs.wild * 0.05);
            expect(tally.forwardRefused, 'refused inputs').toBeGreaterThanOrEqual(runs.wild * 0.02);
            if (t.ctorRefusals !== false) expect(tally.ctorRefused, 'refused constructor arguments').toBeGreaterThanOrEqual(runs.wild * 0.02);
          });
          it('valid arguments and inputs: always accepted, equal to the reference', () => {
            const tally: ModuleTally = { accepted: 0, ctorRefused: 0, forwardRefused: 0 };
            const property = fc.property(caseArb(t, t.valid, false), (c) => {
              const problem = t.ctorProblem(c.args);
              if (problem !== null) throw new Error(`${t.name}: the valid generator made arguments the rules refuse: ${problem}`);
              checkCase(t, c, tally);
            });
            onBackend(backend, () => fc.assert(property, { seed: seed ^ 1, numRuns: runs.valid }));
            expect(tally.accepted).toBe(runs.valid);
          });
          it('backward on valid cases: finite gradients for the input and every parameter', () => {
            const property = fc.property(caseArb(t, t.valid, false), fc.integer({ min: 0, max: 0x7fffffff }), (c, g) => checkBackward(t, c, g));
            onBackend(backend, () => fc.assert(property, { seed: seed ^ 2, numRuns: runs.backward }));
          });
        });
      }
    });
  }
}

/** Erases a target's argument type so targets of different modules sit in one list. */
export function moduleTarget<C extends readonly unknown[]>(t: ModuleTarget<C>): ModuleTarget<readonly unknown[]> {
  return t as unknown as ModuleTarget<readonly unknown[]>;
}
