import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type Tensor,
  argmax,
  cast,
  getBackend,
  grad,
  listBackends,
  logSoftmax,
  matmul,
  max,
  maximum,
  minimum,
  relu,
  setBackend,
  sigmoid,
  softmax,
  sum,
  tanh,
  tensor,
} from '@tapegrad/core';
import { compare, refArray, refMatmul, refTranspose2d } from '../op-table/index.js';
import { Rng } from '@tapegrad/core';

/*
 * The behaviours the op table's random samples cannot pin down: exact values at the extremes, the
 * convention at non-differentiable points, tie rules, the int32 side of cast, the transposed matmul
 * kernels on every backend, and closed-form second derivatives.
 */

const f64 = (data: number[] | number[][], requiresGrad = false) => tensor(data, undefined, { dtype: 'float64', requiresGrad });
const values = (t: Tensor | null) => Array.from(t!.data);

describe('sigmoid at the extremes', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`is exactly 0 or 1 with gradient exactly 0 at ±1000 and ±1e30 (${dtype})`, () => {
      const x = tensor([-1e30, -1000, 1000, 1e30, 0], undefined, { dtype, requiresGrad: true });
      const y = sigmoid(x);
      expect(values(y)).toEqual([0, 0, 1, 1, 0.5]);
      sum(y).backward();
      expect(values(x.grad)).toEqual([0, 0, 0, 0, 0.25]);
    });
  }

  it('has finite second derivatives there too', () => {
    const x = f64([-1e30, -1000, 1000, 1e30], true);
    const d2 = grad((x) => sum(grad((x) => sum(sigmoid(x)), { argnums: 0 })(x)), { argnums: 0 })(x);
    expect(values(d2).map(Math.abs)).toEqual([0, 0, 0, 0]); // ±0
  });
});

describe('relu', () => {
  it("has relu'(0) = 0", () => {
    const x = f64([-1, 0, 2], true);
    sum(relu(x)).backward();
    expect(values(x.grad)).toEqual([0, 0, 1]);
  });

  it('has a zero second derivative', () => {
    const x = f64([-1, 0.5, 2], true);
    const d2 = grad((x) => sum(grad((x) => sum(relu(x)), { argnums: 0 })(x)), { argnums: 0 })(x);
    expect(values(d2)).toEqual([0, 0, 0]);
  });
});

describe('closed-form second derivatives', () => {
  const xs = [-2, -0.5, 0, 0.7, 3];
  it("tanh'' = −2·tanh·(1 − tanh²)", () => {
    const d2 = grad((x) => sum(grad((x) => sum(tanh(x)), { argnums: 0 })(x)), { argnums: 0 })(f64(xs, true));
    const expected = xs.map((v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2));
    expect(compare(refArray(d2.data, d2.shape), refArray(expected, [xs.length]), { atol: 1e-14, rtol: 1e-12 })).toBeNull();
  });

  it("sigmoid'' = s·(1 − s)·(1 − 2s)", () => {
    const d2 = grad((x) => sum(grad((x) => sum(sigmoid(x)), { argnums: 0 })(x)), { argnums: 0 })(f64(xs, true));
    const s = xs.map((v) => 1 / (1 + Math.exp(-v)));
    const expected = s.map((v) => v * (1 - v) * (1 - 2 * v));
    expect(compare(refArray(d2.data, d2.shape), refArray(expected, [xs.length]), { atol: 1e-14, rtol: 1e-12 })).toBeNull();
  });
});

describe('max and argmax on ties', () => {
  it('sends the gradient to the first maximum of each row', () => {
    const x = f64([[1, 3, 3], [2, 2, 1]], true);
    sum(max(x, 1)).backward();
    expect(values(x.grad)).toEqual([0, 1, 0, 1, 0, 0]);
    expect(values(argmax(x.detach(), 1))).toEqual([1, 0]);
  });

  it('uses row-major order within a block of several axes', () => {
    // (2,2,2) reduced over axes [0,2]: for j=0 the block is x[0,0,:], x[1,0,:] = [5,1, 5,5] → first is x[0,0,0]
    const x = tensor([5, 1, 4, 9, 5, 5, 9, 2], [2, 2, 2], { dtype: 'float64', requiresGrad: true });
    const m = max(x, [0, 2]);
    expect(values(m)).toEqual([5, 9]);
    sum(m).backward();
    expect(values(x.grad)).toEqual([1, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('over all axes picks the first maximum in flat order', () => {
    const x = f64([[0, 7], [7, 7]], true);
    sum(max(x)).backward();
    expect(values(x.grad)).toEqual([0, 1, 0, 0]);
    expect(argmax(x.detach()).item()).toBe(1);
    expect(argmax(x.detach()).dtype).toBe('int32');
  });

  it('argmax is an int32 tensor outside the graph', () => {
    const x = f64([[1, 2], [4, 3]], true);
    const a = argmax(x, 1);
    expect(a.dtype).toBe('int32');
    expect(a.requiresGrad).toBe(false);
    expect(values(a)).toEqual([1, 0]);
    expect(a.shape).toEqual([2]);
    expect(argmax(x, 1, true).shape).toEqual([2, 1]);
  });
});

describe('maximum and minimum', () => {
  it('split the gradient equally on ties', () => {
    const a = f64([1, 2, 3], true);
    const b = f64([1, 5, 0], true);
    sum(maximum(a, b)).backward();
    expect(values(a.grad)).toEqual([0.5, 0, 1]);
    expect(values(b.grad)).toEqual([0.5, 1, 0]);
    const x = f64([-1, 0, 2], true);
    sum(minimum(x, 0)).backward();
    expect(values(x.grad)).toEqual([1, 0.5, 0]);
  });
});

describe('cast', () => {
  it('truncates toward zero when casting to int32', () => {
    const t = cast(tensor([2.7, -2.7, 0.5, -0.5, 3]), 'int32');
    expect(t.dtype).toBe('int32');
    expect(values(t)).toEqual([2, -2, 0, 0, 3]);
  });

  it('converts int32 labels to float exactly', () => {
    const t = tensor([0, 7, -3, 2147483647], undefined, { dtype: 'int32' }).to('float64');
    expect(t.dtype).toBe('float64');
    expect(values(t)).toEqual([0, 7, -3, 2147483647]);
  });

  it('returns the tensor itself for its own dtype', () => {
    const x = tensor([1, 2]);
    expect(cast(x, 'float32')).toBe(x);
  });

  it('carries the gradient back in the input dtype', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const y = x.to('float64');
    expect(y.dtype).toBe('float64');
    sum(y.mul(y)).backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(values(x.grad)).toEqual([2, 4, 6]);
  });

  it('gives an int32 result no gradient', () => {
    const x = tensor([1.5, 2.5], undefined, { requiresGrad: true });
    expect(cast(x, 'int32').requiresGrad).toBe(false);
  });
});

describe('softmax composites', () => {
  it('softmax rows sum to 1 and logSoftmax stays finite at ±1000', () => {
    const x = f64([[1000, -1000, 0], [-1000, -1000, -1000]], true);
    const p = softmax(x);
    const rows = values(sum(p, 1));
    rows.forEach((v) => expect(v).toBeCloseTo(1, 14));
    const lp = logSoftmax(x);
    expect(values(lp).every(Number.isFinite)).toBe(true);
    expect(values(lp)[1]).toBeCloseTo(-2000, 10);
    sum(lp).backward();
    expect(values(x.grad).every(Number.isFinite)).toBe(true);
  });
});

describe('matmul kernels with transpose flags, on every backend', () => {
  const initial = getBackend();
  afterEach(() => setBackend(initial));

  function random(rows: number, cols: number, seed: number): { data: Float64Array; shape: number[] } {
    const rng = new Rng(seed);
    return { data: Float64Array.from({ length: rows * cols }, () => rng.next() * 4 - 2), shape: [rows, cols] };
  }

  // sizes that are not multiples of any block or vector width, plus degenerate ones
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 2],
    [37, 53, 29],
    [64, 16, 70],
    [2, 0, 3],
  ];
  for (const backend of listBackends()) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [m, k, n] of sizes) {
        for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
          it(`${backend} ${dtype} (${m},${k},${n}) transA=${transA} transB=${transB}`, () => {
            setBackend(backend);
            const a = random(m, k, m * 1000 + k);
            const b = random(k, n, n * 1000 + k + 7);
            const expected = refMatmul(a, b);
            // store the operands transposed where the flag says so
            const aStored = transA ? refTranspose2d(a) : a;
            const bStored = transB ? refTranspose2d(b) : b;
            const make = dtype === 'float32' ? Float32Array : Float64Array;
            const out = new make(m * n);
            getBackend().matmul(make.from(aStored.data), make.from(bStored.data), out, m, k, n, transA, transB);
            const tol = dtype === 'float32' ? { atol: 1e-4, rtol: 1e-4 } : { atol: 1e-12, rtol: 1e-12 };
            expect(compare(refArray(out, [m, n]), expected, tol)).toBeNull();
          });
        }
      }
    }
  }

  it('matmul gradients (and gradients of gradients) never materialize a transpose', () => {
    const permute = vi.spyOn(getBackend(), 'permute');
    try {
      const a = tensor([[1, 2, 3], [4, 5, 6]], undefined, { dtype: 'float64', requiresGrad: true });
      const b = tensor([[1, 0], [0, 1], [1, 1]], undefined, { dtype: 'float64', requiresGrad: true });
      const [ga] = grad((a, b) => sum(matmul(a, b)))(a, b);
      const [gaa] = grad((a, b) => sum(matmul(grad((a, b) => sum(matmul(a, b)))(a, b)[0]!, b)))(a, b);
      expect(values(ga!)).toEqual([1, 1, 2, 1, 1, 2]); // row sums of b
      expect(gaa!.shape).toEqual([2, 3]);
      expect(permute).not.toHaveBeenCalled();
    } finally {
      permute.mockRestore();
    }
  });
});
