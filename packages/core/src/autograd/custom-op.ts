import { GraphError, ValueError, argError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { noGrad } from './grad-mode.js';
import { record } from './node.js';

/** What a custom op's VJP receives besides the output gradient. */
export interface CustomOpContext {
  /** The tensors the op was called with. */
  readonly inputs: readonly Tensor[];
  /** The op's (recorded) output: a VJP written with ops on it differentiates again, e.g. tanh' = 1 − y². */
  readonly output: Tensor;
}

export interface CustomOpSpec {
  /** The name the op's node carries: engine errors and detectAnomaly reports use it. */
  readonly name: string;
  /** Computes the output. Runs without recording, so it may use any ops or raw loops over `.data`. */
  readonly forward: (...inputs: Tensor[]) => Tensor;
  /**
   * One gradient per input (null for an input that takes none) given the output's gradient `grad`. Written
   * with differentiable ops, it supports gradients of gradients. A gradient may have a broadcast shape;
   * the engine sums it back to its input's shape and checks shape and dtype, naming the op.
   */
  readonly vjp: (grad: Tensor, context: CustomOpContext) => readonly (Tensor | null)[];
}

/**
 * Defines a user primitive: the returned function runs `forward` and records one node named `name`
 * whose VJP is `vjp`, so it backpropagates, composes and gradient-checks like the built-in ops.
 * @example
 * const softplus = customOp({
 *   name: 'softplus',
 *   forward: (x) => log(add(exp(x), 1)),
 *   vjp: (grad, { inputs: [x] }) => [mul(grad, sigmoid(x!))],
 * });
 * gradCheck((x) => sum(softplus(x)), [randn([3, 4], { seed: 0, dtype: 'float64' })]); // true
 */
export function customOp(spec: CustomOpSpec): (...inputs: Tensor[]) => Tensor {
  const op = 'customOp';
  if (spec === null || typeof spec !== 'object') throw argError(ValueError, op, 'spec', 'an object { name, forward, vjp }', String(spec));
  const { name, forward, vjp } = spec;
  if (typeof name !== 'string' || name.length === 0) throw argError(ValueError, op, 'name', 'a non-empty string', JSON.stringify(name));
  if (typeof forward !== 'function') throw argError(ValueError, op, 'forward', 'a function of tensors returning a tensor', typeof forward);
  if (typeof vjp !== 'function') throw argError(ValueError, op, 'vjp', 'a function (grad, { inputs, output }) => gradients', typeof vjp);

  return (...inputs: Tensor[]): Tensor => {
    inputs.forEach((x, i) => {
      if (!(x instanceof Tensor)) throw argError(ValueError, name, `inputs[${i}]`, 'a Tensor', x === null ? 'null' : typeof x);
    });
    const result = noGrad(() => forward(...inputs));
    if (!(result instanceof Tensor)) throw argError(ValueError, name, 'forward', 'a function returning a Tensor', result === null ? 'null' : typeof result);
    // A fresh tensor object: forward may return an input itself, and an input must never become this node.
    const output = new Tensor(result.data, result.shape, result.dtype);
    if (output.dtype === 'int32') return output; // integer outputs carry no gradient
    const context: CustomOpContext = { inputs, output };
    return record(name, inputs, output, (grad) => {
      const grads = vjp(grad, context);
      if (!Array.isArray(grads) || grads.length !== inputs.length) {
        const got = Array.isArray(grads) ? `an array of length ${grads.length}` : grads === null ? 'null' : typeof grads;
        throw new GraphError(name, `vjp: expected an array of ${inputs.length} gradients (a Tensor or null per input), got ${got}`);
      }
      grads.forEach((g: unknown, i) => {
        if (g !== null && !(g instanceof Tensor)) throw new GraphError(name, `vjp: expected a Tensor or null as the gradient of input ${i}, got ${typeof g}`);
      });
      return grads;
    }, true);
  };
}
