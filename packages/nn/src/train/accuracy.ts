import { ShapeError, Tensor, argError, formatShape, noGrad } from '@tapegrad/core';
import { gatherRows } from './batches.js';

/** What `evaluateAccuracy` needs of a model. */
export interface Classifier {
  forward(x: Tensor): Tensor;
  train(): unknown;
  eval(): unknown;
  readonly training: boolean;
}

function argmaxRow(data: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  let bestValue = data[offset]!;
  for (let j = 1; j < n; j++) {
    const v = data[offset + j]!;
    // First maximum wins, like NumPy's argmax; NaN never wins.
    if (v > bestValue) {
      bestValue = v;
      best = j;
    }
  }
  return best;
}

/**
 * Number of rows of `logits` (N,C) whose argmax equals the label: `t` is (N,) class indices or (N,C)
 * one-hot (its argmax is the label, as in the book's `accuracy`).
 * @example countCorrect(tensor([[0, 2], [3, 1]]), tensor([1, 1], [2], { dtype: 'int32' })) // 1
 */
export function countCorrect(logits: Tensor, t: Tensor): number {
  if (logits.ndim !== 2) throw argError(ShapeError, 'accuracy', 'logits', '2-D (N,C)', `shape ${formatShape(logits.shape)}`);
  const [n, c] = logits.shape as [number, number];
  const oneHot = t.ndim === 2;
  if (t.shape[0] !== n || (oneHot ? t.shape[1] !== c : t.ndim !== 1)) {
    throw argError(ShapeError, 'accuracy', 't', `(${n},) labels or (${n},${c}) one-hot to match logits ${formatShape(logits.shape)}`, `shape ${formatShape(t.shape)}`);
  }
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const label = oneHot ? argmaxRow(t.data, i * c, c) : t.data[i]!;
    if (argmaxRow(logits.data, i * c, c) === label) correct++;
  }
  return correct;
}

/**
 * Accuracy of `model` on the first `limit` examples (all by default), in eval mode and without
 * recording, `batchSize` at a time. The model's train/eval mode is restored afterwards.
 * @example const acc = evaluateAccuracy(net, test.x, test.t, { batchSize: 100 });
 */
export function evaluateAccuracy(model: Classifier, x: Tensor, t: Tensor, options: { batchSize?: number; limit?: number } = {}): number {
  const total = Math.min(options.limit ?? Infinity, x.shape[0]!);
  const batchSize = options.batchSize ?? 100;
  const wasTraining = model.training;
  model.eval();
  try {
    let correct = 0;
    noGrad(() => {
      for (let s = 0; s < total; s += batchSize) {
        const e = Math.min(s + batchSize, total);
        correct += countCorrect(model.forward(gatherRows(x, null, s, e)), gatherRows(t, null, s, e));
      }
    });
    return total === 0 ? 0 : correct / total;
  } finally {
    if (wasTraining) model.train();
  }
}
