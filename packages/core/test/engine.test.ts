import { describe, expect, it } from 'vitest';
import { GraphError, tensor, add, mul, sum, reshape } from '@tapegrad/core';

describe('engine', () => {
  it('accumulates a tensor used twice and un-broadcasts', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const b = tensor([10], undefined, { requiresGrad: true });
    const y = sum(mul(add(x, b), x)); // Σ (x+b)·x
    y.backward();
    expect(Array.from(x.grad!.data)).toEqual([12, 14, 16]); // 2x + b
    expect(Array.from(b.grad!.data)).toEqual([6]);
  });

  it('backpropagates through a chain of 100,000 ops without recursion', () => {
    const x = tensor([1], undefined, { requiresGrad: true, dtype: 'float64' });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = add(y, 0);
    sum(y).backward();
    expect(x.grad!.item()).toBe(1);
  });

  it('refuses a second backward through a freed graph, unless retainGraph', () => {
    const x = tensor([2], undefined, { requiresGrad: true });
    const y = sum(mul(x, x));
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad!.item()).toBe(8);
    expect(() => y.backward()).toThrow(GraphError);
    expect(() => y.backward()).toThrow(/retainGraph/);
  });

  it('reshape shares data', () => {
    const x = tensor([1, 2, 3, 4]);
    expect(reshape(x, [2, -1]).data).toBe(x.data);
    expect(x.reshape([2, 2]).shape).toEqual([2, 2]);
  });
});

describe('backward arguments', () => {
  it('takes null for the gradient and the options, and refuses options that are not an object', () => {
    const x = tensor([3], undefined, { requiresGrad: true });
    sum(mul(x, x)).backward(null, null);
    expect(x.grad!.item()).toBe(6);
    const y = sum(mul(x, x));
    expect(() => y.backward(undefined, 5 as never)).toThrow(/\[backward\] options: expected an object/);
  });
});

describe('freeing the graph', () => {
  it('a loss kept after backward holds none of the forward tensors', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const hidden = mul(x, x);
    const loss = sum(hidden);
    loss.backward();
    expect(loss.node!.inputs).toHaveLength(0);
    expect(hidden.node!.inputs).toHaveLength(0);
    expect(() => loss.backward()).toThrow(GraphError);
  });

  it('retainGraph keeps it', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const loss = sum(mul(x, x));
    loss.backward(undefined, { retainGraph: true });
    expect(loss.node!.inputs).toHaveLength(1);
  });
});
