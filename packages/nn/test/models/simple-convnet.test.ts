import { describe, expect, it } from 'vitest';
import { gradCheck, randn } from '@tapegrad/core';
import { Adam, SimpleConvNet, crossEntropyLoss, functionalCall } from '@tapegrad/nn';

describe('SimpleConvNet', () => {
  it("has the book's parameters with PyTorch names and layouts", () => {
    const net = new SimpleConvNet({ inputDim: [1, 28, 28], conv: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 }, hiddenSize: 100, outputSize: 10, weightInitStd: 0.01, seed: 0 });
    expect(net.namedParameters().map(([n, p]) => [n, [...p.shape]])).toEqual([
      ['conv1.weight', [30, 1, 5, 5]],
      ['conv1.bias', [30]],
      ['fc1.weight', [100, 4320]],
      ['fc1.bias', [100]],
      ['fc2.weight', [10, 100]],
      ['fc2.bias', [10]],
    ]);
    const w = Array.from(net.fc1.weight.data);
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.0095);
    expect(std).toBeLessThan(0.0105);
    expect(Array.from(net.fc1.bias!.data).every((v) => v === 0)).toBe(true);
    expect(Array.from(new SimpleConvNet({ seed: 0 }).conv1.weight.data)).toEqual(Array.from(net.conv1.weight.data));
  });

  it('forward gives (N,10) logits; backward fills every gradient; Adam steps lower the loss on a batch', () => {
    const net = new SimpleConvNet({ seed: 1 });
    const x = randn([8, 1, 28, 28], { seed: 2 });
    const t = [0, 1, 2, 3, 4, 5, 6, 7];
    const opt = new Adam(net.parameters(), { lr: 0.001 });
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      opt.zeroGrad();
      const logits = net.forward(x);
      expect(logits.shape).toEqual([8, 10]);
      const loss = crossEntropyLoss(logits, t);
      loss.backward();
      for (const [name, p] of net.namedParameters()) {
        expect(p.grad?.shape, name).toEqual(p.shape);
        expect(Array.from(p.grad!.data).some((v) => v !== 0), name).toBe(true);
      }
      losses.push(loss.item());
      opt.step();
    }
    expect(losses[0]).toBeCloseTo(Math.log(10), 1);
    expect(losses[4]).toBeLessThan(losses[0]! - 0.1);
  });

  it('a tiny float64 instance passes a full gradient check for the input and every parameter', () => {
    const net = new SimpleConvNet({ inputDim: [1, 6, 6], conv: { filterNum: 2, filterSize: 3, pad: 1, stride: 1 }, hiddenSize: 5, outputSize: 3, weightInitStd: 0.5, seed: 4, dtype: 'float64' });
    const x = randn([2, 1, 6, 6], { seed: 5, dtype: 'float64' });
    expect(gradCheck((x, ...ps) => crossEntropyLoss(functionalCall(net, ps, x), [2, 0]), [x, ...net.parameters()])).toBe(true);
  });

  it('rejects configurations whose conv output is too small for the pool', () => {
    expect(() => new SimpleConvNet({ inputDim: [1, 4, 4], conv: { filterSize: 5 } })).toThrow(/^\[SimpleConvNet\] conv: expected a filter that leaves at least 2×2 outputs for the 2×2 pool on input 4×4, got 0×0$/);
    expect(() => new SimpleConvNet({ inputDim: [1, 28] as never })).toThrow(/^\[SimpleConvNet\] inputDim: expected a \[C, H, W\] list of positive integers, got \[1,28\]$/);
  });
});
