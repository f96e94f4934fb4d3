import { describe, expect, it } from 'vitest';
import { AnomalyError, type Tensor, customOp, detectAnomaly, log, mul, sqrt, sum, tensor } from '@tapegrad/core';

const f64 = (data: number[], requiresGrad = false) => tensor(data, undefined, { dtype: 'float64', requiresGrad });

/** √x with its own loop kernel; its VJP grad·½/√x is infinite at 0. */
const mySqrt = customOp({
  name: 'mySqrt',
  forward: (x) => tensor(Float64Array.from(x.data, Math.sqrt), x.shape, { dtype: 'float64' }),
  vjp: (grad, { inputs: [x] }) => [mul(grad, tensor(Float64Array.from(x!.data, (v) => 0.5 / Math.sqrt(v)), x!.shape, { dtype: 'float64' }))],
});

function caught(fn: () => unknown): AnomalyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AnomalyError);
    return e as AnomalyError;
  }
  throw new Error('expected an AnomalyError');
}

function overflowingModel(x: Tensor): Tensor {
  const big = mul(x, 1e300);
  return mul(big, big); // 1e600: Infinity
}

describe('detectAnomaly', () => {
  it('names the first op whose forward output is not finite, with the call site in the user code', () => {
    const x = f64([1, 2, 0.5]);
    const e = caught(() => detectAnomaly(() => sum(overflowingModel(x))));
    expect(e.op).toBe('mul');
    expect(e.message).toMatch(/^\[mul\] forward: expected finite values, got 3 non-finite values, the first Infinity at \[0\] \(flat 0\), of the output \(shape \[3\]\)/);
    const where = e.message.split('called at:')[1]!;
    expect(where).toMatch(/overflowingModel .*anomaly\.test\.ts:\d+:\d+/); // the user's function and line
    expect(where).not.toMatch(/packages\/core\/src/); // no tapegrad frames
  });

  it('reports NaN in a backward gradient by op and input index, with where the op was created', () => {
    const x = f64([4, 0, 9], true);
    const e = caught(() =>
      detectAnomaly(() => {
        const y = mySqrt(x); // the line the report points to
        sum(y).backward();
      }),
    );
    expect(e.op).toBe('mySqrt'); // not the mul inside its VJP
    expect(e.message).toMatch(/^\[mySqrt\] backward: expected finite gradients, got 1 non-finite value, the first Infinity at \[1\] \(flat 1\), of the gradient of input 0 \(shape \[3\]\)\n {2}mySqrt was created at:\n/);
    expect(e.message).toMatch(/anomaly\.test\.ts:\d+:\d+/);
    expect(e.message).not.toMatch(/packages\/core\/src/);
  });

  it('works with the built-in ops: log(0) forward, sqrt at 0 backward', () => {
    const x = f64([1, 0, 2], true);
    const forward = caught(() => detectAnomaly(() => sum(log(x))));
    expect(forward.message).toMatch(/^\[log\] forward: expected finite values, got 1 non-finite value, the first -Infinity at \[1\] \(flat 1\)/);
    const backward = caught(() => detectAnomaly(() => sum(sqrt(x)).backward()));
    expect(backward.message).toMatch(/^\[sqrt\] backward: expected finite gradients, got 1 non-finite value, the first Infinity at \[1\] \(flat 1\), of the gradient of input 0 \(shape \[3\]\)\n {2}sqrt was created at:\n\s+at .*anomaly\.test\.ts:\d+:\d+/);
    expect(x.grad).toBeNull(); // the backward stopped before accumulating anything
  });

  it('says when the node was recorded outside detectAnomaly', () => {
    const x = f64([0], true);
    const y = sum(mySqrt(x));
    expect(caught(() => detectAnomaly(() => y.backward())).message).toMatch(/recorded outside detectAnomaly/);
  });

  it('reports any non-finite output, also from non-finite inputs', () => {
    const x = f64([1, Number.NaN]);
    expect(caught(() => detectAnomaly(() => mul(x, 2))).message).toMatch(/^\[mul\] forward: .*got 1 non-finite value, the first NaN at \[1\]/);
  });

  it('returns the result and checks nothing outside, where NaN propagates silently', () => {
    const x = f64([0, 1], true);
    expect(detectAnomaly(() => sum(mul(x, 2)).item())).toBe(2);
    const y = overflowingModel(x); // no error outside detectAnomaly
    expect(y.data[1]).toBe(Infinity);
    sum(mySqrt(x)).backward();
    expect(x.grad!.data[0]).toBe(Infinity);
  });

  it('turns the checks off again when fn throws, and after an async fn settles', async () => {
    expect(() => detectAnomaly(() => { throw new RangeError('boom'); })).toThrow(RangeError);
    expect(() => overflowingModel(f64([1]))).not.toThrow();
    const pending = detectAnomaly(async () => {
      await Promise.resolve();
      overflowingModel(f64([1]));
    });
    await expect(pending).rejects.toBeInstanceOf(AnomalyError);
    expect(() => overflowingModel(f64([1]))).not.toThrow();
  });
});
