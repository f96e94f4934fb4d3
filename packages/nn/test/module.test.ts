import { describe, expect, it } from 'vitest';
import { ShapeError, type Tensor, ValueError, matmul, randn, tensor, zeros } from '@tapegrad/core';
import { Conv2d, Dropout, Linear, Module, ReLU, Sequential, SimpleConvNet, functionalCall } from '@tapegrad/nn';

class Block extends Module {
  readonly conv1 = new Conv2d(1, 2, 3, { seed: 1 });
  readonly features = new Sequential(new Linear(4, 3, { seed: 2 }), new ReLU(), new Linear(3, 2, { seed: 3 }));
  forward(x: Tensor): Tensor {
    return this.features.forward(x);
  }
}

/** A module whose forward calls a core op without checking first: the core error gets the layer's name. */
class RawMatmul extends Module {
  readonly weight = randn([5, 2], { seed: 0, requiresGrad: true });
  forward(x: Tensor): Tensor {
    return matmul(x, this.weight);
  }
}

class Outer extends Module {
  readonly block = new Block();
  readonly head = new RawMatmul();
  forward(x: Tensor): Tensor {
    return this.head.forward(this.block.forward(x));
  }
}

describe('Module: names and parameters', () => {
  it('names parameters by attribute path, PyTorch style, own parameters before children', () => {
    const names = new Outer().namedParameters().map(([n, p]) => `${n} ${JSON.stringify(p.shape)}`);
    expect(names).toEqual([
      'block.conv1.weight [2,1,3,3]',
      'block.conv1.bias [2]',
      'block.features.0.weight [3,4]',
      'block.features.0.bias [3]',
      'block.features.2.weight [2,3]',
      'block.features.2.bias [2]',
      'head.weight [5,2]',
    ]);
    expect(new Outer().namedModules().map(([n]) => n)).toEqual(['', 'block', 'block.conv1', 'block.features', 'block.features.0', 'block.features.1', 'block.features.2', 'head']);
  });

  it('lists a shared tensor once, and parameters() follows namedParameters()', () => {
    const a = new Linear(2, 2, { seed: 0 });
    const net = new Sequential(a, a);
    expect(net.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias']);
    expect(net.parameters()).toEqual([a.weight, a.bias]);
    expect(new Linear(3, 4, { bias: false }).numParameters()).toBe(12);
  });

  it('train()/eval() set the mode on every sub-module', () => {
    const net = new Sequential(new Linear(2, 2), new Sequential(new Dropout(0.5, { seed: 0 })));
    expect(net.training).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.namedModules().every(([, m]) => m.training === false)).toBe(true);
    net.train();
    expect(net.namedModules().every(([, m]) => m.training === true)).toBe(true);
  });
});

describe('Module: state dict', () => {
  it('stateDict holds copies; loadStateDict copies in place and keeps parameter identity', () => {
    const src = new Block();
    const target = new Outer().block;
    const before = target.parameters();
    const beforeData = before.map((p) => p.data);
    const sd = src.stateDict();
    sd['conv1.bias']!.data[0] = 42;
    expect(src.conv1.bias!.data[0]).not.toBe(42);
    const result = target.loadStateDict(sd);
    expect(result).toEqual({ missing: [], unexpected: [] });
    expect(target.parameters()).toEqual(before);
    target.parameters().forEach((p, i) => expect(p.data).toBe(beforeData[i]));
    expect(target.conv1.bias!.data[0]).toBe(42);
    const x = randn([2, 4], { seed: 5 });
    expect(Array.from(target.forward(x).data)).toEqual(Array.from(src.forward(x).data));
  });

  it('lists every missing, unexpected, mis-shaped and mis-typed key in one error, and copies nothing', () => {
    const net = new Block();
    const original = net.stateDict();
    const sd = new Block().stateDict();
    sd['conv1.weight']!.data.fill(7);
    delete sd['features.2.bias'];
    sd['features.9.weight'] = zeros([1]);
    sd['features.0.weight'] = zeros([4, 3]);
    sd['conv1.bias'] = zeros([2], { dtype: 'float64' });
    let err: Error | undefined;
    try {
      net.loadStateDict(sd);
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(ValueError);
    expect(err!.message).toBe(
      "[loadStateDict] stateDict: expected the model's 6 parameter(s) by name, shape and dtype, got 1 missing: features.2.bias; 1 unexpected: features.9.weight; " +
        '2 mismatched: conv1.bias (expected [2] float32, got [2] float64), features.0.weight (expected [3,4] float32, got [4,3] float32)',
    );
    expect(Array.from(net.conv1.weight.data)).toEqual(Array.from(original['conv1.weight']!.data));
  });

  it('strict: false tolerates missing and unexpected keys (and reports them) but never mis-shaped ones', () => {
    const net = new Block();
    const sd = new Block().stateDict();
    delete sd['conv1.weight'];
    sd.extra = zeros([1]);
    expect(net.loadStateDict(sd, { strict: false })).toEqual({ missing: ['conv1.weight'], unexpected: ['extra'] });
    sd['conv1.bias'] = zeros([3]);
    expect(() => net.loadStateDict(sd, { strict: false })).toThrow(/1 mismatched: conv1\.bias \(expected \[2\] float32, got \[3\] float32\)$/);
  });
});

describe('Module: errors name the layer', () => {
  it('a model reports a wrong input as its first layer, with expected and received shapes', () => {
    const net = new SimpleConvNet({ seed: 0 });
    const call = () => net.forward(zeros([2, 3, 28, 28]));
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(/^\[conv1\] x: expected 4-D \(N,1,28,28\), got shape \[2,3,28,28\]$/);
    expect(() => net.forward(zeros([28, 28]))).toThrow(/^\[conv1\] x: expected 4-D \(N,1,28,28\), got shape \[28,28\]$/);
  });

  it('a layer deep inside names itself by dotted path; the original error is the cause', () => {
    const net = new Outer();
    let err: Error | undefined;
    try {
      net.block.features.forward(zeros([2, 5]));
    } catch (e) {
      err = e as Error;
    }
    expect(err!.message).toBe('[0] x: expected at least 1-D (…,in) with in=4, got shape [2,5]');
    expect(() => new Outer().forward(zeros([2, 5]))).toThrow(/^\[block\.features\.0\] x: expected at least 1-D \(…,in\) with in=4, got shape \[2,5\]$/);
    try {
      new Outer().forward(zeros([2, 5]));
    } catch (e) {
      expect((e as Error & { op: string }).op).toBe('block.features.0');
      expect((e as Error).cause).toBeInstanceOf(ShapeError);
    }
  });

  it("a core op's error inside a layer keeps the op's message under the layer's name", () => {
    // block outputs (N,2); head multiplies by a (5,2) weight: matmul's own check fails
    expect(() => new Outer().forward(randn([3, 4], { seed: 1 }))).toThrow(ShapeError);
    expect(() => new Outer().forward(randn([3, 4], { seed: 1 }))).toThrow(/^\[head \(matmul\)\] /);
  });

  it('a layer used on its own keeps its own name', () => {
    expect(() => new Conv2d(1, 2, 3).forward(zeros([1, 2, 5, 5]))).toThrow(/^\[Conv2d\] x: expected 4-D \(N,C,H,W\) with C=1, got shape \[1,2,5,5\]$/);
    expect(() => new Conv2d(1, 2, 3).forward(zeros([1, 1, 5, 5], { dtype: 'float64' }))).toThrow(/^\[Conv2d\] x: expected dtype float32 \(the layer's parameters\), got dtype float64$/);
  });

  it('non-tapegrad errors pass through untouched', () => {
    class Boom extends Module {
      forward(): Tensor {
        throw new RangeError('boom');
      }
    }
    expect(() => new Sequential(new Boom()).forward(zeros([1]))).toThrow(RangeError);
  });
});

describe('functionalCall', () => {
  it('runs the model with other parameter tensors and restores its own', () => {
    const net = new Sequential(new Linear(2, 1, { seed: 0 }));
    const own = net.parameters();
    const x = tensor([[1, 2]]);
    const y = functionalCall(net, [tensor([[10, 100]]), tensor([1])], x);
    expect(Array.from(y.data)).toEqual([211]);
    expect(net.parameters()).toEqual(own);
    expect(Array.from(functionalCall(net, { '0.bias': tensor([5]) }, x).data)).toEqual([Array.from(net.forward(x).data)[0]! - own[1]!.data[0]! + 5].map(Math.fround));
    expect(() => functionalCall(net, [tensor([1])], x)).toThrow(/^\[functionalCall\] parameters: expected 2 tensors \(one per parameter\), got 1$/);
  });
});
