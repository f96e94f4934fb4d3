import { allocate } from '../dtype.js';
import { ShapeError, ValueError, argError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { add } from './add.js';
import { checkFloat, checkPositiveInt, describe } from './checks.js';
import { conv2d } from './conv2d.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { pow } from './pow.js';

export interface LocalResponseNormOptions {
  /** Number of neighbouring channels in the window (a positive integer). */
  size: number;
  /** Default 1e-4; divided by `size` as in PyTorch. Must be ≥ 0. */
  alpha?: number;
  /** Default 0.75. */
  beta?: number;
  /** Default 1; must be > 0, so the base of the power stays positive. */
  k?: number;
}

function finite(op: string, arg: string, v: unknown, ok: (v: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw argError(ValueError, op, arg, what, String(v));
  return v;
}

/**
 * The (C, C, 1, 1) 0/1 filter whose 1×1 convolution sums, for channel c, the channels
 * c − ⌊size/2⌋ … c + ⌊(size−1)/2⌋ that exist — PyTorch's zero-padded window (front size/2, back (size−1)/2).
 */
function channelWindow(c: number, size: number, like: Tensor): Tensor {
  const band = allocate(like.dtype, c * c);
  for (let out = 0; out < c; out++) {
    for (let j = Math.max(0, out - Math.floor(size / 2)); j <= Math.min(c - 1, out + Math.floor((size - 1) / 2)); j++) band[out * c + j] = 1;
  }
  return new Tensor(band, [c, c, 1, 1], like.dtype);
}

/**
 * Local response normalization across channels, PyTorch's formula:
 * b[n,c,h,w] = x[n,c,h,w] / (k + alpha/size · Σ_{c' in window(c)} x[n,c',h,w]²)^beta.
 * A composite of mul, a 1×1 conv2d with a constant 0/1 window filter, add, pow and div, so its gradient
 * (and gradient of gradient) comes from the graph.
 * @example localResponseNorm(x, { size: 5, alpha: 1e-4, beta: 0.75, k: 2 }) // AlexNet's
 */
export function localResponseNorm(x: Tensor, options: LocalResponseNormOptions): Tensor {
  checkFloat('localResponseNorm', 'x', x);
  if (x.ndim !== 4) throw argError(ShapeError, 'localResponseNorm', 'x', '4-D (N,C,H,W)', describe(x));
  if (typeof options !== 'object' || options === null) {
    throw argError(ValueError, 'localResponseNorm', 'options', 'an object { size, alpha?, beta?, k? }', String(options));
  }
  const size = checkPositiveInt('localResponseNorm', 'size', options.size);
  const alpha = finite('localResponseNorm', 'alpha', options.alpha ?? 1e-4, (v) => v >= 0, 'a finite number ≥ 0');
  const beta = finite('localResponseNorm', 'beta', options.beta ?? 0.75, () => true, 'a finite number');
  const k = finite('localResponseNorm', 'k', options.k ?? 1, (v) => v > 0, 'a finite number > 0');
  if (x.size === 0) return mul(x, 1); // nothing to normalize (and a 1×1 conv over an empty map is refused)
  const windowSum = conv2d(mul(x, x), channelWindow(x.shape[1]!, size, x));
  return div(x, pow(add(mul(windowSum, alpha / size), k), beta));
}
