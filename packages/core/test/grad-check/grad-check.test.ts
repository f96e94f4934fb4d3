import { describe, expect, it } from 'vitest';
import {
  DTypeError,
  GradCheckError,
  type Tensor,
  ValueError,
  add,
  gradCheck,
  mul,
  noGrad,
  numericalGradient,
  randn,
  record,
  reshape,
  sum,
  tensor,
} from '@tapegrad/core';

const f64 = (data: number[], shape?: number[], requiresGrad = false) => tensor(data, shape, { dtype: 'float64', requiresGrad });

/** x·x with a VJP that forgets the factor 2 (a deliberately wrong primitive, for the checker to catch). */
function badSquare(x: Tensor): Tensor {
  const out = noGrad(() => mul(x, x));
  return record('badSquare', [x], out, (grad) => [mul(grad, x)]);
}

/** The identity with a VJP that gives no gradient at all. */
function noGradient(x: Tensor): Tensor {
  const out = noGrad(() => add(x, 0));
  return record('noGradient', [x], out, () => [null]);
}

describe('gradCheck', () => {
  it('passes correct gradients of scalar and non-scalar outputs with broadcasting', () => {
    const x = randn([3, 4], { seed: 0, dtype: 'float64' });
    const w = randn([4], { seed: 1, dtype: 'float64' });
    expect(gradCheck((x, w) => sum(mul(x, w)), [x, w])).toBe(true);
    expect(gradCheck((x, w) => mul(add(x, w), x), [x, w])).toBe(true); // (3,4) output: full Jacobian
    expect(gradCheck((x) => reshape(sum(x, 1, true), [3]), [x])).toBe(true);
  });

  it('handles outputs that are an input itself or a view sharing its data', () => {
    const x = randn([2, 2], { seed: 5, dtype: 'float64' });
    expect(gradCheck((x) => x, [x])).toBe(true);
    expect(gradCheck((x) => reshape(x, [-1]), [x])).toBe(true);
  });

  it('accepts functions returning several outputs', () => {
    const x = randn([2, 3], { seed: 2, dtype: 'float64' });
    expect(gradCheck((x) => [sum(x, 0), mul(x, x)], [x])).toBe(true);
  });

  it('names input, output, worst index, numerical vs analytical values and the difference', () => {
    const a = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = f64([0.5, -1, 2, 1.5, 3, -2, 0.25, 1, -0.5, 2, 1, -1], [3, 4]);
    // d/db Σ (a·1 + badSquare(b)): right gradient 2b, the bad VJP gives b; worst where |b| is largest: b[1,0] = 3
    const fn = (a: Tensor, b: Tensor) => add(sum(a), sum(badSquare(b)));
    let message = '';
    try {
      gradCheck(fn, [a, b]);
    } catch (e) {
      expect(e).toBeInstanceOf(GradCheckError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/^\[gradCheck\] input 1 \(shape \[3,4\]\), output 0 \(shape \[\]\): worst at \[1,0\] \(flat 4\): numerical 6 vs analytical 3, max difference 3 \(atol 1e-5, rtol 1e-3\)$/);
  });

  it('names the output element of a non-scalar output', () => {
    const x = f64([1, 2, -4], [3]);
    expect(() => gradCheck((x) => badSquare(x), [x])).toThrow(
      /input 0 \(shape \[3\]\), output 0 \(shape \[3\]\) element \[2\] \(flat 2\): worst at \[2\] \(flat 2\): numerical -8 vs analytical -4, max difference 4/,
    );
  });

  it('catches a VJP that returns no gradient (analytical zeros)', () => {
    const x = f64([1, 2], [2]);
    expect(() => gradCheck((x) => sum(noGradient(x)), [x])).toThrow(/worst at \[0\] \(flat 0\): numerical 1 vs analytical 0/);
  });

  it('checks only inputs with requiresGrad when some have it, all float inputs otherwise', () => {
    const good = f64([1, 2], [2], true);
    const bad = f64([3, 4], [2]);
    const fn = (a: Tensor, b: Tensor) => sum(mul(a, badSquare(b)));
    expect(gradCheck(fn, [good, bad])).toBe(true); // b is not checked
    expect(() => gradCheck(fn, [good.detach(), bad])).toThrow(/input 1 \(shape \[2\]\)/);
  });

  it('passes int32 inputs through untouched and checks the float ones', () => {
    const x = f64([1, 2, 3], [3]);
    const k = tensor([2], undefined, { dtype: 'int32' });
    let seen: Tensor | undefined;
    gradCheck((x, k) => {
      seen = k;
      return sum(mul(x, x));
    }, [x, k]);
    expect(seen).toBe(k);
  });

  it('leaves the inputs, their data and their .grad unchanged', () => {
    const x = f64([1, 2, 3], [3], true);
    const y = f64([4, 5, 6], [3], true);
    const before = Array.from(x.data);
    gradCheck((x, y) => sum(mul(x, y)), [x, y]);
    gradCheck((x, y) => sum(mul(x, y)), [x, y], { fastMode: true });
    expect(x.grad).toBeNull();
    expect(y.grad).toBeNull();
    expect(Array.from(x.data)).toEqual(before);
    expect(x.isLeaf && x.requiresGrad).toBe(true);
  });

  it('rejects float32 inputs with a DTypeError suggesting float64', () => {
    const x = tensor([1, 2, 3]);
    expect(() => gradCheck((x) => sum(x), [x])).toThrow(DTypeError);
    expect(() => gradCheck((x) => sum(x), [x])).toThrow(/\[gradCheck\] inputs\[0\]: expected a float64 tensor .*dtype: 'float64'.*, got dtype float32/);
  });

  it('rejects bad options and functions that do not return float64 tensors', () => {
    const x = f64([1], [1]);
    expect(() => gradCheck((x) => sum(x), [x], { eps: 0 })).toThrow(ValueError);
    expect(() => gradCheck((x) => sum(x), [x], { atol: -1 })).toThrow(/atol: expected a non-negative finite number, got -1/);
    expect(() => gradCheck(() => 3 as unknown as Tensor, [x])).toThrow(/fn: expected a function returning a Tensor/);
    expect(() => gradCheck(() => tensor([1]), [x])).toThrow(/output 0: expected a float64 tensor/);
    expect(() => gradCheck((k) => sum(k), [tensor([1], undefined, { dtype: 'int32' })])).toThrow(/at least one float64 input/);
    expect(() => gradCheck(() => sum(x), [])).toThrow(/inputs: expected at least one float64 input to check, got no inputs/);
  });

  it('fastMode passes right gradients and catches a wrong one along a random direction', () => {
    const x = randn([20, 30], { seed: 3, dtype: 'float64' });
    const w = randn([30], { seed: 4, dtype: 'float64' });
    expect(gradCheck((x, w) => mul(x, w), [x, w], { fastMode: true })).toBe(true);
    expect(gradCheck((x, w) => sum(mul(x, w)), [x, w], { fastMode: true, seed: 7 })).toBe(true);
    expect(() => gradCheck((x, w) => sum(mul(badSquare(x), w)), [x, w], { fastMode: true })).toThrow(
      /input 0 \(shape \[20,30\]\), output 0 \(shape \[\]\): along a random direction \(fastMode, seed 0\): numerical vᵀJu -?[\d.e-]+ vs analytical \(vᵀJ\)·u -?[\d.e-]+, max difference/,
    );
  });

  it('fails on a NaN gradient', () => {
    const nanVjp = (x: Tensor) => record('nanVjp', [x], noGrad(() => add(x, 0)), (g) => [mul(g, Number.NaN)]);
    expect(() => gradCheck((x) => sum(nanVjp(x)), [f64([1], [1])])).toThrow(/analytical NaN, max difference Infinity/);
  });

  it('works inside noGrad', () => {
    const x = f64([1, 2], [2]);
    expect(noGrad(() => gradCheck((x) => sum(mul(x, x)), [x]))).toBe(true);
  });
});

describe('numericalGradient', () => {
  it('approximates the gradient of a scalar function and leaves inputs unchanged', () => {
    const x = f64([1, 2, 3], [3]);
    const g = numericalGradient((x) => sum(mul(x, x)), [x]);
    expect(g.shape).toEqual([3]);
    Array.from(g.data).forEach((v, i) => expect(v).toBeCloseTo(2 * (i + 1), 6));
    expect(Array.from(x.data)).toEqual([1, 2, 3]);
  });

  it('rejects non-scalar outputs', () => {
    expect(() => numericalGradient((x) => x, [f64([1, 2], [2])])).toThrow(/expected a function returning a one-element tensor, got an output of shape \[2\]/);
  });
});
