import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  affine,
  avgPool2d,
  conv2d,
  grad,
  mul,
  numericalGradient,
  randn,
  sigmoid,
  softmaxCrossEntropy,
  sum,
  tanh,
  tensor,
} from '@tapegrad/core';

const f64 = (data: number[], shape?: number[]) => tensor(data, shape, { dtype: 'float64' });
const points = [-3, -1.2, -0.3, 0, 0.4, 1, 2.5];

const tanh2 = (x: number) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2);
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const sigmoid2 = (x: number) => sig(x) * (1 - sig(x)) * (1 - 2 * sig(x));

describe.each([
  { name: 'tanh', f: tanh, second: tanh2 },
  { name: 'sigmoid', f: sigmoid, second: sigmoid2 },
])('second derivative of $name', ({ f, second }) => {
  it('grad(grad(f)) at scalar points matches the analytic formula', () => {
    for (const p of points) {
      const [h] = grad(grad((x: Tensor) => f(x)))(f64([p], []));
      expect(h!.item()).toBeCloseTo(second(p), 12);
    }
  });

  it('elementwise, matches the formula and finite differences of the tape gradient', () => {
    const x = f64(points, [points.length]);
    const firstDerivative = (x: Tensor) => grad((x: Tensor) => sum(f(x)))(x)[0]!;
    const [diag] = grad((x: Tensor) => sum(firstDerivative(x)))(x);
    const numerical = numericalGradient((x) => sum(firstDerivative(x)), [x], 0, 1e-5);
    points.forEach((p, i) => {
      expect(diag!.data[i]).toBeCloseTo(second(p), 12);
      expect(Math.abs(numerical.data[i]! - diag!.data[i]!)).toBeLessThan(1e-8);
    });
  });
});

it('sigmoid has finite first and second derivatives far out (±1000, ±1e30)', () => {
  const x = f64([-1e30, -1000, 1000, 1e30], [4]);
  const [g] = grad((x: Tensor) => sum(sigmoid(x)))(x);
  const [h] = grad((x: Tensor) => sum(grad((x: Tensor) => sum(sigmoid(x)))(x)[0]!))(x);
  expect(Array.from(g!.data)).toEqual([0, 0, 0, 0]);
  expect(Array.from(h!.data).map(Math.abs)).toEqual([0, 0, 0, 0]);
});

describe('Hessian-vector product of a small conv net', () => {
  // conv 2@3×3 pad 1 → tanh → avg pool 2 → affine 18→3 → softmax cross-entropy; smooth everywhere
  const x = randn([2, 1, 6, 6], { seed: 10, dtype: 'float64' });
  const labels = new Int32Array([2, 0]);
  const loss = (w1: Tensor, b1: Tensor, w2: Tensor): Tensor => {
    const h = avgPool2d(tanh(conv2d(x, w1, b1, { pad: 1 })), { kernel: 2 });
    return softmaxCrossEntropy(affine(h, w2), labels);
  };
  const params = [
    randn([2, 1, 3, 3], { seed: 11, dtype: 'float64', std: 0.5 }),
    randn([2], { seed: 12, dtype: 'float64', std: 0.5 }),
    randn([18, 3], { seed: 13, dtype: 'float64', std: 0.5 }),
  ];
  const v = params.map((p, i) => randn(p.shape, { seed: 20 + i, dtype: 'float64' }));

  /** H·v = ∇(∇L · v), through grad(grad(...)). */
  const hvp = (): Tensor[] => grad((...ps: Tensor[]) => grad(loss)(...ps).map((g, i) => sum(mul(g, v[i]!))).reduce((a, b) => a.add(b)))(...params);

  /** (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, from first-order gradients only. */
  const finiteDifferenceOfGradients = (eps: number): Float64Array[] => {
    const shifted = (sign: number) => params.map((p, i) => tensor(p.data.map((value, j) => value + sign * eps * v[i]!.data[j]!), p.shape, { dtype: 'float64' }));
    const plus = grad(loss)(...shifted(1));
    const minus = grad(loss)(...shifted(-1));
    return plus.map((g, i) => g.data.map((value, j) => (value - minus[i]!.data[j]!) / (2 * eps)) as Float64Array);
  };

  it('matches finite differences of gradients for every parameter', () => {
    const analytical = hvp();
    const numerical = finiteDifferenceOfGradients(1e-5);
    let largest = 0;
    analytical.forEach((h, i) => {
      expect(h.shape).toEqual(params[i]!.shape);
      h.data.forEach((value, j) => {
        largest = Math.max(largest, Math.abs(value));
        expect(Math.abs(value - numerical[i]![j]!)).toBeLessThan(1e-7 + 1e-5 * Math.abs(value));
      });
    });
    expect(largest).toBeGreaterThan(1e-3); // a Hessian that is not trivially zero
    params.forEach((p) => expect(p.grad).toBeNull());
  });
});
