import { DTypeError, ShapeError, ValueError, softmaxCrossEntropy, tensor, zeros } from '@tapegrad/core';
import { type AnyOpRow, type RefArray, row } from './types.js';

/*
 * softmaxCrossEntropy against a reference written from the definition: per row, log-sum-exp with the
 * row maximum taken out, −Σ_c t_c·(z_c − lse), averaged over rows. Labels come either as class indices
 * (in attrs, so they are not a differentiable input) or as a float (N,C) target input.
 */

interface XentAttrs {
  /** Class indices; when absent the target is the second input. */
  labels?: number[];
  /** How index labels are passed: a number[], an Int32Array or an int32 tensor. */
  form?: 'array' | 'int32array' | 'tensor';
}

function refXent(logits: RefArray, target: RefArray | undefined, labels: number[] | undefined): RefArray {
  const [n, c] = logits.shape as [number, number];
  let total = 0;
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, logits.data[i * c + j]!);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(logits.data[i * c + j]! - m);
    const lse = m + Math.log(s);
    for (let j = 0; j < c; j++) {
      const t = labels ? (labels[i] === j ? 1 : 0) : target!.data[i * c + j]!;
      if (t !== 0) total -= t * (logits.data[i * c + j]! - lse);
    }
  }
  return { data: Float64Array.of(total / n), shape: [] };
}

function indexLabels(a: XentAttrs): number[] | Int32Array | ReturnType<typeof tensor> {
  const labels = a.labels!;
  if (a.form === 'int32array') return Int32Array.from(labels);
  if (a.form === 'tensor') return tensor(labels, [labels.length], { dtype: 'int32' });
  return labels;
}

const oneHot = (labels: number[], c: number) => labels.flatMap((k) => Array.from({ length: c }, (_, j) => (j === k ? 1 : 0)));

const huge = [1000, -1000, 0, 999.5, -1000, 1000, 1000, 1000, -1000, -999, 998, 1000];

const xentRow = row<XentAttrs>({
  op: 'softmaxCrossEntropy',
  run: ([logits, target], a) => softmaxCrossEntropy(logits!, a.labels ? (indexLabels(a) as Int32Array) : target!),
  reference: ([logits, target], a) => refXent(logits!, target, a.labels),
  samples: [
    { label: 'index labels as number[], (5,7)', inputs: [{ shape: [5, 7] }], attrs: { labels: [0, 6, 3, 3, 1], form: 'array' } },
    { label: 'index labels as Int32Array, batch 1', inputs: [{ shape: [1, 4] }], attrs: { labels: [2], form: 'int32array' } },
    { label: 'index labels as an int32 tensor, (3,10)', inputs: [{ shape: [3, 10] }], attrs: { labels: [9, 0, 4], form: 'tensor' } },
    {
      label: 'one-hot float target, (4,3)',
      inputs: [{ shape: [4, 3] }, { shape: [4, 3], values: oneHot([1, 0, 2, 1], 3), differentiable: false }],
      attrs: {},
    },
    { label: 'soft target (unnormalized, differentiable), (3,5)', inputs: [{ shape: [3, 5] }, { shape: [3, 5], domain: 'unit' }], attrs: {} },
    { label: 'logits of ±1000, index labels', inputs: [{ shape: [4, 3], values: huge }], attrs: { labels: [1, 0, 2, 0], form: 'array' } },
    { label: 'a single class', inputs: [{ shape: [3, 1] }], attrs: { labels: [0, 0, 0], form: 'array' } },
  ],
  errors: [
    { label: 'label out of range', call: () => softmaxCrossEntropy(zeros([2, 3]), [0, 3]), error: ValueError, message: /^\[softmaxCrossEntropy\] labels\[1\]: expected an integer class index in \[0, 3\), got 3$/ },
    { label: 'negative label', call: () => softmaxCrossEntropy(zeros([2, 3]), new Int32Array([-1, 0])), error: ValueError, message: /^\[softmaxCrossEntropy\] labels\[0\]: expected an integer class index in \[0, 3\), got -1$/ },
    { label: 'non-integer label', call: () => softmaxCrossEntropy(zeros([3, 3]), [0, 1, 1.5]), error: ValueError, message: /^\[softmaxCrossEntropy\] labels\[2\]: expected an integer class index in \[0, 3\), got 1\.5$/ },
    { label: 'one label too few', call: () => softmaxCrossEntropy(zeros([3, 4]), [0, 1]), error: ShapeError, message: /^\[softmaxCrossEntropy\] labels: expected 3 class indices \(one per row of logits \[3,4\]\), got 2$/ },
    { label: 'target of the wrong shape', call: () => softmaxCrossEntropy(zeros([3, 4]), zeros([3, 5])), error: ShapeError, message: /^\[softmaxCrossEntropy\] labels: expected a float32 target of shape \[3,4\] to match logits .*got shape \[3,5\]$/ },
    { label: 'dtype mix', call: () => softmaxCrossEntropy(zeros([3, 4]), zeros([3, 4], { dtype: 'float64' })), error: DTypeError, message: /^\[softmaxCrossEntropy\] labels: expected dtype float32 to match logits .*got dtype float64$/ },
    { label: '1-D logits', call: () => softmaxCrossEntropy(zeros([4]), [0]), error: ShapeError, message: /^\[softmaxCrossEntropy\] logits: expected 2-D \(N,C\) with N ≥ 1 and C ≥ 1, got shape \[4\]$/ },
    { label: 'int32 labels of rank 2', call: () => softmaxCrossEntropy(zeros([2, 3]), zeros([2, 1], { dtype: 'int32' })), error: ShapeError, message: /^\[softmaxCrossEntropy\] labels: expected int32 class indices of shape \[2\], got shape \[2,1\]$/ },
  ],
});

export const rowsLoss: AnyOpRow[] = [xentRow];
