import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, type Tensor, ValueError, add, grad, mul, noGrad, numericalGradient, sum, tensor, valueAndGrad } from '@tapegrad/core';

const f64 = (data: number[], shape?: number[], requiresGrad = false) => tensor(data, shape, { dtype: 'float64', requiresGrad });
const values = (t: Tensor) => Array.from(t.data);
const cube = (x: Tensor) => sum(mul(mul(x, x), x)); // Σ x³

describe('grad', () => {
  it('returns one gradient per input without touching .grad', () => {
    const x = f64([1, 2, 3], [3], true);
    const w = f64([4, 5, 6], [3]);
    const [gx, gw] = grad((x, w) => sum(mul(mul(x, x), w)))(x, w);
    expect(values(gx!)).toEqual([8, 20, 36]); // 2xw
    expect(values(gw!)).toEqual([1, 4, 9]); // x²
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
    expect(w.requiresGrad).toBe(false);
  });

  it('selects inputs with argnums (a number gives one tensor)', () => {
    const x = f64([2], [1]);
    const w = f64([3], [1]);
    const f = (x: Tensor, w: Tensor) => sum(mul(x, w));
    expect(values(grad(f, { argnums: 1 })(x, w))).toEqual([2]);
    const picked = grad(f, { argnums: [1, 0] })(x, w);
    expect(picked.map(values)).toEqual([[2], [3]]);
  });

  it('gives zeros for an input the output does not depend on', () => {
    const [gx, gy] = grad((x: Tensor, _y: Tensor) => sum(x))(f64([1, 2], [2]), f64([5], [1]));
    expect(values(gx!)).toEqual([1, 1]);
    expect(values(gy!)).toEqual([0]);
  });

  it('grad(grad(f)) gives the second derivative (x³ → 6x) and matches finite differences of gradients', () => {
    const x = f64([1.5], []);
    const [h] = grad(grad(cube))(x);
    expect(h!.item()).toBeCloseTo(9, 12);
    const xs = f64([-1, 0.5, 2], [3]);
    const [diag] = grad((x) => sum(grad(cube)(x)[0]!))(xs); // Hessian diagonal of an elementwise fn
    expect(values(diag!)).toEqual([-6, 3, 12]);
    const numerical = numericalGradient((x) => sum(grad(cube)(x)[0]!), [xs]);
    values(numerical).forEach((v, i) => expect(v).toBeCloseTo(values(diag!)[i]!, 6));
  });

  it('mixed second partials: d/dw of d/dx (x²w) = 2x', () => {
    const dfdx = (x: Tensor, w: Tensor) => grad((x: Tensor, w: Tensor) => sum(mul(mul(x, x), w)), { argnums: 0 })(x, w);
    const dxdw = grad((x: Tensor, w: Tensor) => sum(dfdx(x, w)), { argnums: 1 })(f64([3], [1]), f64([7], [1]));
    expect(values(dxdw)).toEqual([6]);
  });

  it('builds no graph when grad mode is off or no input requires grad', () => {
    const x = f64([1, 2], [2]);
    const [g] = grad(cube)(x);
    expect(g!.requiresGrad).toBe(false);
    const y = f64([1, 2], [2], true);
    const [h] = noGrad(() => grad(cube)(y));
    expect(h!.requiresGrad).toBe(false);
    expect(values(h!)).toEqual([3, 12]);
  });

  it('records the gradient when an input requires grad, so backward flows through it', () => {
    const w = f64([2, -1], [2], true);
    const x = f64([3, 4], [2]);
    const f = (x: Tensor, w: Tensor) => sum(mul(mul(x, w), mul(x, w)));
    // g = d/dx Σ (x·w)² = 2·x·w²; Σ g backpropagates to w: d/dw Σ 2xw² = 4xw
    const gx = grad(f, { argnums: 0 })(x, w);
    expect(values(gx)).toEqual([24, 8]);
    expect(gx.requiresGrad).toBe(true);
    sum(gx).backward();
    expect(values(w.grad!)).toEqual([24, -16]);
  });

  it('records the gradient of a function closing over tensors that require grad only with createGraph', () => {
    const w = f64([2, -1], [2], true);
    const x = f64([3, 4], [2]);
    const f = (x: Tensor) => sum(mul(mul(x, w), mul(x, w)));
    expect(grad(f, { argnums: 0 })(x).requiresGrad).toBe(false); // no input requires grad: a plain value
    const gx = grad(f, { argnums: 0, createGraph: true })(x);
    sum(gx).backward();
    expect(values(w.grad!)).toEqual([24, -16]);
  });

  it('differentiates through a non-leaf input without freeing the outer graph', () => {
    const w = f64([1, 2], [2], true);
    const z = mul(w, 3);
    const [g] = grad((z: Tensor) => sum(mul(z, z)))(z); // 2z = 6w
    expect(values(g!)).toEqual([6, 12]);
    sum(z).backward(undefined, { retainGraph: true }); // grad() left z's graph in place
    expect(values(w.grad!)).toEqual([3, 3]);
    sum(g!).backward(); // and the gradient's graph reaches w: d/dw Σ 6w = 6
    expect(values(w.grad!)).toEqual([9, 9]);
  });

  it('valueAndGrad returns the value with the gradients', () => {
    const [value, [g]] = valueAndGrad(cube)(f64([1, 2], [2]));
    expect(value.item()).toBe(9);
    expect(values(g!)).toEqual([3, 12]);
    const [v2, g2] = valueAndGrad((x: Tensor, y: Tensor) => sum(add(x, y)), { argnums: 1 })(f64([1], [1]), f64([2], [1]));
    expect(v2.item()).toBe(3);
    expect(values(g2)).toEqual([1]);
  });

  it('rejects non-scalar outputs, bad argnums and int32 inputs to differentiate', () => {
    const x = f64([1, 2], [2]);
    expect(() => grad((x) => mul(x, x))(x)).toThrow(ShapeError);
    expect(() => grad((x) => mul(x, x))(x)).toThrow(/\[grad\] fn: expected a function returning a one-element tensor .*, got an output of shape \[2\]/);
    expect(() => grad(cube, { argnums: 2 })(x)).toThrow(ValueError);
    expect(() => grad(cube)(tensor([1], undefined, { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => grad(3 as unknown as () => Tensor)).toThrow(/\[grad\] fn: expected a function/);
  });
});
