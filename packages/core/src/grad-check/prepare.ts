import { DTypeError, ValueError, argError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { formatShape } from '../shape.js';

/** What a function under check may return: one tensor, or several (each checked as its own output). */
export type CheckedFunction = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

/** The working copies a check runs on, so the user's tensors (and their `.grad`) are never touched. */
export interface PreparedInputs {
  /** What `fn` is called with: fresh float64 leaves for checked inputs, detached ones otherwise. */
  readonly args: Tensor[];
  /** Indices (into `args`) of the inputs whose gradients are checked. */
  readonly checked: number[];
}

/**
 * Validates `inputs` and builds working copies. Float inputs must be float64 (central differences in
 * float32 are too coarse to tell a wrong gradient from rounding). The checked inputs are those with
 * requiresGrad, or every float input when none has it; int32 inputs are passed through untouched.
 */
export function prepareInputs(op: string, fn: unknown, inputs: unknown): PreparedInputs {
  if (typeof fn !== 'function') throw argError(ValueError, op, 'fn', 'a function of tensors returning a tensor', typeof fn);
  if (!Array.isArray(inputs)) throw argError(ValueError, op, 'inputs', 'an array of tensors', typeof inputs);
  inputs.forEach((x: unknown, i) => {
    if (!(x instanceof Tensor)) throw argError(ValueError, op, `inputs[${i}]`, 'a Tensor', x === null ? 'null' : typeof x);
    if (x.dtype === 'float32') {
      throw argError(
        DTypeError,
        op,
        `inputs[${i}]`,
        "a float64 tensor (central differences need double precision; create it with { dtype: 'float64' })",
        `dtype float32 with shape ${formatShape(x.shape)}`,
      );
    }
  });
  const tensors = inputs as Tensor[];
  const anyRequires = tensors.some((t) => t.requiresGrad);
  const checked: number[] = [];
  const args = tensors.map((t, i) => {
    if (t.dtype === 'int32') return t;
    if (anyRequires && !t.requiresGrad) return t.detach();
    checked.push(i);
    return new Tensor(t.data.slice(), t.shape, t.dtype, true);
  });
  return { args, checked };
}

/**
 * Calls `fn` and validates what it returns: float64 tensors, as a list. The list is fresh, so callers can
 * keep the outputs' values while `fn` runs again.
 */
export function callChecked(op: string, fn: CheckedFunction, args: readonly Tensor[]): Tensor[] {
  const result = fn(...args);
  const outputs = result instanceof Tensor ? [result] : Array.isArray(result) ? [...(result as readonly Tensor[])] : null;
  if (outputs === null || outputs.length === 0) {
    throw argError(ValueError, op, 'fn', 'a function returning a Tensor (or a non-empty array of them)', describeValue(result));
  }
  outputs.forEach((out, k) => {
    if (!(out instanceof Tensor)) throw argError(ValueError, op, `output ${k}`, 'a Tensor', describeValue(out));
    if (out.dtype !== 'float64') {
      throw argError(DTypeError, op, `output ${k}`, 'a float64 tensor (compute in float64 from the float64 inputs)', `dtype ${out.dtype} with shape ${formatShape(out.shape)}`);
    }
  });
  return outputs;
}

/** The values of each output, copied (an output may share its data with an input being perturbed). */
export function snapshot(outputs: readonly Tensor[]): Float64Array[] {
  return outputs.map((o) => Float64Array.from(o.data));
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return typeof v;
}
