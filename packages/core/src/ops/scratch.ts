import { type FloatArray, allocateFloat } from '../dtype.js';

/**
 * Reusable work buffers for the intermediate results a fused primitive computes and consumes within one
 * call (conv2d's GEMM output before the bias and the layout change, and their gradients): arrays that
 * never reach a tensor, so they need not be allocated afresh. On a SimpleConvNet step each one is 6.9 MB;
 * allocating it again every step is a zero-fill plus its share of the garbage collections that the step's
 * ~60 MB of fresh typed arrays cause.
 *
 * A buffer is lent for the duration of one synchronous call and must not be kept after it returns: the
 * next call (of any op) may hand the same memory out again. Each `slot` is a separate buffer, for results
 * needed at the same time. Requests above MAX_KEPT elements get a fresh array, so at most
 * SLOTS × MAX_KEPT elements per dtype stay allocated.
 */

/** Largest buffer kept between calls (elements): 16 MiB of float32. */
const MAX_KEPT = 1 << 22;

/** Buffers needed at once by any caller. */
const SLOTS = 2;

const kept: Record<'float32' | 'float64', (FloatArray | null)[]> = {
  float32: new Array<FloatArray | null>(SLOTS).fill(null),
  float64: new Array<FloatArray | null>(SLOTS).fill(null),
};

/**
 * An array of `size` elements, valid until the caller returns, whose contents are left over from an
 * earlier call: pass it only as the `out` of a kernel that writes every element and never reads it
 * (binary, unary, matmul, permute; see Backend). `slot` (0 or 1) distinguishes buffers used together.
 */
export function scratchFloat(dtype: 'float32' | 'float64', size: number, slot: 0 | 1): FloatArray {
  if (size > MAX_KEPT) return allocateFloat(dtype, size);
  const buffers = kept[dtype];
  const have = buffers[slot];
  if (have === null || have === undefined || have.length < size) {
    // grow to the request (no rounding up: the largest caller sets the size once)
    const fresh = allocateFloat(dtype, size);
    buffers[slot] = fresh;
    return fresh;
  }
  return have.length === size ? have : have.subarray(0, size);
}
