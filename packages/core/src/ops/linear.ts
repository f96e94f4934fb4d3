import { ShapeError, argError } from '../errors.js';
import { checkSize, formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add } from './add.js';
import { checkFloat, checkRank, checkSameDType, describe } from './checks.js';
import { matmulFlags } from './matmul.js';

/**
 * PyTorch's `F.linear`: x (m, in) · wᵀ + b → (m, out), with w in PyTorch's layout (out, in) and b (out)
 * optional (omitted or null: no bias). A composite of the matmul primitive with its transposed-operand
 * flag and add: unlike `matmul(x, transpose(w))` it never copies w transposed, nor transposes its
 * gradient back (the VJPs are g·w and gᵀ·x), and gives the same values.
 * @example linear(x, fc1.weight, fc1.bias) // x (N,4320), weight (100,4320), bias (100) → (N,100)
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  checkFloat('linear', 'x', x);
  checkRank('linear', 'x', x, 2, '(m,in)');
  checkFloat('linear', 'w', w);
  if (w.ndim !== 2 || w.shape[1] !== x.shape[1]) {
    throw argError(ShapeError, 'linear', 'w', `2-D (out,in) with in=${x.shape[1]} to match x ${formatShape(x.shape)}`, describe(w));
  }
  checkSameDType('linear', x, w, ['x', 'w']);
  checkSize('linear', 'output', [x.shape[0]!, w.shape[0]!]);
  const y = matmulFlags(x, w, false, true);
  if (b === undefined || b === null) return y;
  checkFloat('linear', 'b', b);
  if (b.ndim !== 1 || b.shape[0] !== w.shape[0]) {
    throw argError(ShapeError, 'linear', 'b', `1-D (out) with out=${w.shape[0]} to match w ${formatShape(w.shape)}`, describe(b));
  }
  checkSameDType('linear', x, b, ['x', 'b']);
  return add(y, b);
}
