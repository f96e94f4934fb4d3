import { describe, expect, it } from 'vitest';
import { type Tensor, gradCheck, randn } from '@tapegrad/core';
import { AlexNet, type Conv2d, Dropout, LeNet5, type Module, crossEntropyLoss, functionalCall, zerosInit } from '@tapegrad/nn';

/** Gradient check of loss(model(x)) w.r.t. x and every parameter, along 3 random directions (fastMode). */
function checkModel(model: Module, x: Tensor, labels: number[], before: () => void = () => {}): void {
  for (const seed of [0, 1, 2]) {
    const ok = gradCheck(
      (x, ...ps) => {
        before();
        return crossEntropyLoss(functionalCall(model, ps, x), labels);
      },
      [x, ...model.parameters()],
      { fastMode: true, seed },
    );
    expect(ok).toBe(true);
  }
}

function trainStep(model: Module, x: Tensor, labels: number[]): number {
  model.zeroGrad();
  const logits = model.forward(x);
  const loss = crossEntropyLoss(logits, labels);
  loss.backward();
  for (const [name, p] of model.namedParameters()) expect(p.grad?.shape, name).toEqual(p.shape);
  return loss.item();
}

describe('LeNet5', () => {
  it('has the 28×28 layout: 6@5×5 pad 2, 16@5×5, 400 → 120 → 84 → 10, 61,706 parameters', () => {
    const net = new LeNet5({ seed: 0 });
    expect(net.namedParameters().map(([n, p]) => `${n} ${p.shape.join('x')}`)).toEqual([
      'conv1.weight 6x1x5x5',
      'conv1.bias 6',
      'conv2.weight 16x6x5x5',
      'conv2.bias 16',
      'fc1.weight 120x400',
      'fc1.bias 120',
      'fc2.weight 84x120',
      'fc2.bias 84',
      'fc3.weight 10x84',
      'fc3.bias 10',
    ]);
    expect(net.numParameters()).toBe(61_706);
  });

  for (const variant of [{ activation: 'sigmoid', pooling: 'avg' }, { activation: 'relu', pooling: 'max' }] as const) {
    it(`${variant.activation}/${variant.pooling}: forward and backward on a small batch`, () => {
      const net = new LeNet5({ ...variant, seed: 1 });
      const loss = trainStep(net, randn([4, 1, 28, 28], { seed: 2 }), [1, 2, 3, 4]);
      expect(Number.isFinite(loss)).toBe(true);
    });

    it(`${variant.activation}/${variant.pooling}: a float64 instance (12×12 input) passes a gradient check`, () => {
      const net = new LeNet5({ ...variant, inputShape: [1, 12, 12], numClasses: 3, seed: 3, dtype: 'float64' });
      checkModel(net, randn([2, 1, 12, 12], { seed: 4, dtype: 'float64' }), [0, 2]);
    });
  }

  it('names the first layer on a wrong input and rejects bad options', () => {
    expect(() => new LeNet5().forward(randn([1, 1, 32, 32], { seed: 0 }))).toThrow(/^\[conv1\] x: expected 4-D \(N,1,28,28\), got shape \[1,1,32,32\]$/);
    expect(() => new LeNet5({ activation: 'tanh' as never })).toThrow(/^\[LeNet5\] activation: expected 'sigmoid' or 'relu', got "tanh"$/);
    expect(() => new LeNet5({ inputShape: [1, 8, 8] })).toThrow(/^\[LeNet5\] inputShape: expected H and W of at least 12/);
  });
});

describe('AlexNet', () => {
  it("with [3,224,224] and 1000 classes it has torchvision's 61,100,840 parameters; lrn: false gives torchvision's names", () => {
    const net = new AlexNet({ init: zerosInit, lrn: false, seed: 0 });
    expect(net.numParameters()).toBe(61_100_840);
    expect(net.namedParameters().map(([n, p]) => `${n} ${p.shape.join('x')}`)).toEqual([
      'features.0.weight 64x3x11x11',
      'features.0.bias 64',
      'features.3.weight 192x64x5x5',
      'features.3.bias 192',
      'features.6.weight 384x192x3x3',
      'features.6.bias 384',
      'features.8.weight 256x384x3x3',
      'features.8.bias 256',
      'features.10.weight 256x256x3x3',
      'features.10.bias 256',
      'classifier.1.weight 4096x9216',
      'classifier.1.bias 4096',
      'classifier.4.weight 4096x4096',
      'classifier.4.bias 4096',
      'classifier.6.weight 1000x4096',
      'classifier.6.bias 1000',
    ]);
  });

  it('with LRN (the default) the layers are conv, ReLU, LRN, pool twice, then three convs, pool; same count', () => {
    const net = new AlexNet({ inputShape: [3, 64, 64], numClasses: 10, width: 0.125, seed: 0 });
    expect(net.features.children().map((m) => m.constructor.name)).toEqual([
      'Conv2d', 'ReLU', 'LocalResponseNorm', 'MaxPool2d',
      'Conv2d', 'ReLU', 'LocalResponseNorm', 'MaxPool2d',
      'Conv2d', 'ReLU', 'Conv2d', 'ReLU', 'Conv2d', 'ReLU', 'MaxPool2d',
    ]);
    expect(net.classifier.children().map((m) => m.constructor.name)).toEqual(['Dropout', 'Linear', 'ReLU', 'Dropout', 'Linear', 'ReLU', 'Linear']);
    expect(net.numParameters()).toBe(new AlexNet({ inputShape: [3, 64, 64], numClasses: 10, width: 0.125, lrn: false, seed: 0 }).numParameters());
  });

  it('the first convolution strides by 4 at 224×224 and by 2 under 64×64 (unless conv1Stride says otherwise)', () => {
    const stride = (net: AlexNet) => (net.features.at(0) as Conv2d).stride;
    expect(stride(new AlexNet({ inputShape: [3, 64, 64], width: 0.05, numClasses: 2 }))).toBe(4);
    expect(stride(new AlexNet({ inputShape: [1, 28, 28], width: 0.05, numClasses: 2 }))).toBe(2);
    expect(stride(new AlexNet({ inputShape: [1, 28, 28], width: 0.05, numClasses: 2, conv1Stride: 1 }))).toBe(1);
    expect(() => new AlexNet({ conv1Stride: 0 })).toThrow(/^\[AlexNet\] conv1Stride: expected a positive integer, got 0$/);
  });

  it('a reduced net on 1×28×28 input runs forward and backward; dropout is on in train() only', () => {
    const net = new AlexNet({ inputShape: [1, 28, 28], numClasses: 10, width: 0.125, seed: 1 });
    const x = randn([4, 1, 28, 28], { seed: 2 });
    expect(Number.isFinite(trainStep(net, x, [1, 2, 3, 4]))).toBe(true);
    net.eval();
    const a = Array.from(net.forward(x).data);
    expect(Array.from(net.forward(x).data)).toEqual(a);
    net.train();
    expect(Array.from(net.forward(x).data)).not.toEqual(a);
  });

  it('a tiny float64 instance passes a gradient check in eval mode and in train mode (masks replayed)', () => {
    const net = new AlexNet({ inputShape: [2, 16, 16], numClasses: 3, width: 1 / 32, seed: 5, dtype: 'float64' });
    const x = randn([2, 2, 16, 16], { seed: 6, dtype: 'float64', std: 2 });
    net.eval();
    checkModel(net, x, [0, 2]);
    net.train();
    const drops = net.namedModules().flatMap(([, m]) => (m instanceof Dropout ? [m] : []));
    const states = drops.map((d) => d.rng.getState());
    checkModel(net, x, [1, 0], () => drops.forEach((d, i) => d.rng.setState(states[i]!)));
  });

  it('names features.0 on a wrong input', () => {
    expect(() => new AlexNet({ inputShape: [1, 28, 28], numClasses: 10, width: 0.125 }).forward(randn([2, 3, 28, 28], { seed: 0 }))).toThrow(
      /^\[features\.0\] x: expected 4-D \(N,1,28,28\), got shape \[2,3,28,28\]$/,
    );
    expect(() => new AlexNet({ inputShape: [1, 6, 6] })).toThrow(/^\[AlexNet\] inputShape: expected H and W of at least 7/);
  });
});
