import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  avgPool2d,
  col2im,
  conv2d,
  div,
  exp,
  gradGradCheck,
  im2col,
  log,
  logSoftmax,
  matmul,
  max,
  maxPool2d,
  mean,
  permute,
  pow,
  relu,
  sigmoid,
  softmax,
  softmaxCrossEntropy,
  sqrt,
  tanh,
} from '@tapegrad/core';
import { type Domain, tensorArb } from '@tapegrad/core/testing';

/** One seeded float64 input. */
function input(shape: number[], domain: Domain = 'any', seed = 0): Tensor {
  return fc.sample(tensorArb({ shape, domain }), { seed, numRuns: 1 })[0]!;
}

// Primitives and composites whose VJPs are built from differentiable ops: second derivatives by gradGradCheck.
const cases: { name: string; fn: (...xs: Tensor[]) => Tensor; inputs: Tensor[] }[] = [
  { name: 'tanh', fn: tanh, inputs: [input([2, 3])] },
  { name: 'sigmoid', fn: sigmoid, inputs: [input([2, 3])] },
  { name: 'exp', fn: exp, inputs: [input([4])] },
  { name: 'log', fn: log, inputs: [input([4], 'positive')] },
  { name: 'sqrt', fn: sqrt, inputs: [input([4], 'positive')] },
  { name: 'div', fn: div, inputs: [input([2, 3]), input([3], 'nonzero', 1)] },
  { name: 'pow', fn: pow, inputs: [input([3], 'positive'), input([3], 'any', 1)] },
  { name: 'relu (away from 0)', fn: relu, inputs: [input([6], 'nonzero')] },
  { name: 'matmul', fn: matmul, inputs: [input([2, 3]), input([3, 4], 'any', 1)] },
  { name: 'permute', fn: (x) => permute(x, [2, 0, 1]), inputs: [input([2, 3, 2])] },
  { name: 'max over an axis', fn: (x) => max(x, 1), inputs: [input([3, 4], 'distinct')] },
  { name: 'mean', fn: (x) => mean(x, 0), inputs: [input([3, 2])] },
  { name: 'softmax', fn: (x) => softmax(x), inputs: [input([2, 4])] },
  { name: 'logSoftmax', fn: (x) => logSoftmax(x), inputs: [input([2, 4])] },
  { name: 'softmaxCrossEntropy', fn: (z) => softmaxCrossEntropy(z, new Int32Array([1, 3])), inputs: [input([2, 4])] },
  { name: 'im2col', fn: (x) => im2col(x, { kernel: 2, stride: 1, pad: 1 }), inputs: [input([1, 2, 3, 3])] },
  { name: 'col2im', fn: (c) => col2im(c, [1, 1, 3, 3], { kernel: 2, stride: 1 }), inputs: [input([4, 4])] },
  { name: 'conv2d', fn: (x, w, b) => conv2d(x, w, b, { stride: [2, 1], pad: 1 }), inputs: [input([1, 2, 4, 3]), input([2, 2, 3, 2], 'any', 1), input([2], 'any', 2)] },
  { name: 'maxPool2d', fn: (x) => maxPool2d(x, { kernel: 2, stride: 1, pad: 1 }), inputs: [input([1, 2, 3, 3], 'distinct')] },
  { name: 'avgPool2d', fn: (x) => avgPool2d(x, { kernel: 3, stride: 2, pad: 1, countIncludePad: false }), inputs: [input([1, 1, 4, 5])] },
];

describe('gradGradCheck over the ops', () => {
  it.each(cases)('$name', ({ fn, inputs }) => {
    expect(gradGradCheck(fn, inputs)).toBe(true);
  });
});
