import { ValueError, argError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { markGraphPrivate, releaseUnrecordedIntermediate, withIntermediates } from './array-pool.js';

/**
 * Declares `t` an intermediate result of the calling code: passed only to the ops that consume it,
 * never kept, never read after the backward pass that goes through it. Its array is then reused for
 * later outputs as soon as that backward has run every op that consumed it and the op that produced
 * it (not with retainGraph or createGraph) — instead of waiting for the garbage collector, which a
 * training loop pays for in collections and fresh memory every step. A view of the array (reshape)
 * is covered too. nn's built-in models mark the activations inside their forward; mark your own only
 * where you can keep the promise: reading `t` after that backward reads whatever reused its array.
 * Arrays under 64 KiB are left alone. Returns `t`.
 * @example const h = markIntermediate(relu(conv2d(x, w, b))); return maxPool2d(h, { kernel: 2 });
 */
export function markIntermediate(t: Tensor): Tensor {
  if (!(t instanceof Tensor)) throw argError(ValueError, 'markIntermediate', 't', 'a Tensor', t === null ? 'null' : typeof t);
  // the producing node counts as a holder when there is one: its VJP may have saved its output
  markGraphPrivate(t.data, t.node !== null);
  return t;
}

/**
 * Runs `fn` — one step of a forward that passes everything it makes on to later ops and keeps none —
 * with every float32 array it allocates marked an intermediate from the start (as markIntermediate:
 * reused once backward has run the op that made it and the ops that consumed it) and, with the fast
 * backend, placed in its WebAssembly memory, where kernels use it without copies. The promise covers
 * every array fn makes, its result included: the caller must only pass that on too. Under noGrad it
 * just runs fn; then, when fn is the last reader of `consumed` (an intermediate the caller marked, such
 * as the previous layer's output), its array is reused at once. nn's built-in models run each layer but
 * the last this way. Returns fn's result.
 * @example const h = intermediates(() => relu(conv2d(x, w, b))); return maxPool2d(h, { kernel: 2 });
 */
export function intermediates<T>(fn: () => T, consumed?: Tensor): T {
  if (isGradEnabled()) return withIntermediates(fn);
  const out = fn();
  // Under noGrad nothing records a hold on `consumed`: once its last reader (fn) has run, a marked
  // intermediate can be reused at once (by the next batch's same-size arrays) — unless out shares it.
  if (consumed !== undefined && !(out instanceof Tensor && out.data === consumed.data)) releaseUnrecordedIntermediate(consumed.data);
  return out;
}
