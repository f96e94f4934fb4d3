import { allocateFloat, allocateFloatUninitialized } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { DTypeError, ShapeError, ValueError, argError } from '../errors.js';
import { formatShape, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloat, checkSameDType, describe } from './checks.js';
import { div } from './div.js';
import { logSoftmax } from './log-softmax.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { registerPrimitive } from './registry.js';
import { softmax } from './softmax.js';
import { sub } from './sub.js';
import { sum } from './sum.js';

registerPrimitive({ name: 'softmaxCrossEntropy', differentiable: true, vjpDifferentiable: true });

/** Class indices (one per row) or a float target of the logits' shape and dtype (one-hot or soft). */
export type Labels = Int32Array | readonly number[] | Tensor;

const OP = 'softmaxCrossEntropy';

/** One-hot rows (N,C) in the logits' dtype from class indices, each checked to be an integer in [0, C). */
function oneHot(logits: Tensor, indices: ArrayLike<number>): Tensor {
  const [n, c] = logits.shape as [number, number];
  if (indices.length !== n) {
    throw argError(ShapeError, OP, 'labels', `${n} class indices (one per row of logits ${formatShape(logits.shape)})`, `${indices.length}`);
  }
  const data = allocateFloat(logits.dtype as 'float32' | 'float64', n * c);
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= c) {
      throw argError(ValueError, OP, `labels[${i}]`, `an integer class index in [0, ${c})`, String(k));
    }
    data[i * c + k] = 1;
  }
  return new Tensor(data, [n, c], logits.dtype);
}

/** The (N,C) target tensor for any accepted form of labels; `indices` tells whether rows are one-hot by construction. */
function targetOf(logits: Tensor, labels: unknown): { target: Tensor; indices: boolean } {
  if (labels instanceof Int32Array || Array.isArray(labels)) return { target: oneHot(logits, labels as ArrayLike<number>), indices: true };
  if (!(labels instanceof Tensor)) {
    throw argError(ValueError, OP, 'labels', 'an Int32Array, a number[] or an int32 Tensor of class indices, or a float (N,C) target Tensor', labels === null ? 'null' : typeof labels);
  }
  if (labels.dtype === 'int32') {
    if (labels.ndim !== 1) throw argError(ShapeError, OP, 'labels', `int32 class indices of shape [${logits.shape[0]}]`, describe(labels));
    return { target: oneHot(logits, labels.data), indices: true };
  }
  if (!sameShape(labels.shape, logits.shape)) {
    throw argError(
      ShapeError,
      OP,
      'labels',
      `a ${labels.dtype} target of shape ${formatShape(logits.shape)} to match logits (or int32 class indices of shape [${logits.shape[0]}])`,
      describe(labels),
    );
  }
  checkSameDType(OP, logits, labels, ['logits', 'labels']);
  return { target: labels, indices: false };
}

/**
 * The mean over rows of −Σ target · log softmax(logits): a fused primitive, stable for logits of ±1000
 * (log-sum-exp with the row maximum subtracted). Labels are class indices (Int32Array, number[] or an
 * int32 Tensor) or a float (N,C) target — one-hot or soft — of the logits' dtype. Returns a 0-d tensor.
 * Gradient: (softmax(logits)·Σ_c target − target)·g/N, which is the familiar (softmax − target)·g/N for
 * one-hot or normalized targets; a float target that requires grad gets −log softmax(logits)·g/N.
 * @example const loss = softmaxCrossEntropy(logits, new Int32Array([3, 1])); loss.backward();
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Labels): Tensor {
  checkFloat(OP, 'logits', logits);
  if (logits.ndim !== 2 || logits.shape[0] === 0 || logits.shape[1] === 0) {
    throw argError(ShapeError, OP, 'logits', '2-D (N,C) with N ≥ 1 and C ≥ 1', describe(logits));
  }
  if (labels instanceof Tensor && labels.dtype !== 'int32' && labels.dtype !== logits.dtype) {
    throw argError(DTypeError, OP, 'labels', `dtype ${logits.dtype} to match logits (or int32 class indices)`, `dtype ${labels.dtype}`);
  }
  const { target, indices } = targetOf(logits, labels);
  const [n, c] = logits.shape as [number, number];
  const probs = allocateFloatUninitialized(logits.dtype as 'float32' | 'float64', n * c);
  const loss = getBackend().softmaxCrossEntropy(logits.data as Float32Array, target.data as Float32Array, n, c, probs);
  const outData = allocateFloat(logits.dtype as 'float32' | 'float64', 1);
  outData[0] = loss;
  const out = new Tensor(outData, [], logits.dtype);
  const saved = new Tensor(probs, [n, c], logits.dtype);
  return record(OP, [logits, target], out, (grad) => {
    const scale = div(grad, n);
    let gLogits: Tensor | null = null;
    if (logits.requiresGrad) {
      // Recording (createGraph): recompute softmax with differentiable ops so the result can be
      // differentiated again. Otherwise the kernel's probabilities are a constant and cost nothing.
      const p = isGradEnabled() ? softmax(logits, 1) : saved;
      const pScaled = indices ? p : mul(p, sum(target, 1, true));
      gLogits = mul(sub(pScaled, target), scale);
    }
    const gTarget = target.requiresGrad ? mul(neg(logSoftmax(logits, 1)), scale) : null;
    return [gLogits, gTarget];
  });
}
