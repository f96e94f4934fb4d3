import { allocateFloatUninitialized, type FloatArray } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { ShapeError, argError } from '../errors.js';
import { checkSize, formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloat, checkRank, checkSameDType } from './checks.js';
import { registerPrimitive } from './registry.js';
import { sum } from './sum.js';

registerPrimitive({ name: 'matmul', differentiable: true, vjpDifferentiable: true });

/**
 * The primitive behind `matmul`: op(a)·op(b) where op transposes when its flag is set (a stored (k,m)
 * when transA, b stored (n,k) when transB). The VJPs are products of the same kind with other flags, so
 * the backend's transposed GEMM variants do the work and no transpose is ever materialized.
 * Either operand may also be a stack of matrices, (batch, rows, cols): the output is then the stack of
 * the batch's products, (batch, m, n), a 2-D operand taking part in every one of them (its gradient
 * comes back stacked and the engine sums it over the batch). conv2d uses this to multiply its filters
 * with each image's unfolded windows, which gives NCHW directly, and passes its bias as `rowBias` (m
 * values, stacks only): rowBias[i] is added to row i of every product as the GEMM stores it, the same
 * float adds as a separate broadcast add, without that op's pass over the output.
 * Arguments are assumed checked by the caller (equal batches when both are stacks).
 */
export function matmulFlags(a: Tensor, b: Tensor, transA: boolean, transB: boolean, rowBias: Tensor | null = null): Tensor {
  const [aRows, aCols] = a.shape.slice(-2) as [number, number];
  const [bRows, bCols] = b.shape.slice(-2) as [number, number];
  const m = transA ? aCols : aRows;
  const k = transA ? aRows : aCols;
  const n = transB ? bRows : bCols;
  const batch = a.ndim === 3 ? a.shape[0]! : b.ndim === 3 ? b.shape[0]! : null;
  const dtype = a.dtype as 'float32' | 'float64';
  let out: Tensor;
  if (rowBias !== null && batch === null) throw new Error('matmulFlags: a row bias needs a stack of products');
  if (batch === null) {
    const data = allocateFloatUninitialized(dtype, m * n);
    getBackend().matmul(a.data as FloatArray, b.data as FloatArray, data, m, k, n, transA, transB);
    out = new Tensor(data, [m, n], a.dtype);
  } else {
    const data = allocateFloatUninitialized(dtype, batch * m * n);
    const aStride = a.ndim === 3 ? m * k : 0;
    const bStride = b.ndim === 3 ? k * n : 0;
    const bias = rowBias === null ? null : (rowBias.data as FloatArray);
    getBackend().batchedMatmul(a.data as FloatArray, b.data as FloatArray, data, batch, aStride, bStride, m, k, n, transA, transB, bias);
    out = new Tensor(data, [batch, m, n], a.dtype);
  }
  // With C = op(A)·op(B) and upstream G: dop(A) = G·op(B)ᵀ and dop(B) = op(A)ᵀ·G, each rewritten so the
  // gradient comes out in A's (resp. B's) storage layout.
  const vjp = (g: Tensor): (Tensor | null)[] => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (a.requiresGrad) ga = transA ? matmulFlags(b, g, transB, true) : matmulFlags(g, b, false, !transB);
    if (b.requiresGrad) gb = transB ? matmulFlags(g, a, true, transA) : matmulFlags(a, g, !transA, false);
    return [ga, gb];
  };
  if (rowBias === null) return record('matmul', [a, b], out, vjp);
  // the bias's gradient: g summed over the batch and the columns
  return record('matmul', [a, b, rowBias], out, (g) => [...vjp(g), rowBias.requiresGrad ? sum(g, [0, 2]) : null]);
}

/**
 * Matrix product of two 2-D float tensors of the same dtype: a (m,k) · b (k,n) → (m,n).
 * @example matmul(x, w); x.matmul(w)
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkFloat('matmul', 'a', a);
  checkFloat('matmul', 'b', b);
  checkRank('matmul', 'a', a, 2, '(m,k)');
  checkRank('matmul', 'b', b, 2, '(k,n)');
  checkSameDType('matmul', a, b);
  if (a.shape[1] !== b.shape[0]) {
    throw argError(
      ShapeError,
      'matmul',
      'b',
      `shape (${a.shape[1]},n) to match a ${formatShape(a.shape)} (inner dimensions must agree)`,
      `shape ${formatShape(b.shape)}`,
    );
  }
  checkSize('matmul', 'output', [a.shape[0]!, b.shape[1]!]);
  return matmulFlags(a, b, false, false);
}
