import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DType, TapegradError, Tensor, getBackend, listBackends, setBackend } from '@tapegrad/core';
import { hashSeed } from '../op-table/helpers.js';
import { makeTensor, mutated, printable } from './values.js';

/*
 * The fuzz harness. A target is one public op with two argument generators — `wild` (anything: wrong
 * shapes, dtypes, parameters, junk) and `valid` (valid by construction) — and a reference that says,
 * for any arguments, either what the op must return or why it must refuse them. Every call is then
 * classified:
 *   - returned, and the reference accepts: the result must equal the reference (shape, dtype, values);
 *   - threw a TapegradError, and the reference refuses: fine (the message must have the standard form);
 *   - anything else fails: a bare TypeError/RangeError from the inside, a refusal of valid arguments,
 *     or a silent acceptance of invalid ones.
 * Where the op's math is finite for finite inputs, a NaN in the result fails too. For valid arguments
 * the backward pass runs as well: every float input gets a finite gradient of its own shape and dtype.
 */

/** What a correct op returns. */
export interface Expected {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /**
   * Per element, the magnitude the rounding error is relative to when it is larger than the value itself
   * (Σ|terms| of a sum or a dot product, where cancellation makes the value small): the tolerance is
   * rtol · max(|expected|, scale) + atol.
   */
  readonly scale?: ArrayLike<number>;
  /** The op must return this very tensor (casting to its own dtype, an identity permutation...). */
  readonly identity?: Tensor;
  /** Checked when given (creation functions). */
  readonly requiresGrad?: boolean;
}

/** Why a correct op refuses the arguments. */
export interface Reject {
  readonly reject: string;
}

export type Verdict = Expected | Reject;

export const reject = (why: string): Reject => ({ reject: why });
export const isReject = (v: unknown): v is Reject => typeof v === 'object' && v !== null && 'reject' in v;

export interface FuzzTarget<A extends readonly unknown[]> {
  /** The public op's name (the coverage test matches it against the exports). */
  readonly name: string;
  /** Op names an error may carry besides `name` (a composite reporting the op that checked). */
  readonly errorOps?: readonly string[];
  /** Anything, including junk (the harness adds mutated valid arguments); both outcomes must occur. */
  readonly wild: fc.Arbitrary<A>;
  /** Valid by construction: every call must be accepted. */
  readonly valid: fc.Arbitrary<A>;
  /** The exported op itself, called as fn(...args). */
  readonly fn: (...args: never[]) => unknown;
  /** The reference verdict, computed before the call (so it may read the state of an Rng argument). */
  expect(args: A): Verdict;
  /** Whether the math is finite at these finite arguments, so no NaN may appear (default: never checked). */
  finite?(args: A): boolean;
  /**
   * Valid arguments too costly to run (arange(0, 2^31 − 1) is 8 GB of float32): such cases are discarded.
   * Sizes beyond the limit must still be refused, so this only covers what is valid but huge.
   */
  tooLarge?(args: A): boolean;
  /** Run the backward property on valid arguments (default true). */
  readonly backward?: boolean;
  /** Runs per property: wild, valid, backward (defaults 500, 150, 80). */
  readonly runs?: { wild?: number; valid?: number; backward?: number };
}

export interface Tally {
  accepted: number;
  refused: number;
}

// ---------------------------------------------------------------------------------------------------
// Walking arguments

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** Maps every Tensor inside arrays and plain objects of `v` (other objects are left alone). */
export function mapTensors(v: unknown, f: (t: Tensor) => Tensor): unknown {
  if (v instanceof Tensor) return f(v);
  if (Array.isArray(v)) return v.map((x) => mapTensors(x, f));
  if (isPlain(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapTensors(x, f)]));
  return v;
}

/** Every number an op reads from its arguments: tensor values and plain numbers. */
export function numbersOf(v: unknown, out: number[] = []): number[] {
  if (v instanceof Tensor) for (const x of v.data) out.push(x);
  else if (typeof v === 'number') out.push(v);
  else if (Array.isArray(v)) for (const x of v) numbersOf(x, out);
  else if (isPlain(v)) for (const x of Object.values(v)) numbersOf(x, out);
  return out;
}

export const allFinite = (args: unknown): boolean => numbersOf(args).every(Number.isFinite);
/** The largest |value| among the arguments' tensors and numbers. */
export const maxAbs = (args: unknown): number => numbersOf(args).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

// ---------------------------------------------------------------------------------------------------
// Checking one call

function describeValue(v: unknown): string {
  if (v instanceof Tensor) return `Tensor(shape [${v.shape}], ${v.dtype})`;
  if (typeof v === 'symbol' || typeof v === 'bigint') return String(v);
  return typeof v === 'object' ? Object.prototype.toString.call(v) : `${typeof v} ${String(v)}`;
}

/** Null when the result matches, else what differs. */
export function compareResult(out: unknown, e: Expected): string | null {
  if (!(out instanceof Tensor)) return `returned ${describeValue(out)}, expected a Tensor`;
  if (e.identity !== undefined && out !== e.identity) return 'returned a new tensor, expected its input itself';
  if (e.requiresGrad !== undefined && out.requiresGrad !== e.requiresGrad) return `requiresGrad ${out.requiresGrad}, expected ${e.requiresGrad}`;
  if (out.dtype !== e.dtype) return `dtype ${out.dtype}, expected ${e.dtype}`;
  if (out.shape.length !== e.shape.length || out.shape.some((d, i) => d !== e.shape[i])) return `shape [${out.shape}], expected [${e.shape}]`;
  if (out.data.length !== e.data.length) return `${out.data.length} values, expected ${e.data.length}`;
  const [rtol, atol] = e.dtype === 'float32' ? [1e-4, 1e-5] : [1e-9, 1e-9];
  for (let i = 0; i < e.data.length; i++) {
    const a = out.data[i]!;
    let x = e.data[i]!;
    if (e.dtype === 'float32') x = Math.fround(x);
    if (e.dtype === 'int32' || !Number.isFinite(x)) {
      if (!(Object.is(a, x) || a === x || (Number.isNaN(a) && Number.isNaN(x)))) return `value ${a} at flat index ${i}, expected ${x}`;
      continue;
    }
    const scale = Math.max(Math.abs(x), e.scale ? Math.abs(e.scale[i]!) : 0);
    if (!(Math.abs(a - x) <= atol + rtol * scale)) return `value ${a} at flat index ${i}, expected ${x} (tolerance ${atol + rtol * scale})`;
  }
  return null;
}

/** `[op] arg: expected …, got …` — the one message form of tapegrad's errors. */
const MESSAGE = /^\[([^\]]+)\] [^:]+: expected [\s\S]+, got [\s\S]*$/;

/** Runs one call and classifies it; throws (failing the property) on anything but the two good outcomes. */
export function checkCall<A extends readonly unknown[]>(t: FuzzTarget<A>, args: A, tally: Tally): void {
  const verdict = t.expect(args);
  let out: unknown;
  let thrown: unknown;
  let threw = false;
  try {
    out = (t.fn as (...a: readonly unknown[]) => unknown)(...args);
  } catch (e) {
    thrown = e;
    threw = true;
  }
  if (threw) {
    if (!(thrown instanceof TapegradError)) {
      const err = thrown as Error;
      throw new Error(`${t.name} threw a bare ${err?.constructor?.name ?? typeof thrown}: ${err?.message ?? String(thrown)}\n${err?.stack ?? ''}`);
    }
    const m = MESSAGE.exec(thrown.message);
    if (m === null) throw new Error(`${t.name}: error message not of the form "[op] arg: expected …, got …": ${thrown.message}`);
    const ops = [t.name, ...(t.errorOps ?? [])];
    if (!ops.includes(m[1]!)) throw new Error(`${t.name}: error names op [${m[1]}], expected one of ${ops.join(', ')}: ${thrown.message}`);
    if (!isReject(verdict)) throw new Error(`${t.name} refused arguments the reference accepts: ${thrown.message}`);
    tally.refused++;
    return;
  }
  if (isReject(verdict)) throw new Error(`${t.name} accepted arguments it must refuse (${verdict.reject}); returned ${describeValue(out)}`);
  const problem = compareResult(out, verdict);
  if (problem !== null) throw new Error(`${t.name}: result differs from the reference: ${problem}`);
  if (t.finite?.(args) && allFinite(args) && Array.from((out as Tensor).data).some(Number.isNaN)) {
    throw new Error(`${t.name}: NaN in the result of finite arguments`);
  }
  tally.accepted++;
}

/**
 * The backward property: every float tensor argument is replaced by a requiresGrad copy, the op runs,
 * backward runs from a random upstream gradient, and every copy must receive a finite gradient of its
 * own shape and dtype.
 */
export function checkBackward<A extends readonly unknown[]>(t: FuzzTarget<A>, args: A, gradSeed: number): void {
  const leaves: Tensor[] = [];
  const swapped = mapTensors(args, (x) => {
    if (x.dtype === 'int32') return x;
    const leaf = printable(x.clone());
    leaf.requiresGrad = true;
    leaves.push(leaf);
    return leaf;
  }) as unknown[];
  const out = (t.fn as (...a: readonly unknown[]) => unknown)(...swapped);
  if (leaves.length === 0) return;
  if (!(out instanceof Tensor)) throw new Error(`${t.name}: returned ${describeValue(out)}, expected a Tensor`);
  if (!out.requiresGrad) throw new Error(`${t.name}: the output of requiresGrad inputs does not require grad`);
  out.backward(makeTensor(out.shape, out.dtype, 'unit', gradSeed));
  leaves.forEach((leaf, i) => {
    const g = leaf.grad;
    if (g === null) throw new Error(`${t.name}: input ${i} got no gradient`);
    if (g.dtype !== leaf.dtype || g.shape.length !== leaf.shape.length || g.shape.some((d, j) => d !== leaf.shape[j])) {
      throw new Error(`${t.name}: gradient of input ${i} has shape [${g.shape}] ${g.dtype}, expected [${leaf.shape}] ${leaf.dtype}`);
    }
    const bad = Array.from(g.data).findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${t.name}: gradient of input ${i} is ${g.data[bad]} at flat index ${bad}`);
  });
}

// ---------------------------------------------------------------------------------------------------
// The vitest suite of a list of targets

/**
 * Longer or different fuzzing on demand, e.g. `TAPEGRAD_FUZZ_RUNS=50 TAPEGRAD_FUZZ_SEED=7 npx vitest run
 * packages/core/test/fuzz`: runs are multiplied, seeds shifted. The defaults (1, 0) are what CI runs.
 */
const RUNS_FACTOR = Number(process.env.TAPEGRAD_FUZZ_RUNS ?? 1);
const SEED_SHIFT = Number(process.env.TAPEGRAD_FUZZ_SEED ?? 0);

/** Runs `fn` with `backend` active, restoring the previous one. */
function onBackend(backend: string, fn: () => void): void {
  const previous = getBackend();
  setBackend(backend);
  try {
    fn();
  } finally {
    setBackend(previous);
  }
}

/**
 * Defines the wild, valid and backward properties of each target (fixed seeds per target name), on every
 * registered backend: the same cases run on the reference and on the fast backend.
 */
export function fuzzTargets(group: string, targets: readonly FuzzTarget<readonly unknown[]>[]): void {
  for (const backend of listBackends()) fuzzOnBackend(`${group} (${backend} backend)`, backend, targets);
}

function fuzzOnBackend(group: string, backend: string, targets: readonly FuzzTarget<readonly unknown[]>[]): void {
  describe(group, () => {
    for (const t of targets) {
      const seed = (hashSeed(`fuzz/${t.name}`) + SEED_SHIFT) | 0;
      const base = { wild: 500, valid: 150, backward: 80, ...t.runs };
      const runs = { wild: Math.round(base.wild * RUNS_FACTOR), valid: Math.round(base.valid * RUNS_FACTOR), backward: Math.round(base.backward * RUNS_FACTOR) };
      describe(t.name, () => {
        it('wild arguments: a result equal to the reference or a TapegradError, and both occur', () => {
          const tally: Tally = { accepted: 0, refused: 0 };
          // half hand-written wild arguments, half valid ones with a mistake or two
          const args = fc.oneof(t.wild, mutated(t.valid));
          const property = fc.property(args, (a) => {
            fc.pre(!t.tooLarge?.(a));
            checkCall(t, a, tally);
          });
          onBackend(backend, () => fc.assert(property, { seed, numRuns: runs.wild }));
          if (process.env.TAPEGRAD_FUZZ_VERBOSE) console.log(`${t.name} on ${backend}: ${tally.accepted} accepted, ${tally.refused} refused`);
          // both branches must be exercised, each in a fair share of the runs
          expect(tally.accepted, 'accepted calls').toBeGreaterThanOrEqual(runs.wild * 0.05);
          expect(tally.refused, 'refused calls').toBeGreaterThanOrEqual(runs.wild * 0.05);
        });
        it('valid arguments: always accepted, equal to the reference', () => {
          const tally: Tally = { accepted: 0, refused: 0 };
          const property = fc.property(t.valid, (a) => {
            const v = t.expect(a);
            if (isReject(v)) throw new Error(`${t.name}: the valid generator made arguments the reference refuses: ${v.reject}`);
            checkCall(t, a, tally);
          });
          onBackend(backend, () => fc.assert(property, { seed: seed ^ 1, numRuns: runs.valid }));
          expect(tally.accepted).toBe(runs.valid);
        });
        if (t.backward !== false) {
          it('backward on valid arguments: finite gradients of each input shape', () => {
            const property = fc.property(t.valid, fc.integer({ min: 0, max: 0x7fffffff }), (a, gradSeed) => checkBackward(t, a, gradSeed));
            onBackend(backend, () => fc.assert(property, { seed: seed ^ 2, numRuns: runs.backward }));
          });
        }
      });
    }
  });
}

/** Erases a target's argument type so targets of different ops sit in one list. */
export function target<A extends readonly unknown[]>(t: FuzzTarget<A>): FuzzTarget<readonly unknown[]> {
  return t as unknown as FuzzTarget<readonly unknown[]>;
}
