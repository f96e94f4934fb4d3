import { computeGradients } from '../autograd/engine.js';
import { enableGrad } from '../autograd/grad-mode.js';
import { GradCheckError, ValueError, argError } from '../errors.js';
import { Rng } from '../random.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { type Mismatch, formatIndex, formatNumber, worstMismatch } from './compare.js';
import { numericalDirectional, numericalJacobian } from './numerical.js';
import { type CheckedFunction, callChecked, prepareInputs } from './prepare.js';

export interface GradCheckOptions {
  /** Step of the central differences. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance (of the numerical value). Default 1e-3. */
  rtol?: number;
  /**
   * Check one random direction per input instead of the whole Jacobian: vᵀ(J·u) by one central
   * difference along u against (vᵀJ)·u from one VJP. Two evaluations of fn per input, for big inputs.
   */
  fastMode?: boolean;
  /** Seed of the random directions in fastMode. Default 0. */
  seed?: number;
}

interface Resolved {
  labels: CheckLabels;
  eps: number;
  atol: number;
  rtol: number;
  fastMode: boolean;
  seed: number;
}

function resolveOptions(op: string, options: GradCheckOptions): Omit<Resolved, 'labels'> {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const seed = options.seed ?? 0;
  if (!(eps > 0) || !Number.isFinite(eps)) throw argError(ValueError, op, 'eps', 'a positive finite number', String(eps));
  if (!(atol >= 0) || !Number.isFinite(atol)) throw argError(ValueError, op, 'atol', 'a non-negative finite number', String(atol));
  if (!(rtol >= 0) || !Number.isFinite(rtol)) throw argError(ValueError, op, 'rtol', 'a non-negative finite number', String(rtol));
  if (!Number.isInteger(seed)) throw argError(ValueError, op, 'seed', 'an integer', String(seed));
  return { eps, atol, rtol, seed, fastMode: options.fastMode ?? false };
}

/**
 * Checks the tape's gradients of `fn` against central differences in float64 and returns true, or throws
 * a GradCheckError naming the input, the output, the worst index, numerical vs analytical values and the
 * difference. Inputs must be float64; the checked ones are those with requiresGrad (all float inputs if
 * none has it); int32 inputs are passed through. Works on copies: the inputs and their `.grad` stay as
 * they were. A non-scalar output is checked through its full Jacobian, one VJP per output element (or
 * along one random direction with `fastMode`). `fn` may also return an array of outputs.
 * @example
 * const x = randn([3, 4], { seed: 0, dtype: 'float64' });
 * const w = randn([4], { seed: 1, dtype: 'float64' });
 * gradCheck((x, w) => sum(mul(x, w)), [x, w]); // true
 */
export function gradCheck(fn: CheckedFunction, inputs: readonly Tensor[], options: GradCheckOptions = {}): true {
  return runGradCheck('gradCheck', fn, inputs, options, defaultLabels);
}

/** How messages name the inputs and outputs of the function under check. */
export interface CheckLabels {
  input(i: number, x: Tensor): string;
  output(k: number, out: Tensor): string;
}

const defaultLabels: CheckLabels = {
  input: (i, x) => `input ${i} (shape ${formatShape(x.shape)})`,
  output: (k, out) => `output ${k} (shape ${formatShape(out.shape)})`,
};

/** @internal gradCheck with the op name and labels of its caller (gradGradCheck). */
export function runGradCheck(op: string, fn: CheckedFunction, inputs: readonly Tensor[], options: GradCheckOptions, labels: CheckLabels): true {
  const opts: Resolved = { ...resolveOptions(op, options), labels };
  const { args, checked } = prepareInputs(op, fn, inputs);
  if (checked.length === 0) throw argError(ValueError, op, 'inputs', 'at least one float64 input to check', args.length === 0 ? 'no inputs' : 'int32 inputs only');
  // recording on even inside noGrad: the analytical side needs the tape
  const outputs = enableGrad(() => callChecked(op, fn, args));
  if (opts.fastMode) checkAlongDirections(op, fn, args, checked, outputs, opts);
  else checkJacobians(op, fn, args, checked, outputs, opts);
  return true;
}

/** Full mode: every entry of every Jacobian block d output_k / d input_i. */
function checkJacobians(op: string, fn: CheckedFunction, args: Tensor[], checked: number[], outputs: Tensor[], opts: Resolved): void {
  const analytical = outputs.map((out) => analyticalJacobian(out, args, checked));
  checked.forEach((i, c) => {
    const numerical = numericalJacobian(op, fn, args, i, opts.eps);
    outputs.forEach((out, k) => {
      const bad = worstMismatch(numerical[k]!, analytical[k]![c]!, opts.atol, opts.rtol);
      if (bad !== null) throw jacobianError(op, i, args[i]!, k, out, bad, opts);
    });
  });
}

/**
 * Rows of d out / d args[i] for each checked input: one backward pass per output element with a one-hot
 * output gradient. computeGradients leaves every `.grad` alone; an input the VJPs give no gradient gets zeros.
 */
function analyticalJacobian(out: Tensor, args: readonly Tensor[], checked: readonly number[]): Float64Array[] {
  const blocks = checked.map((i) => new Float64Array(out.size * args[i]!.size));
  if (!out.requiresGrad) return blocks;
  for (let e = 0; e < out.size; e++) {
    const oneHot = new Float64Array(out.size);
    oneHot[e] = 1;
    const grads = computeGradients([out], [new Tensor(oneHot, out.shape, 'float64')], { retainGraph: true });
    checked.forEach((i, c) => {
      const g = grads.get(args[i]!);
      if (g !== undefined) blocks[c]!.set(g.data, e * args[i]!.size);
    });
  }
  return blocks;
}

/** Fast mode: per input i and output k, vₖᵀ(J·uᵢ) numerically vs (vₖᵀJ)·uᵢ analytically. */
function checkAlongDirections(op: string, fn: CheckedFunction, args: Tensor[], checked: number[], outputs: Tensor[], opts: Resolved): void {
  const rng = new Rng(opts.seed);
  const vs = outputs.map((o) => unitVector(rng, o.size));
  const us = checked.map((i) => unitVector(rng, args[i]!.size));
  const vjps = outputs.map((out, k) =>
    out.requiresGrad ? computeGradients([out], [new Tensor(vs[k]!, out.shape, 'float64')], { retainGraph: true }) : new Map<Tensor, Tensor>(),
  );
  checked.forEach((i, c) => {
    const u = us[c]!;
    const ju = numericalDirectional(op, fn, args, i, u, opts.eps);
    outputs.forEach((out, k) => {
      const g = vjps[k]!.get(args[i]!);
      const analytical = g === undefined ? 0 : dot(g.data, u);
      const numerical = dot(ju[k]!, vs[k]!);
      const bad = worstMismatch([numerical], [analytical], opts.atol, opts.rtol);
      if (bad !== null) throw directionError(op, i, args[i]!, k, out, bad, opts);
    });
  });
}

/** A random vector of unit length (normal entries, normalized), so tolerances mean what they do in full mode. */
function unitVector(rng: Rng, n: number): Float64Array {
  const u = new Float64Array(n);
  let norm = 0;
  for (let j = 0; j < n; j++) {
    u[j] = rng.normal();
    norm += u[j]! * u[j]!;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let j = 0; j < n; j++) u[j] = u[j]! / norm;
  return u;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}

function tolerances(opts: Resolved): string {
  // tolerances as written in code: 1e-5 rather than 0.00001
  const exp = (v: number) => (v === 0 ? '0' : v.toExponential().replace('e+', 'e'));
  return `(atol ${exp(opts.atol)}, rtol ${exp(opts.rtol)})`;
}

function jacobianError(op: string, i: number, x: Tensor, k: number, out: Tensor, bad: Mismatch, opts: Resolved): GradCheckError {
  const e = Math.floor(bad.flat / x.size);
  const j = bad.flat % x.size;
  const element = out.size > 1 ? ` element ${formatIndex(e, out.shape)} (flat ${e})` : '';
  return new GradCheckError(
    op,
    `${opts.labels.input(i, x)}, ${opts.labels.output(k, out)}${element}: worst at ${formatIndex(j, x.shape)} (flat ${j}): ` +
      `numerical ${formatNumber(bad.numerical)} vs analytical ${formatNumber(bad.analytical)}, max difference ${formatNumber(bad.difference)} ${tolerances(opts)}`,
  );
}

function directionError(op: string, i: number, x: Tensor, k: number, out: Tensor, bad: Mismatch, opts: Resolved): GradCheckError {
  return new GradCheckError(
    op,
    `${opts.labels.input(i, x)}, ${opts.labels.output(k, out)}: along a random direction (fastMode, seed ${opts.seed}): ` +
      `numerical vᵀJu ${formatNumber(bad.numerical)} vs analytical (vᵀJ)·u ${formatNumber(bad.analytical)}, max difference ${formatNumber(bad.difference)} ` +
      `${tolerances(opts)}; run without fastMode to find the worst index`,
  );
}
