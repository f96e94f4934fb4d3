import { describe, expect, it } from 'vitest';
import { DTypeError, Rng, type Tensor, ValueError, randn, sum, tensor } from '@tapegrad/core';
import {
  AvgPool2d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  LocalResponseNorm,
  MaxPool2d,
  ReLU,
  Sigmoid,
  Tanh,
  fanIn,
  he,
  manualSeed,
  normal,
  weightInit,
  xavier,
} from '@tapegrad/nn';

/*
 * Each layer against a naive loop written from its definition (float64, so the comparison is tight).
 */

const f64 = (shape: number[], seed: number) => randn(shape, { seed, dtype: 'float64' });
const at = (t: Tensor, idx: number[]) => {
  let flat = 0;
  idx.forEach((v, d) => (flat = flat * t.shape[d]! + v));
  return t.data[flat]!;
};

function expectAllClose(actual: Tensor, expected: number[], shape: number[], tol = 1e-12): void {
  expect(actual.shape).toEqual(shape);
  expect(actual.size).toBe(expected.length);
  expected.forEach((e, i) => expect(Math.abs(actual.data[i]! - e), `index ${i}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e))));
}

describe('Linear', () => {
  it('computes x·Wᵀ + b with W (out,in), on 2-D and higher-rank inputs', () => {
    const fc = new Linear(4, 3, { seed: 1, dtype: 'float64' });
    const x = f64([2, 5, 4], 2);
    const expected: number[] = [];
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 5; b++)
        for (let o = 0; o < 3; o++) {
          let s = fc.bias!.data[o]!;
          for (let i = 0; i < 4; i++) s += at(x, [a, b, i]) * at(fc.weight, [o, i]);
          expected.push(s);
        }
    expectAllClose(fc.forward(x), expected, [2, 5, 3]);
    expect(fc.forward(x.reshape([10, 4])).shape).toEqual([10, 3]);
    expect(fc.forward(x.reshape([10, 4]).reshape([40]).reshape([10, 4])).shape).toEqual([10, 3]);
  });

  it("defaults to PyTorch's init: weight and bias uniform in ±1/√in", () => {
    const fc = new Linear(400, 50, { seed: 3 });
    const bound = 1 / Math.sqrt(400);
    const w = Array.from(fc.weight.data);
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...w)).toBeGreaterThan(0.95 * bound);
    expect(Array.from(fc.bias!.data).every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(fc.weight.requiresGrad && fc.bias!.requiresGrad).toBe(true);
  });

  it('rejects bad sizes and options', () => {
    expect(() => new Linear(0, 3)).toThrow(/^\[Linear\] inFeatures: expected a positive integer, got 0$/);
    expect(() => new Linear(2, 3, { dtype: 'int32' as never })).toThrow(DTypeError);
    expect(() => new Linear(2, 3, { init: () => tensor([1]) })).toThrow(/^\[Linear\] init: expected an initializer returning a \[3,2\] float32 tensor, got \[1\] float32$/);
  });
});

describe('Conv2d', () => {
  it('matches a naive cross-correlation with stride and padding; weight (out,in,kh,kw)', () => {
    const conv = new Conv2d(2, 3, [3, 2], { stride: [2, 1], pad: 1, seed: 4, dtype: 'float64' });
    expect(conv.weight.shape).toEqual([3, 2, 3, 2]);
    const x = f64([2, 2, 5, 4], 5);
    const [oh, ow] = [Math.floor((5 + 2 - 3) / 2) + 1, Math.floor((4 + 2 - 2) / 1) + 1];
    const expected: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let f = 0; f < 3; f++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            let s = conv.bias!.data[f]!;
            for (let c = 0; c < 2; c++)
              for (let ki = 0; ki < 3; ki++)
                for (let kj = 0; kj < 2; kj++) {
                  const y = i * 2 - 1 + ki;
                  const xx = j - 1 + kj;
                  if (y >= 0 && y < 5 && xx >= 0 && xx < 4) s += at(x, [n, c, y, xx]) * at(conv.weight, [f, c, ki, kj]);
                }
            expected.push(s);
          }
    expectAllClose(conv.forward(x), expected, [2, 3, oh, ow]);
  });

  it('without bias has only a weight; a bad stride fails when run, named by the layer', () => {
    expect(new Conv2d(1, 2, 3, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(() => new Conv2d(1, 2, 3, { stride: 0 }).forward(randn([1, 1, 5, 5], { seed: 0 }))).toThrow(/^\[Conv2d \(conv2d\)\] stride: expected a positive integer, got 0$/);
    expect(() => new Conv2d(1, 2, [3, 3, 3] as never)).toThrow(ValueError);
  });
});

describe('pooling, activations, flatten', () => {
  const x = f64([2, 3, 5, 6], 6);

  it('MaxPool2d and AvgPool2d match naive window loops (stride defaults to the kernel)', () => {
    const max: number[] = [];
    const avg: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let c = 0; c < 3; c++)
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 3; j++) {
            const cells = [0, 1].flatMap((a) => [0, 1].map((b) => at(x, [n, c, 2 * i + a, 2 * j + b])));
            max.push(Math.max(...cells));
            avg.push(cells.reduce((s, v) => s + v, 0) / 4);
          }
    expectAllClose(new MaxPool2d(2).forward(x), max, [2, 3, 2, 3]);
    expectAllClose(new AvgPool2d(2).forward(x), avg, [2, 3, 2, 3]);
    expect(new MaxPool2d(3, { stride: 2, pad: 1 }).forward(x).shape).toEqual([2, 3, 3, 3]);
  });

  it('ReLU, Sigmoid and Tanh are elementwise', () => {
    const v = Array.from(x.data);
    expectAllClose(new ReLU().forward(x), v.map((a) => Math.max(a, 0)), x.shape as number[]);
    expectAllClose(new Sigmoid().forward(x), v.map((a) => 1 / (1 + Math.exp(-a))), x.shape as number[]);
    expectAllClose(new Tanh().forward(x), v.map(Math.tanh), x.shape as number[]);
  });

  it('Flatten keeps the batch axis and shares the data', () => {
    const y = new Flatten().forward(x);
    expect(y.shape).toEqual([2, 90]);
    expect(y.data).toBe(x.data);
  });
});

describe('LocalResponseNorm', () => {
  it("follows PyTorch's formula (alpha/size, zero-padded channel window)", () => {
    const lrn = new LocalResponseNorm({ size: 4, alpha: 0.5, beta: 0.75, k: 2 });
    const x = f64([1, 5, 2, 2], 7);
    const expected: number[] = [];
    for (let c = 0; c < 5; c++)
      for (let i = 0; i < 4; i++) {
        let s = 0;
        for (let j = c - 2; j <= c + 1; j++) if (j >= 0 && j < 5) s += x.data[j * 4 + i]! ** 2;
        expected.push(x.data[c * 4 + i]! / (2 + (0.5 / 4) * s) ** 0.75);
      }
    expectAllClose(lrn.forward(x), expected, [1, 5, 2, 2]);
  });

  it('checks its options when built', () => {
    expect(() => new LocalResponseNorm({ size: 0 })).toThrow(/^\[LocalResponseNorm\] size: expected a positive integer, got 0$/);
    expect(() => new LocalResponseNorm({ size: 3, k: -1 })).toThrow(/^\[LocalResponseNorm\] k: expected a finite number > 0, got -1$/);
  });
});

describe('Dropout', () => {
  it('drops in train mode with inverted scaling and passes through in eval mode', () => {
    const drop = new Dropout(0.5, { seed: 1 });
    const x = randn([1000], { seed: 2 });
    const y = drop.forward(x);
    const kept = Array.from(y.data).filter((v) => v !== 0).length;
    expect(kept).toBeGreaterThan(430);
    expect(kept).toBeLessThan(570);
    y.data.forEach((v, i) => v !== 0 && expect(v).toBeCloseTo(2 * x.data[i]!, 5));
    drop.eval();
    expect(drop.forward(x)).toBe(x);
  });

  it('is seeded: same seed, same masks; successive calls draw new masks', () => {
    const x = randn([64], { seed: 3 });
    const a = new Dropout(0.3, { seed: 9 });
    const b = new Dropout(0.3, { seed: 9 });
    const a1 = Array.from(a.forward(x).data);
    expect(Array.from(b.forward(x).data)).toEqual(a1);
    expect(Array.from(a.forward(x).data)).not.toEqual(a1);
  });

  it('the mask is in the recorded graph: gradients are zero where dropped', () => {
    const x = randn([50], { seed: 4, requiresGrad: true });
    const y = new Dropout(0.4, { seed: 5 }).forward(x);
    sum(y).backward();
    y.data.forEach((v, i) => expect(x.grad!.data[i]).toBeCloseTo(v === 0 ? 0 : 1 / 0.6, 5));
  });

  it('rejects p outside [0, 1]', () => {
    expect(() => new Dropout(1.2)).toThrow(/^\[Dropout\] p: expected a probability in \[0, 1\], got 1\.2$/);
  });
});

describe('init', () => {
  const std = (t: Tensor) => {
    const v = Array.from(t.data);
    const m = v.reduce((s, a) => s + a, 0) / v.length;
    return Math.sqrt(v.reduce((s, a) => s + (a - m) ** 2, 0) / v.length);
  };

  it("he is √(2/fanIn) and xavier √(1/fanIn) (the book's choices); fanIn counts in·kh·kw", () => {
    const rng = new Rng(0);
    expect(fanIn([30, 1, 5, 5])).toBe(25);
    expect(std(he([200, 50, 3, 3], { rng }))).toBeCloseTo(Math.sqrt(2 / 450), 3);
    expect(std(xavier([300, 400], { rng }))).toBeCloseTo(Math.sqrt(1 / 400), 3);
    expect(std(normal(0.01)([300, 400], { rng }))).toBeCloseTo(0.01, 4);
    expect(weightInit('relu')).toBe(he);
    expect(weightInit('sigmoid')).toBe(xavier);
    expect(() => weightInit('tanh' as never)).toThrow(/^\[weightInit\] std: expected a number, 'relu', 'he', 'sigmoid' or 'xavier', got "tanh"$/);
    expect(() => normal(-1)).toThrow(ValueError);
  });

  it('given an init, layers start biases at zero; seeds reproduce; manualSeed drives unseeded layers', () => {
    const a = new Conv2d(1, 4, 3, { init: he, seed: 5 });
    expect(Array.from(a.bias!.data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(new Conv2d(1, 4, 3, { init: he, seed: 5 }).weight.data)).toEqual(Array.from(a.weight.data));
    manualSeed(11);
    const u = Array.from(new Linear(3, 3).weight.data);
    const v = Array.from(new Linear(3, 3).weight.data);
    expect(v).not.toEqual(u);
    manualSeed(11);
    expect(Array.from(new Linear(3, 3).weight.data)).toEqual(u);
  });
});
