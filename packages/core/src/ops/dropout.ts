import { allocateUninitialized } from '../dtype.js';
import { ValueError, argError } from '../errors.js';
import { Rng } from '../random.js';
import { Tensor } from '../tensor.js';
import { checkFloat } from './checks.js';
import { mul } from './mul.js';

export interface DropoutOptions {
  /** A generator to draw the mask from (its state advances); give either rng or seed. */
  rng?: Rng;
  /** Seed for a fresh generator. */
  seed?: number;
  /** Apply the mask (default true); false returns x itself, as in evaluation. */
  training?: boolean;
}

/**
 * Inverted dropout (composite): zeroes each element with probability p and scales the kept ones by
 * 1/(1−p), so the expected value is unchanged and evaluation needs no rescaling. The mask is a constant
 * tensor multiplied in with `mul`, so it is part of the recorded graph and the gradient flows only
 * through the kept elements (scaled the same way). p = 0 or `training: false` returns x; p = 1 gives zeros.
 * @example dropout(h, 0.5, { rng, training: model.training })
 */
export function dropout(x: Tensor, p: number, options: DropoutOptions = {}): Tensor {
  checkFloat('dropout', 'x', x);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw argError(ValueError, 'dropout', 'p', 'a probability in [0, 1]', String(p));
  if (typeof options !== 'object' || options === null) throw argError(ValueError, 'dropout', 'options', 'an object { rng | seed, training? }', String(options));
  const training = options.training ?? true;
  if (typeof training !== 'boolean') throw argError(ValueError, 'dropout', 'training', 'a boolean', String(training));
  if (!training || p === 0) return x;
  let rng: Rng;
  if (options.rng !== undefined) {
    if (!(options.rng instanceof Rng)) throw argError(ValueError, 'dropout', 'rng', 'an Rng', typeof options.rng);
    rng = options.rng;
  } else if (options.seed !== undefined) {
    if (!Number.isInteger(options.seed)) throw argError(ValueError, 'dropout', 'seed', 'an integer', String(options.seed));
    rng = new Rng(options.seed);
  } else {
    throw argError(ValueError, 'dropout', 'options', '{ seed } or { rng } so the mask reproduces', 'neither');
  }
  const mask = allocateUninitialized(x.dtype, x.size);
  const scale = p === 1 ? 0 : 1 / (1 - p);
  // one draw per element, kept when u ≥ p (probability 1 − p)
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() >= p ? scale : 0;
  return mul(x, new Tensor(mask, x.shape, x.dtype));
}
