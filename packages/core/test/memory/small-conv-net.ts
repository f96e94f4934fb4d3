import { type Tensor, conv2d, matmul, maxPool2d, randn, relu, reshape, softmaxCrossEntropy, tensor } from '@tapegrad/core';

/**
 * The memory tests' net: conv 8×3×3 → activation → max pool 2 → dense (648, classes) → softmax
 * cross-entropy, on inputs (8, 3, 20, 20). Its conv arrays are above the array pool's 64 KiB floor
 * (the unfolded input: 8·18·18 × 27 floats); with 32 classes the dense weight's gradient (83 KB) is too.
 * `forward(x, keep)` pushes the conv output, the activation, the pooled map and the logits into keep.
 */
export function smallConvNet(options: { dtype: 'float32' | 'float64'; seed: number; classes?: number; activation?: (t: Tensor) => Tensor }) {
  const { dtype, seed, classes = 10, activation = relu } = options;
  const w1 = randn([8, 3, 3, 3], { seed, dtype, requiresGrad: true });
  const b1 = randn([8], { seed: seed + 1, dtype, requiresGrad: true });
  const w2 = randn([8 * 9 * 9, classes], { seed: seed + 2, dtype, requiresGrad: true });
  const params = [w1, b1, w2];
  const labels = tensor(Int32Array.from({ length: 8 }, (_, i) => i % 10), [8], { dtype: 'int32' });
  const forward = (x: Tensor, keep: Tensor[] = []) => {
    const c = conv2d(x, w1, b1);
    const h = activation(c);
    const p = maxPool2d(h, { kernel: 2 });
    const logits = matmul(reshape(p, [8, 8 * 9 * 9]), w2);
    keep.push(c, h, p, logits);
    return softmaxCrossEntropy(logits, labels);
  };
  return { params, forward };
}
