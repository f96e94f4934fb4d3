import type { FloatArray } from '../../dtype.js';

/**
 * Row-wise log-sum-exp with the max subtracted first, so logits of ±1000 stay finite; the loss uses
 * log softmax directly (never log of a probability that underflowed to 0).
 */
export function softmaxCrossEntropy(logits: FloatArray, target: FloatArray, n: number, c: number, probs: FloatArray): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = i * c;
    let max = -Infinity;
    for (let j = 0; j < c; j++) if (logits[row + j]! > max) max = logits[row + j]!;
    let sum = 0;
    for (let j = 0; j < c; j++) {
      const e = Math.exp(logits[row + j]! - max);
      probs[row + j] = e;
      sum += e;
    }
    const logSum = Math.log(sum);
    for (let j = 0; j < c; j++) {
      probs[row + j]! /= sum;
      const t = target[row + j]!;
      if (t !== 0) total -= t * (logits[row + j]! - max - logSum);
    }
  }
  return total / n;
}
