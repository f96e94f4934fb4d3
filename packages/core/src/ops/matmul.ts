import { allocateFloatUninitialized, type FloatArray } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { ShapeError, argError } from '../errors.js';
import { checkSize, formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloat, checkRank, checkSameDType } from './checks.js';
import { registerPrimitive } from './registry.js';

registerPrimitive({ name: 'matmul', differentiable: true, vjpDifferentiable: true });

/**
 * The primitive behind `matmul`: op(a)·op(b) where op transposes when its flag is set (a stored (k,m)
 * when transA, b stored (n,k) when transB). The VJPs are products of the same kind with other flags, so
 * the backend's transposed GEMM variants do the work and no transpose is ever materialized.
 * Arguments are assumed checked by the caller.
 */
export function matmulFlags(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const m = transA ? a.shape[1]! : a.shape[0]!;
  const k = transA ? a.shape[0]! : a.shape[1]!;
  const n = transB ? b.shape[0]! : b.shape[1]!;
  const data = allocateFloatUninitialized(a.dtype as 'float32' | 'float64', m * n);
  getBackend().matmul(a.data as FloatArray, b.data as FloatArray, data, m, k, n, transA, transB);
  const out = new Tensor(data, [m, n], a.dtype);
  // With C = op(A)·op(B) and upstream G: dop(A) = G·op(B)ᵀ and dop(B) = op(A)ᵀ·G, each rewritten so the
  // gradient comes out in A's (resp. B's) storage layout.
  return record('matmul', [a, b], out, (g) => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (a.requiresGrad) ga = transA ? matmulFlags(b, g, transB, true) : matmulFlags(g, b, false, !transB);
    if (b.requiresGrad) gb = transB ? matmulFlags(g, a, true, transA) : matmulFlags(a, g, !transA, false);
    return [ga, gb];
  });
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
