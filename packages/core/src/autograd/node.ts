import type { Tensor } from '../tensor.js';
import type { TypedArray } from '../dtype.js';
import { isGradEnabled } from './grad-mode.js';
import { anomalyHooks } from './anomaly-hooks.js';
import { disownOutput, noteConsumer } from '../memory/array-pool.js';

/**
 * A VJP maps the gradient of the op's output to one gradient per input (null where an input takes none).
 * It is written with differentiable ops, so running it with recording on gives gradients of gradients.
 * A returned gradient may have a broadcast shape: the engine reduces it back to the input's shape.
 */
export type Vjp = (grad: Tensor) => readonly (Tensor | null)[];

/** One recorded application of a primitive: the tape is the graph of these, reachable from any output. */
export interface Node {
  readonly op: string;
  /** Cleared with `vjp` after backward (unless retainGraph): a loss the user keeps holds no graph. */
  inputs: readonly Tensor[];
  /** Cleared after backward (unless retainGraph) so saved tensors can be collected. */
  vjp: Vjp | null;
  /** Where the op was called from, captured only under detectAnomaly. */
  readonly createdAt: string | undefined;
  /** The VJP is user code (customOp): the engine never gives back arrays it sees or makes. */
  readonly userVjp?: boolean;
  /** Arrays only the VJP holds (see `savedOnlyByVjp`): given back when backward frees the node. */
  saved?: TypedArray[];
}

const recording = (inputs: readonly (Tensor | null | undefined)[]) => isGradEnabled() && inputs.some((t) => t?.requiresGrad === true);

/**
 * Whether an op applied to `inputs` now would be recorded: grad mode is on and some input requires
 * grad. Ops that can skip work nobody will need (a VJP's saved indices, an unfused path) ask this.
 * @example if (!willRecord(x, w)) return fusedKernelPath(x, w);
 */
export function willRecord(...inputs: readonly (Tensor | null | undefined)[]): boolean {
  return recording(inputs);
}

/**
 * Records `out = op(inputs)` when recording is on and some input requires grad; otherwise does nothing,
 * so inference and noGrad code build no graph at all. Returns `out` for convenience.
 */
export function record(op: string, inputs: readonly Tensor[], out: Tensor, vjp: Vjp, userVjp = false): Tensor {
  anomalyHooks.onForward?.(op, out);
  if (!recording(inputs)) {
    disownOutput(out.data);
    return out;
  }
  out.node = { op, inputs, vjp, createdAt: anomalyHooks.captureStack?.(), userVjp };
  for (const t of inputs) noteConsumer(t.data);
  out.requiresGradFlag = true;
  return out;
}

/**
 * `record` for users' own primitives (the public export): the engine treats the VJP as user code, which
 * may keep the gradient it is given or the arrays it makes, so none of them is ever reused.
 * @example const y = record('double', [x], out, (g) => [mul(g, 2)]);
 */
export function recordUser(op: string, inputs: readonly Tensor[], out: Tensor, vjp: Vjp): Tensor {
  return record(op, inputs, out, vjp, true);
}

/**
 * Declares that `data` is held by nothing but the VJP of `out`'s node (a kernel's saved indices, never
 * shown to the caller), so the array pool may reuse it once backward has freed that node (not with
 * retainGraph or createGraph). Does nothing when `out` was not recorded.
 * @example const y = record('maxPool2d', [x], out, (g) => [scatter(g, argIndex)]); savedOnlyByVjp(y, argIndex);
 */
export function savedOnlyByVjp(out: Tensor, data: TypedArray): void {
  if (out.node !== null) (out.node.saved ??= []).push(data);
}
