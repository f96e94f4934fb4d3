import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Tensor, ValueError, avgPool2d, conv2d, maxPool2d, tensor } from '@tapegrad/core';
import { convParamsArb, poolParamsArb, shapeArb, tensorArb } from '@tapegrad/core/testing';

const run = { seed: 42, numRuns: 100 };

describe('shapeArb', () => {
  it('gives shapes within the rank and dimension bounds, scalars included by default', () => {
    const seenRanks = new Set<number>();
    fc.assert(
      fc.property(shapeArb({ minRank: 0, maxRank: 3, maxDim: 4 }), (shape) => {
        seenRanks.add(shape.length);
        expect(shape.length).toBeLessThanOrEqual(3);
        for (const d of shape) expect(d >= 1 && d <= 4 && Number.isInteger(d)).toBe(true);
      }),
      run,
    );
    expect([...seenRanks].sort()).toEqual([0, 1, 2, 3]);
    fc.assert(fc.property(shapeArb({ minRank: 2, maxRank: 2, minDim: 3, maxDim: 3 }), (s) => {
      expect(s).toEqual([3, 3]);
    }), run);
  });

  it('rejects bad bounds', () => {
    expect(() => shapeArb({ minRank: 3, maxRank: 1 })).toThrow(ValueError);
    expect(() => shapeArb({ maxDim: 1.5 })).toThrow(/\[shapeArb\] maxDim: expected an integer ≥ 0, got 1\.5/);
  });
});

describe('tensorArb', () => {
  it('gives float64 tensors of the given shape with values in [-2, 2] by default', () => {
    fc.assert(
      fc.property(tensorArb({ shape: [2, 3] }), (t) => {
        expect(t.dtype).toBe('float64');
        expect(t.shape).toEqual([2, 3]);
        expect(t.requiresGrad).toBe(false);
        for (const v of t.data) expect(v >= -2 && v <= 2).toBe(true);
      }),
      run,
    );
  });

  it('draws shapes from shapeArb and respects each domain', () => {
    const inRange = (domain: 'positive' | 'unit' | 'nonzero', ok: (v: number) => boolean) =>
      fc.assert(fc.property(tensorArb({ shapeArb: shapeArb({ maxRank: 2 }), domain }), (t) => t.data.every(ok)), run);
    inRange('positive', (v) => v >= 0.5 && v <= 3);
    inRange('unit', (v) => v >= 0 && v <= 1);
    inRange('nonzero', (v) => Math.abs(v) >= 0.5 && Math.abs(v) <= 2);
    fc.assert(
      fc.property(tensorArb({ shape: [4, 5], domain: 'distinct', min: -1, max: 1 }), (t) => {
        const sorted = Array.from(t.data).sort((a, b) => a - b);
        for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(2 / 20 / 2 - 1e-12);
        expect(sorted[0]).toBeGreaterThanOrEqual(-1);
        expect(sorted[19]).toBeLessThanOrEqual(1);
      }),
      run,
    );
  });

  it('gives int32 integers in [min, max], float32 and requiresGrad on request', () => {
    fc.assert(
      fc.property(tensorArb({ shape: [6], dtype: 'int32', min: 0, max: 4 }), (t) => {
        expect(t.dtype).toBe('int32');
        for (const v of t.data) expect(Number.isInteger(v) && v >= 0 && v <= 4).toBe(true);
      }),
      run,
    );
    fc.assert(fc.property(tensorArb({ shape: [2], dtype: 'float32', requiresGrad: true }), (t) => t.dtype === 'float32' && t.requiresGrad), run);
  });

  it('prints a tensor as the call that rebuilds it', () => {
    const [t] = fc.sample(tensorArb({ shape: [2, 2] }), { seed: 1, numRuns: 1 });
    const printed = fc.stringify(t);
    expect(printed).toMatch(/^tensor\(\[[-\d., e]+\], \[2,2\], \{ dtype: 'float64' \}\)$/);
    const values = JSON.parse(printed.slice('tensor('.length, printed.indexOf(']') + 1)) as number[];
    expect(values).toEqual(Array.from(t!.data));
  });

  it('rejects an unknown domain and inverted bounds', () => {
    expect(() => tensorArb({ domain: 'huge' as never })).toThrow(/\[tensorArb\] domain: expected one of any, positive/);
    expect(() => tensorArb({ min: 2, max: 1 })).toThrow(ValueError);
  });
});

describe('convParamsArb', () => {
  it('gives consistent shapes that conv2d accepts, with the promised output shape', () => {
    const seen = { stride3: false, pad2: false, nonSquare: false, kernelAsLargeAsPaddedInput: false, batch2: false };
    fc.assert(
      fc.property(convParamsArb(), (p) => {
        const x = tensor(new Float64Array(p.xShape.reduce((a, b) => a * b)), p.xShape);
        const w = tensor(new Float64Array(p.wShape.reduce((a, b) => a * b)), p.wShape);
        const b = tensor(new Float64Array(p.bShape[0]), p.bShape);
        expect(conv2d(x, w, b, { stride: p.stride, pad: p.pad }).shape).toEqual(p.outShape);
        expect(p.wShape[1]).toBe(p.xShape[1]);
        if (p.stride.includes(3)) seen.stride3 = true;
        if (p.pad.includes(2)) seen.pad2 = true;
        if (p.xShape[2] !== p.xShape[3] || p.wShape[2] !== p.wShape[3] || p.stride[0] !== p.stride[1] || p.pad[0] !== p.pad[1]) seen.nonSquare = true;
        if (p.wShape[2] === p.xShape[2] + 2 * p.pad[0]) seen.kernelAsLargeAsPaddedInput = true;
        if (p.xShape[0] === 2) seen.batch2 = true;
      }),
      { seed: 42, numRuns: 300 },
    );
    expect(seen).toEqual({ stride3: true, pad2: true, nonSquare: true, kernelAsLargeAsPaddedInput: true, batch2: true });
  });

  it('square: equal height and width everywhere', () => {
    fc.assert(
      fc.property(convParamsArb({ square: true, maxKernel: 5 }), (p) => {
        expect(p.xShape[2]).toBe(p.xShape[3]);
        expect(p.wShape[2]).toBe(p.wShape[3]);
        expect(p.stride[0]).toBe(p.stride[1]);
        expect(p.pad[0]).toBe(p.pad[1]);
        expect(p.outShape[2]).toBeGreaterThanOrEqual(1);
      }),
      run,
    );
    expect(() => convParamsArb({ maxStride: 0 })).toThrow(/\[convParamsArb\] maxStride: expected an integer ≥ 1, got 0/);
  });
});

describe('poolParamsArb', () => {
  it('gives parameters both pools accept, pad at most half the kernel, with the promised output shape', () => {
    let sawPad = false;
    fc.assert(
      fc.property(poolParamsArb({ maxKernel: 4 }), (p) => {
        const x: Tensor = tensor(new Float64Array(p.xShape.reduce((a, b) => a * b)), p.xShape);
        expect(maxPool2d(x, p).shape).toEqual(p.outShape);
        expect(avgPool2d(x, { ...p, countIncludePad: false }).shape).toEqual(p.outShape);
        expect(2 * p.pad[0]).toBeLessThanOrEqual(p.kernel[0]);
        expect(2 * p.pad[1]).toBeLessThanOrEqual(p.kernel[1]);
        if (p.pad.includes(2)) sawPad = true;
      }),
      { seed: 42, numRuns: 300 },
    );
    expect(sawPad).toBe(true);
  });
});
