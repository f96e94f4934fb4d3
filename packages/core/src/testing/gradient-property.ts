import fc from 'fast-check';
import { type CheckedFunction, type GradCheckOptions, GradCheckError, Tensor, formatShape, gradCheck, gradGradCheck } from '../index.js';

/** One generated case: a function and the inputs to gradient-check it at. */
export interface GradientCase {
  readonly fn: CheckedFunction;
  readonly inputs: readonly Tensor[];
  /** Shown with a failing case, e.g. the conv parameters it was built from. */
  readonly label?: string;
}

export interface GradientPropertyOptions {
  /** Options for each gradCheck (eps, atol, rtol, fastMode). */
  gradCheck?: GradCheckOptions;
  /** Also check second derivatives with gradGradCheck. */
  gradGrad?: boolean;
}

export interface CheckGradientsOptions extends GradientPropertyOptions {
  /** fast-check seed; fixed by default (42) so runs reproduce. */
  seed?: number;
  /** Number of generated cases (default 25). */
  numRuns?: number;
  /** Replays one failing case: pass the seed and path from a failure message. */
  path?: string;
}

/** Per-input arbitraries (one per argument of fn), or one arbitrary of the whole input list. */
export type InputArbitraries = readonly fc.Arbitrary<Tensor>[] | fc.Arbitrary<readonly Tensor[]>;

function casesOf(fnOrCases: CheckedFunction | fc.Arbitrary<GradientCase>, arbs: InputArbitraries | undefined): fc.Arbitrary<GradientCase> {
  if (typeof fnOrCases !== 'function') return fnOrCases;
  if (arbs === undefined) throw new GradCheckError('checkGradients', 'arbs: expected the input arbitraries of fn, got none');
  const inputs: fc.Arbitrary<readonly Tensor[]> = Array.isArray(arbs) ? fc.tuple(...(arbs as fc.Arbitrary<Tensor>[])) : (arbs as fc.Arbitrary<readonly Tensor[]>);
  return inputs.map((xs) => ({ fn: fnOrCases, inputs: xs }));
}

function checkCase(c: GradientCase, options: GradientPropertyOptions): void {
  gradCheck(c.fn, c.inputs, options.gradCheck);
  if (options.gradGrad) gradGradCheck(c.fn, c.inputs, options.gradCheck);
}

/**
 * The property "gradCheck passes on every generated case" (and gradGradCheck with `gradGrad`), to run
 * with `fc.assert` alongside other properties. Prefer `checkGradients`, which runs it with a fixed seed
 * and a readable failure.
 * @example
 * fc.assert(gradientProperty((x, w) => sum(mul(x, w)), [tensorArb({ shape: [3] }), tensorArb({ shape: [3] })]), { seed: 42, numRuns: 20 });
 */
export function gradientProperty(fn: CheckedFunction, arbs: InputArbitraries, options?: GradientPropertyOptions): fc.IPropertyWithHooks<[GradientCase]>;
export function gradientProperty(cases: fc.Arbitrary<GradientCase>, options?: GradientPropertyOptions): fc.IPropertyWithHooks<[GradientCase]>;
export function gradientProperty(
  fnOrCases: CheckedFunction | fc.Arbitrary<GradientCase>,
  arbsOrOptions?: InputArbitraries | GradientPropertyOptions,
  maybeOptions?: GradientPropertyOptions,
): fc.IPropertyWithHooks<[GradientCase]> {
  const { cases, options } = parseArgs(fnOrCases, arbsOrOptions, maybeOptions);
  return fc.property(cases, (c) => checkCase(c, options));
}

/**
 * Gradient-checks `fn` on generated inputs — "this function's gradients are right" as a property test in
 * one call. Runs a fixed seed (42) by default; on failure throws a GradCheckError with the seed and path
 * to replay, the (shrunk) failing inputs and gradCheck's own message. Either pass fn with one arbitrary
 * per input, or an arbitrary of `{ fn, inputs, label }` cases when fn depends on generated parameters.
 * @example
 * checkGradients((x, w) => sum(mul(x, w)), [tensorArb({ shape: [2, 3] }), tensorArb({ shape: [3] })]);
 * checkGradients(
 *   poolParamsArb().chain((p) => tensorArb({ shape: p.xShape }).map((x) => ({ fn: (x: Tensor) => avgPool2d(x, p), inputs: [x], label: JSON.stringify(p) }))),
 *   { numRuns: 30 },
 * );
 */
export function checkGradients(fn: CheckedFunction, arbs: InputArbitraries, options?: CheckGradientsOptions): void;
export function checkGradients(cases: fc.Arbitrary<GradientCase>, options?: CheckGradientsOptions): void;
export function checkGradients(
  fnOrCases: CheckedFunction | fc.Arbitrary<GradientCase>,
  arbsOrOptions?: InputArbitraries | CheckGradientsOptions,
  maybeOptions?: CheckGradientsOptions,
): void {
  const { cases, options } = parseArgs<CheckGradientsOptions>(fnOrCases, arbsOrOptions, maybeOptions);
  const seed = options.seed ?? 42;
  const params: fc.Parameters<[GradientCase]> = { seed, numRuns: options.numRuns ?? 25 };
  if (options.path !== undefined) params.path = options.path;
  const details = fc.check(fc.property(cases, (c) => checkCase(c, options)), params);
  if (!details.failed) return;
  const path = details.counterexamplePath ?? '';
  const cause = details.errorInstance;
  const reason = cause instanceof Error ? `${cause.name === 'GradCheckError' ? '' : `${cause.name}: `}${cause.message}` : String(cause);
  const example = details.counterexample?.[0];
  throw new GradCheckError(
    'checkGradients',
    `a generated case failed (seed ${seed}, path "${path}", after ${plural(details.numRuns, 'run')} and ${plural(details.numShrinks, 'shrink')}; replay it with { seed: ${seed}, path: '${path}' }): ${reason}` +
      (example ? `\n  failing case: ${describeCase(example)}` : ''),
  );
}

function parseArgs<O extends GradientPropertyOptions>(
  fnOrCases: CheckedFunction | fc.Arbitrary<GradientCase>,
  arbsOrOptions: InputArbitraries | O | undefined,
  maybeOptions: O | undefined,
): { cases: fc.Arbitrary<GradientCase>; options: O } {
  if (typeof fnOrCases === 'function') {
    return { cases: casesOf(fnOrCases, arbsOrOptions as InputArbitraries), options: maybeOptions ?? ({} as O) };
  }
  return { cases: casesOf(fnOrCases, undefined), options: (arbsOrOptions as O | undefined) ?? ({} as O) };
}

/** Inputs as the `tensor(...)` calls that rebuild them (values only for small tensors). */
function describeCase(c: GradientCase): string {
  const inputs = c.inputs.map((t) =>
    t instanceof Tensor
      ? t.size <= 24
        ? `tensor([${Array.from(t.data).join(', ')}], ${formatShape(t.shape)}, { dtype: '${t.dtype}' })`
        : `a ${t.dtype} tensor of shape ${formatShape(t.shape)}`
      : String(t),
  );
  return `${c.label ? `${c.label}; ` : ''}inputs ${inputs.join(', ')}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
