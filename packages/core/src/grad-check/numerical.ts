import { noGrad } from '../autograd/grad-mode.js';
import { DTypeError, ShapeError, ValueError, argError } from '../errors.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { type CheckedFunction, callChecked, prepareInputs, snapshot } from './prepare.js';

/**
 * Numerical Jacobians of every output w.r.t. `args[index]` by central differences: entry [e·n + j] of the
 * k-th result is (out_k[e](x + eps·e_j) − out_k[e](x − eps·e_j)) / 2eps, with n the input's size.
 * Perturbs `args[index].data` in place (a working copy) and restores it. Runs `fn` without recording.
 */
export function numericalJacobian(op: string, fn: CheckedFunction, args: readonly Tensor[], index: number, eps: number): Float64Array[] {
  const x = args[index]!.data;
  const n = x.length;
  return noGrad(() => {
    const base = callChecked(op, fn, args);
    const jac = base.map((o) => new Float64Array(o.size * n));
    for (let j = 0; j < n; j++) {
      const original = x[j]!;
      x[j] = original + eps;
      const plus = snapshot(callChecked(op, fn, args));
      x[j] = original - eps;
      const minus = snapshot(callChecked(op, fn, args));
      x[j] = original;
      plus.forEach((p, k) => {
        const m = minus[k]!;
        checkSameSize(op, k, base[k]!, p.length);
        for (let e = 0; e < p.length; e++) jac[k]![e * n + j] = (p[e]! - m[e]!) / (2 * eps);
      });
    }
    return jac;
  });
}

/**
 * Numerical directional derivatives J·u of every output along `u` (one central difference per input
 * direction, so two evaluations of `fn` however large the input).
 */
export function numericalDirectional(op: string, fn: CheckedFunction, args: readonly Tensor[], index: number, u: Float64Array, eps: number): Float64Array[] {
  const x = args[index]!.data;
  const original = Float64Array.from(x);
  return noGrad(() => {
    const base = callChecked(op, fn, args);
    try {
      for (let j = 0; j < x.length; j++) x[j] = original[j]! + eps * u[j]!;
      const plus = snapshot(callChecked(op, fn, args));
      for (let j = 0; j < x.length; j++) x[j] = original[j]! - eps * u[j]!;
      const minus = snapshot(callChecked(op, fn, args));
      return plus.map((p, k) => {
        checkSameSize(op, k, base[k]!, p.length);
        const m = minus[k]!;
        const d = new Float64Array(p.length);
        for (let e = 0; e < p.length; e++) d[e] = (p[e]! - m[e]!) / (2 * eps);
        return d;
      });
    } finally {
      x.set(original);
    }
  });
}

function checkSameSize(op: string, k: number, base: Tensor, size: number): void {
  if (size !== base.size) {
    throw argError(ShapeError, op, `output ${k}`, `the same shape ${formatShape(base.shape)} at every evaluation`, `${size} elements after perturbing an input`);
  }
}

/**
 * The gradient of a one-element output w.r.t. `inputs[index]` by central differences, as a float64
 * tensor of that input's shape. Leaves the inputs unchanged. Handy to test gradients by hand.
 * @example
 * const x = tensor([1, 2, 3], undefined, { dtype: 'float64' });
 * numericalGradient((x) => sum(mul(x, x)), [x]); // ≈ [2, 4, 6]
 */
export function numericalGradient(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], index = 0, eps = 1e-6): Tensor {
  const op = 'numericalGradient';
  const { args } = prepareInputs(op, fn, inputs);
  const target = args[index];
  if (target === undefined) throw argError(ValueError, op, 'index', `an input index in [0, ${args.length - 1}]`, String(index));
  if (target.dtype !== 'float64') throw argError(DTypeError, op, `inputs[${index}]`, 'a float64 tensor to differentiate', `dtype ${target.dtype}`);
  // a fresh copy even for inputs prepareInputs only detached: the perturbation must not reach the user's data
  args[index] = new Tensor(target.data.slice(), target.shape, target.dtype);
  const out = noGrad(() => callChecked(op, fn, args))[0]!;
  if (out.size !== 1) {
    throw argError(ShapeError, op, 'fn', 'a function returning a one-element tensor', `an output of shape ${formatShape(out.shape)}`);
  }
  const jac = numericalJacobian(op, fn, args, index, eps)[0]!;
  return new Tensor(jac, target.shape, 'float64');
}
