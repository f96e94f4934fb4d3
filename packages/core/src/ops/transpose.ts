import type { Tensor } from '../tensor.js';
import { checkTensor } from './checks.js';
import { permute } from './permute.js';

/**
 * Transpose (composite): reverses the axes, so a 2-D (m,n) tensor becomes (n,m); with `axes` it is
 * `permute(x, axes)`. A copy in the new order (use matmul directly: it never needs one).
 * @example transpose(w); w.transpose()
 */
export function transpose(x: Tensor, axes?: readonly number[]): Tensor {
  checkTensor('transpose', 'x', x);
  return permute(x, axes ?? x.shape.map((_, i) => x.ndim - 1 - i));
}
