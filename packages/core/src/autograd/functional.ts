import { DTypeError, ShapeError, ValueError, argError } from '../errors.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { fullLike, onesLike } from '../ops/like.js';
import { computeGradients } from './engine.js';
import { enableGrad, isGradEnabled } from './grad-mode.js';

/**
 * A function with a one-element output. A one-element array of such a tensor is accepted too, so that
 * `grad(grad(f))` composes for functions of one input.
 */
export type ScalarFunction = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

export interface GradOptions {
  /** Which inputs to differentiate: an index (the result is one Tensor) or a list (an array). Default: all. */
  argnums?: number | readonly number[];
  /**
   * Record the gradient computation so the gradients can be differentiated again. Default: on when grad
   * mode is on and some input requires grad — so `grad(grad(f))` and gradients inside a recorded
   * computation just work, and plain calls build no graph. Pass true when fn closes over tensors that
   * require grad (model parameters) and the gradient itself is to be backpropagated (a gradient penalty).
   */
  createGraph?: boolean;
}

type GradFn<R> = (...inputs: Tensor[]) => R;

/**
 * The functional gradient: `grad(fn)(...inputs)` returns d fn / d input for each input (or those of
 * `argnums`), for a fn with a one-element output. No `.grad` is touched. Inputs that do not require grad
 * are used as fresh leaves; with grad mode on and an input that requires grad, the gradients are
 * themselves recorded, so second derivatives come from `grad(grad(f))`.
 * @example
 * const f = (x: Tensor) => sum(mul(mul(x, x), x)); // Σ x³
 * const [g] = grad(f)(x);                        // 3x²
 * const [h] = grad((x) => sum(grad(f)(x)[0]!))(x); // 6x
 */
export function grad(fn: ScalarFunction, options: GradOptions & { argnums: number }): GradFn<Tensor>;
export function grad(fn: ScalarFunction, options?: GradOptions & { argnums?: readonly number[] }): GradFn<Tensor[]>;
export function grad(fn: ScalarFunction, options: GradOptions = {}): GradFn<Tensor | Tensor[]> {
  checkFunction('grad', fn);
  return (...inputs) => {
    const { grads } = evaluate('grad', fn, inputs, options);
    return typeof options.argnums === 'number' ? grads[0]! : grads;
  };
}

/**
 * Like `grad`, but also returns fn's value: `[value, gradients]` from one forward pass.
 * @example const [loss, [gw, gb]] = valueAndGrad((w, b) => lossOf(w, b))(w, b);
 */
export function valueAndGrad(fn: ScalarFunction, options: GradOptions & { argnums: number }): GradFn<[Tensor, Tensor]>;
export function valueAndGrad(fn: ScalarFunction, options?: GradOptions & { argnums?: readonly number[] }): GradFn<[Tensor, Tensor[]]>;
export function valueAndGrad(fn: ScalarFunction, options: GradOptions = {}): GradFn<[Tensor, Tensor | Tensor[]]> {
  checkFunction('valueAndGrad', fn);
  return (...inputs) => {
    const { value, grads } = evaluate('valueAndGrad', fn, inputs, options);
    return [value, typeof options.argnums === 'number' ? grads[0]! : grads];
  };
}

function checkFunction(op: string, fn: unknown): void {
  if (typeof fn !== 'function') throw argError(ValueError, op, 'fn', 'a function of tensors returning a one-element tensor', typeof fn);
}

function selectArgnums(op: string, argnums: GradOptions['argnums'], inputs: readonly Tensor[]): number[] {
  const list = argnums === undefined ? inputs.map((_, i) => i) : typeof argnums === 'number' ? [argnums] : [...argnums];
  for (const i of list) {
    if (!Number.isInteger(i) || i < 0 || i >= inputs.length) {
      throw argError(ValueError, op, 'argnums', `input indices in [0, ${inputs.length - 1}]`, String(i));
    }
    if (inputs[i]!.dtype === 'int32') {
      throw argError(DTypeError, op, `inputs[${i}]`, 'a float tensor to differentiate (leave int32 inputs out of argnums)', 'dtype int32');
    }
  }
  return list;
}

function evaluate(op: string, fn: ScalarFunction, inputs: Tensor[], options: GradOptions): { value: Tensor; grads: Tensor[] } {
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw argError(ValueError, op, `inputs[${i}]`, 'a Tensor', x === null ? 'null' : typeof x);
  });
  const selected = selectArgnums(op, options.argnums, inputs);
  const createGraph = options.createGraph ?? (isGradEnabled() && inputs.some((x) => x.requiresGrad));
  const args = inputs.map((x, i) => {
    // With createGraph, inputs that require grad stay connected, so the gradients carry their graph
    // back to whatever produced them; otherwise every input is cut off from any outer graph.
    if (createGraph && x.requiresGrad) return x;
    const leaf = x.detach();
    if (selected.includes(i)) leaf.requiresGrad = true;
    return leaf;
  });
  const value = enableGrad(() => scalarOutput(op, fn(...args)));
  let found = new Map<Tensor, Tensor>();
  if (value.requiresGrad) {
    // retainGraph: when an input is the output of an outer recorded graph, the walk reaches into that
    // graph too and must not free it.
    found = computeGradients([value], [onesLike(value)], { createGraph, retainGraph: true }, new Set(selected.map((i) => args[i]!)));
  }
  const grads = selected.map((i) => found.get(args[i]!) ?? fullLike(args[i]!, 0));
  return { value: createGraph ? value : value.detach(), grads };
}

function scalarOutput(op: string, result: Tensor | readonly Tensor[]): Tensor {
  const out = Array.isArray(result) && result.length === 1 ? (result[0] as unknown) : result;
  if (!(out instanceof Tensor)) {
    const got = Array.isArray(result) ? `an array of ${result.length} values` : typeof result;
    throw argError(ValueError, op, 'fn', 'a function returning a one-element tensor', got);
  }
  if (out.size !== 1) {
    throw argError(ShapeError, op, 'fn', 'a function returning a one-element tensor (reduce it with sum or mean first)', `an output of shape ${formatShape(out.shape)}`);
  }
  if (out.dtype === 'int32') throw argError(DTypeError, op, 'fn', 'a float output to differentiate', 'an int32 output');
  return out;
}
