import { describe, expect, it } from 'vitest';
import { DTypeError, GradCheckError, type Tensor, add, customOp, gradCheck, gradGradCheck, mul, randn, sum, tensor } from '@tapegrad/core';

function map(x: Tensor, f: (v: number) => number): Tensor {
  const out = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) out[i] = f(x.data[i]!);
  return tensor(out, x.shape, { dtype: 'float64' });
}

/** cube(x) = x³ whose VJP grad·3x² is written with ops: differentiable. */
const cube = customOp({
  name: 'cube',
  forward: (x) => map(x, (v) => v ** 3),
  vjp: (grad, { inputs: [x] }) => [mul(grad, mul(mul(x!, x!), 3))],
});

/** The same op whose VJP computes 3x² with a loop: right first derivatives, but a constant to the tape. */
const cubeOpaque = customOp({
  name: 'cubeOpaque',
  forward: (x) => map(x, (v) => v ** 3),
  vjp: (grad, { inputs: [x] }) => [mul(grad, map(x!, (v) => 3 * v * v))],
});

describe('gradGradCheck', () => {
  const x = randn([2, 3], { seed: 0, dtype: 'float64' });
  const w = randn([3], { seed: 1, dtype: 'float64' });

  it('passes second derivatives of compositions of primitives', () => {
    expect(gradGradCheck((x, w) => mul(mul(x, x), w), [x, w])).toBe(true);
    expect(gradGradCheck((x, w) => sum(mul(add(x, w), mul(x, x))), [x, w])).toBe(true);
    expect(gradGradCheck((x) => [mul(x, x), sum(x, 1)], [x])).toBe(true);
    expect(gradGradCheck((x) => cube(x), [x], { fastMode: true })).toBe(true);
  });

  it('catches a VJP that is right but not differentiable, which gradCheck cannot see', () => {
    expect(gradCheck((x) => cubeOpaque(x), [x])).toBe(true);
    expect(() => gradGradCheck((x) => cubeOpaque(x), [x])).toThrow(GradCheckError);
    // d/dx (v·3x²) = 6xv numerically; the tape sees the loop's 3x² as a constant and gives 0
    expect(() => gradGradCheck((x) => cubeOpaque(x), [x])).toThrow(
      /^\[gradGradCheck\] input 0 \(shape \[2,3\]\), gradient w\.r\.t\. input 0 \(shape \[2,3\]\) element \[\d,\d\] \(flat \d\): worst at \[\d,\d\] \(flat \d\): numerical -?[\d.]+ vs analytical 0, max difference/,
    );
  });

  it('checks the derivative w.r.t. the output gradient v too', () => {
    // a VJP that scales grad with a loop: right values, but the tape cannot see that it depends on grad
    const double = customOp({ name: 'double', forward: (x) => map(x, (v) => 2 * v), vjp: (g) => [map(g, (v) => 2 * v)] });
    expect(gradCheck((x) => double(x), [x])).toBe(true);
    expect(() => gradGradCheck((x) => double(x), [x])).toThrow(
      /output gradient v0 \(shape \[2,3\]\), gradient w\.r\.t\. input 0 \(shape \[2,3\]\) element \[(\d,\d)\] \(flat (\d)\): worst at \[\1\] \(flat \2\): numerical 2 vs analytical 0, max difference 2 /,
    );
  });

  it('checks only inputs with requiresGrad when some have it, and rejects float32', () => {
    const xr = x.detach();
    xr.requiresGrad = true;
    expect(gradGradCheck((x, y) => mul(cube(x), cubeOpaque(y)), [xr, w.detach()])).toBe(true);
    expect(() => gradGradCheck((x) => mul(x, x), [tensor([1, 2])])).toThrow(DTypeError);
    expect(() => gradGradCheck((x) => mul(x, x), [tensor([1, 2])])).toThrow(/\[gradGradCheck\] inputs\[0\]: expected a float64 tensor/);
  });
});
