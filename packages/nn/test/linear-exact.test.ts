import { afterEach, describe, expect, it } from 'vitest';
import { type Tensor, add, getBackend, listBackends, matmul, setBackend, sum, tensor, transpose } from '@tapegrad/core';
import { Linear, normal } from '@tapegrad/nn';

/*
 * Linear runs through core's `linear` (the GEMM's transposed-operand flag) instead of
 * matmul(x, transpose(W)): the same bits forward and backward, without a transposed copy of the weight
 * in the graph.
 */

const initial = getBackend().name;
afterEach(() => setBackend(initial));

const bits = (t: Tensor) => Array.from(new Uint32Array(Float32Array.from(t.data).buffer));

describe('Linear', () => {
  for (const backend of listBackends()) {
    it(`gives the bits of matmul(x, transpose(W)) + b, forward and backward (${backend})`, () => {
      setBackend(backend);
      for (const [n, inF, outF] of [
        [100, 4320, 100],
        [7, 33, 17],
        [1, 5, 1],
      ] as const) {
        const layer = new Linear(inF, outF, { init: normal(0.05), seed: 3 });
        const x = tensor(Float32Array.from({ length: n * inF }, (_, i) => Math.sin(i * 0.37)), [n, inF], { requiresGrad: true });
        const up = tensor(Float32Array.from({ length: n * outF }, (_, i) => Math.cos(i * 1.3)), [n, outF]);
        const y = layer.forward(x);
        sum(y.mul(up)).backward();
        const W = tensor(layer.weight.data.slice(), layer.weight.shape, { requiresGrad: true });
        const b = tensor(layer.bias!.data.slice(), layer.bias!.shape, { requiresGrad: true });
        const x2 = tensor(x.data.slice(), x.shape, { requiresGrad: true });
        const y2 = add(matmul(x2, transpose(W)), b);
        sum(y2.mul(up)).backward();
        expect(bits(y), `forward ${n}x${inF}x${outF}`).toEqual(bits(y2));
        expect(bits(x.grad!), 'x grad').toEqual(bits(x2.grad!));
        expect(bits(layer.weight.grad!), 'weight grad').toEqual(bits(W.grad!));
        expect(bits(layer.bias!.grad!), 'bias grad').toEqual(bits(b.grad!));
      }
    });
  }

  it('records the product with the weight itself (no transposed copy in the graph)', () => {
    const layer = new Linear(6, 4, { seed: 1 });
    const y = layer.forward(tensor(new Float32Array(12).fill(0.5), [2, 6]));
    const product = y.node!.inputs[0]!; // add(product, bias)
    expect(y.node!.op).toBe('add');
    expect(product.node!.op).toBe('matmul');
    expect(product.node!.inputs[1]).toBe(layer.weight);
  });
});
