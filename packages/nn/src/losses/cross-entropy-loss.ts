import { type Tensor, softmaxCrossEntropy } from '@tapegrad/core';

/** Class indices (Int32Array, number[] or an int32 Tensor) or a float (N,C) target, one-hot or soft. */
export type ClassTargets = Int32Array | readonly number[] | Tensor;

/**
 * The mean softmax cross-entropy of logits (N,C) against labels — core's fused, stable
 * softmaxCrossEntropy (the book's SoftmaxWithLoss). Returns a 0-d tensor.
 * @example const loss = crossEntropyLoss(model.forward(x), t); loss.backward();
 */
export function crossEntropyLoss(logits: Tensor, labels: ClassTargets): Tensor {
  return softmaxCrossEntropy(logits, labels);
}

/**
 * `crossEntropyLoss` as an object, PyTorch style.
 * @example const criterion = new CrossEntropyLoss(); criterion.forward(logits, t).backward();
 */
export class CrossEntropyLoss {
  forward(logits: Tensor, labels: ClassTargets): Tensor {
    return crossEntropyLoss(logits, labels);
  }
}
