import { describe, expect, it } from 'vitest';
import { type Tensor, affine, conv2d, gradCheck, maxPool2d, randn, relu, softmaxCrossEntropy, tensor } from '@tapegrad/core';

/*
 * The book's gradient check of SimpleConvNet (conv 30×5×5 – relu – max pool 2 – affine 100 – relu –
 * affine 10 – softmax cross-entropy), built from core ops, in float64 on a small 2×1×10×10 batch:
 * central differences against the tape for all six parameters.
 */

const N = 2;
const labels = new Int32Array([3, 7]);

/** The forward pass as a function of the six parameters: W1 b1 (conv), W2 b2, W3 b3 (affine). */
function loss(x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, w3: Tensor, b3: Tensor): Tensor {
  const h1 = maxPool2d(relu(conv2d(x, w1, b1, { stride: 1, pad: 0 })), { kernel: 2, stride: 2 }); // (N,30,3,3)
  const h2 = relu(affine(h1, w2, b2)); // (N,100)
  return softmaxCrossEntropy(affine(h2, w3, b3), labels);
}

/** He-scaled weights and small biases: large enough that every gradient is far above the tolerances. */
function parameters(): Tensor[] {
  const f64 = { dtype: 'float64' as const };
  return [
    randn([30, 1, 5, 5], { ...f64, seed: 1, std: Math.sqrt(2 / 25) }),
    randn([30], { ...f64, seed: 2, std: 0.1 }),
    randn([270, 100], { ...f64, seed: 3, std: Math.sqrt(2 / 270) }),
    randn([100], { ...f64, seed: 4, std: 0.1 }),
    randn([100, 10], { ...f64, seed: 5, std: Math.sqrt(2 / 100) }),
    randn([10], { ...f64, seed: 6, std: 0.1 }),
  ];
}

const tolerances = { eps: 1e-6, atol: 1e-8, rtol: 1e-5 };

describe('SimpleConvNet gradient check (float64)', () => {
  const x = randn([N, 1, 10, 10], { seed: 0, dtype: 'float64' });
  const params = parameters();
  const fn = (...p: Tensor[]) => loss(x, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!);

  it('the loss is a finite 0-d float64 tensor with non-trivial gradients for every parameter', () => {
    const leaves = params.map((p) => tensor(p.data.slice(), p.shape, { dtype: 'float64', requiresGrad: true }));
    const l = fn(...leaves);
    expect(l.shape).toEqual([]);
    expect(Number.isFinite(l.item())).toBe(true);
    l.backward();
    for (const p of leaves) {
      const g = p.grad!;
      expect(g.shape).toEqual(p.shape);
      expect(Math.max(...Array.from(g.data, Math.abs))).toBeGreaterThan(1e-4);
    }
  });

  it('every entry of the conv filters, all biases and the last affine weights (full Jacobian)', () => {
    // W2 (270×100 = 27,000 entries) is held fixed here and checked along random directions below
    const args = params.map((p, i) => tensor(p.data, p.shape, { dtype: 'float64', requiresGrad: i !== 2 }));
    expect(gradCheck(fn, args, tolerances)).toBe(true);
  });

  it('all six parameters along random directions (fastMode, three seeds)', () => {
    for (const seed of [0, 1, 2]) expect(gradCheck(fn, params, { ...tolerances, fastMode: true, seed })).toBe(true);
  });
});
