import type { Tensor } from '../tensor.js';
import { checkFloat } from './checks.js';

/**
 * For binary ops defined on floats only (div, pow): every tensor operand must be float32 or float64.
 * Integer true division or powers would need a rounding rule; converting with `.to()` makes it explicit.
 */
export function checkFloatOperands(op: string, a: Tensor | number, b: Tensor | number): void {
  if (typeof a !== 'number') checkFloat(op, 'a', a);
  if (typeof b !== 'number') checkFloat(op, 'b', b);
}
