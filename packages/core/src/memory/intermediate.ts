import { ValueError, argError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { markGraphPrivate } from './array-pool.js';

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
