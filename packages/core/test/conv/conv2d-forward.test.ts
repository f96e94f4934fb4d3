import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AnomalyError,
  type Backend,
  type Tensor,
  conv2d,
  detectAnomaly,
  enableGrad,
  getBackend,
  listBackends,
  noGrad,
  referenceBackend,
  setBackend,
  tensor,
} from '@tapegrad/core';
import { setUninitializedPoison } from '../../src/dtype.js';
import { threadedBackend, workersJoin } from '../backend-wasm/helpers.js';
import { type ConvCase, expectClose, side, uniform } from './arbitraries.js';
import { naiveConv2d } from './naive.js';

/*
 * conv2d without a recorded gradient runs the backend's conv2dForward kernel; with one it is the
 * im2col + matmul composite. Both must give the same values on every backend, for every geometry.
 * The composite is forced by giving x requiresGrad; the kernel path by noGrad or plain inputs.
 */

const initial = getBackend().name;
afterEach(() => setBackend(initial));

type DT = 'float32' | 'float64';
const TOL: Record<DT, [number, number]> = { float32: [1e-5, 1e-4], float64: [1e-12, 1e-12] }; // [atol, rtol]

const ODD = [1, 3, 7, 17, 33];

/** Geometries with a non-empty output: odd channel/filter counts and sizes, strides 1–3, pads 0–2. */
const caseArb: fc.Arbitrary<ConvCase> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    c: fc.constantFrom(...ODD),
    fn: fc.constantFrom(...ODD),
    kh: fc.integer({ min: 1, max: 5 }),
    kw: fc.integer({ min: 1, max: 5 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 2 }),
    pw: fc.integer({ min: 0, max: 2 }),
    slackH: fc.constantFrom(0, 1, 2, 6, 16, 32),
    slackW: fc.constantFrom(0, 1, 2, 6, 16, 32),
    bias: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .map(({ slackH, slackW, ...g }) => ({ ...g, h: side(g.kh, g.ph, slackH), w: side(g.kw, g.pw, slackW) }));

function make(g: ConvCase, dtype: DT, requiresGrad = false): { x: Tensor; w: Tensor; b: Tensor | null; xv: Float64Array; wv: Float64Array; bv: Float64Array | null } {
  const xv = uniform(g.n * g.c * g.h * g.w, g.seed);
  const wv = uniform(g.fn * g.c * g.kh * g.kw, g.seed + 1);
  const bv = g.bias ? uniform(g.fn, g.seed + 2) : null;
  return {
    x: tensor(xv, [g.n, g.c, g.h, g.w], { dtype, requiresGrad }),
    w: tensor(wv, [g.fn, g.c, g.kh, g.kw], { dtype }),
    b: bv && tensor(bv, [g.fn], { dtype }),
    xv,
    wv,
    bv,
  };
}

const opts = (g: ConvCase) => ({ stride: [g.sh, g.sw] as [number, number], pad: [g.ph, g.pw] as [number, number] });

/** Counts calls of the active backend's conv2dForward while `fn` runs. */
function countKernel<T>(fn: () => T): [T, number] {
  const backend = getBackend() as Backend & { conv2dForward: Backend['conv2dForward'] };
  const original = backend.conv2dForward;
  let calls = 0;
  backend.conv2dForward = (...args) => {
    calls++;
    return original.apply(backend, args);
  };
  try {
    return [fn(), calls];
  } finally {
    backend.conv2dForward = original;
  }
}

/** The kernel path (noGrad) and the composite (x requires grad) on the same inputs; returns both outputs. */
function bothPaths(g: ConvCase, dtype: DT): { fast: Tensor; composite: Tensor; calls: number } {
  const plain = make(g, dtype);
  const [fast, calls] = countKernel(() => noGrad(() => conv2d(plain.x, plain.w, plain.b, opts(g))));
  const tracked = make(g, dtype, true);
  const composite = conv2d(tracked.x, tracked.w, tracked.b, opts(g));
  return { fast, composite, calls };
}

for (const backend of listBackends()) {
  describe(`conv2d without gradient = the composite (${backend} backend)`, () => {
    for (const dtype of ['float32', 'float64'] as DT[]) {
      it(`fast-check over odd shapes, strides, pads, bias (${dtype})`, () => {
        setBackend(backend);
        fc.assert(
          fc.property(caseArb, (g) => {
            const { fast, composite, calls } = bothPaths(g, dtype);
            expect(calls).toBe(1);
            expect(fast.isLeaf && !fast.requiresGrad).toBe(true);
            expect(composite.requiresGrad && !composite.isLeaf).toBe(true);
            expect(fast.shape).toEqual(composite.shape);
            expect(fast.dtype).toBe(dtype);
            const [atol, rtol] = TOL[dtype];
            expectClose(fast.data, composite.data, atol, rtol);
          }),
          { seed: 42 + (dtype === 'float32' ? 0 : 1), numRuns: 40 },
        );
      });
    }

    it('large cases: several row blocks per image, an output row larger than a unit, many rounds of images, >128 filters', () => {
      setBackend(backend);
      const cases: ConvCase[] = [
        // SimpleConvNet's layer on 64 images: several rounds of images, split across the pool
        { n: 64, c: 1, fn: 30, h: 28, w: 28, kh: 5, kw: 5, sh: 1, sw: 1, ph: 0, pw: 0, bias: true, seed: 1 },
        // 297 values per window (two k slabs), 40 windows a row: several blocks of output rows per image
        { n: 2, c: 33, fn: 17, h: 40, w: 39, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, bias: true, seed: 2 },
        // 825 values per window, 98 windows a row: one output row is more than a unit's worth
        { n: 1, c: 33, fn: 7, h: 9, w: 100, kh: 5, kw: 5, sh: 2, sw: 1, ph: 2, pw: 1, bias: false, seed: 3 },
        // stride 3, pad 2, 17 filters of 7×3 over non-square images, batch 1
        { n: 1, c: 3, fn: 17, h: 33, w: 17, kh: 7, kw: 3, sh: 3, sw: 2, ph: 2, pw: 0, bias: true, seed: 4 },
        // 131 filters: more than one block of packed filter rows
        { n: 2, c: 3, fn: 131, h: 12, w: 19, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, bias: true, seed: 5 },
      ];
      for (const g of cases) {
        for (const dtype of ['float32', 'float64'] as DT[]) {
          const { fast, composite, calls } = bothPaths(g, dtype);
          expect(calls).toBe(1);
          const [atol, rtol] = TOL[dtype];
          expectClose(fast.data, composite.data, atol, rtol);
        }
        const { xv, wv, bv } = make(g, 'float64');
        const { fast } = bothPaths(g, 'float64');
        expectClose(fast.data, naiveConv2d(xv, wv, bv, g.fn, g), 1e-12, 1e-12);
      }
    });

    it('writes every element of out and never reads it (zeroed and NaN-filled out give the same bits)', () => {
      const kernel = backend === 'reference' ? referenceBackend : getBackendNamed(backend);
      const g = { n: 3, c: 7, h: 13, w: 11, kh: 3, kw: 4, sh: 2, sw: 1, ph: 1, pw: 2, oh: 7, ow: 12 };
      const x = Float32Array.from(uniform(3 * 7 * 13 * 11, 5));
      const w = Float32Array.from(uniform(17 * 7 * 3 * 4, 6));
      const b = Float32Array.from(uniform(17, 7));
      for (const bias of [b, null]) {
        const zeroed = new Float32Array(3 * 17 * 7 * 12);
        const dirty = new Float32Array(zeroed.length).fill(Number.NaN);
        kernel.conv2dForward(x, w, bias, 17, g, zeroed);
        kernel.conv2dForward(x, w, bias, 17, g, dirty);
        expect(Array.from(new Uint32Array(dirty.buffer))).toEqual(Array.from(new Uint32Array(zeroed.buffer)));
      }
    });

    it('its output is allocated uninitialised: poisoned memory never shows through', () => {
      setBackend(backend);
      const g: ConvCase = { n: 3, c: 7, fn: 17, h: 30, w: 29, kh: 5, kw: 3, sh: 1, sw: 2, ph: 2, pw: 1, bias: true, seed: 8 };
      for (const dtype of ['float32', 'float64'] as DT[]) {
        const p = make(g, dtype);
        const clean = noGrad(() => conv2d(p.x, p.w, p.b, opts(g)));
        try {
          for (const poison of [Number.NaN, 12345.5]) {
            setUninitializedPoison(poison);
            const dirty = noGrad(() => conv2d(p.x, p.w, p.b, opts(g)));
            expect(Array.from(dirty.data)).toEqual(Array.from(clean.data));
          }
        } finally {
          setUninitializedPoison(null);
        }
      }
    });

    it('no input channels: every output cell is its filter bias', () => {
      setBackend(backend);
      const out = noGrad(() => conv2d(tensor(new Float32Array(0), [2, 0, 4, 4]), tensor(new Float32Array(0), [3, 0, 2, 2]), tensor([1, 2, 3], [3]), { pad: 1 }));
      expect(out.shape).toEqual([2, 3, 5, 5]);
      for (let i = 0; i < out.size; i++) expect(out.data[i]).toBe(1 + (Math.floor(i / 25) % 3));
    });
  });
}

/** The registered backend of that name (restoring the active one afterwards). */
function getBackendNamed(name: string): Backend {
  const before = getBackend().name;
  setBackend(name);
  const b = getBackend();
  setBackend(before);
  return b;
}

describe('which path runs', () => {
  const g: ConvCase = { n: 2, c: 3, fn: 4, h: 8, w: 7, kh: 3, kw: 3, sh: 1, sw: 2, ph: 1, pw: 0, bias: true, seed: 9 };

  it('the kernel when grad mode is off or no input requires grad; nothing is recorded', () => {
    const t = make(g, 'float32', true);
    const [a, callsA] = countKernel(() => noGrad(() => conv2d(t.x, t.w, t.b, opts(g))));
    expect(callsA).toBe(1);
    expect(a.isLeaf && !a.requiresGrad).toBe(true);
    const p = make(g, 'float32');
    const [b, callsB] = countKernel(() => conv2d(p.x, p.w, p.b, opts(g)));
    expect(callsB).toBe(1);
    expect(b.isLeaf && !b.requiresGrad).toBe(true);
  });

  it('the composite (with its gradient) when any of x, w, b requires grad and grad mode is on', () => {
    for (const which of ['x', 'w', 'b'] as const) {
      const p = make(g, 'float64');
      const leaf = p[which]!;
      leaf.requiresGrad = true;
      const [y, calls] = countKernel(() => noGrad(() => enableGrad(() => conv2d(p.x, p.w, p.b, opts(g)))));
      expect(calls).toBe(0);
      expect(y.requiresGrad).toBe(true);
      y.backward(tensor(new Float64Array(y.size).fill(1), y.shape, { dtype: 'float64' }));
      expect(leaf.grad?.shape).toEqual(leaf.shape);
      if (which === 'b') {
        // d(Σ y)/d b[f] = OH·OW·N
        for (let f = 0; f < g.fn; f++) expect(leaf.grad!.data[f]).toBeCloseTo(y.shape[2]! * y.shape[3]! * g.n, 10);
      }
    }
  });

  it('detectAnomaly still reports a non-finite output of the kernel path, naming conv2d', () => {
    const p = make(g, 'float32');
    p.x.data[5] = Number.POSITIVE_INFINITY;
    expect(() => detectAnomaly(() => noGrad(() => conv2d(p.x, p.w, p.b, opts(g))))).toThrow(AnomalyError);
    expect(() => detectAnomaly(() => noGrad(() => conv2d(p.x, p.w, p.b, opts(g))))).toThrow(/^\[conv2d\] forward/);
  });
});

describe('wasm conv2dForward split across worker threads', () => {
  it('matches the reference kernel, and workers take chunks', async () => {
    const wasm = await threadedBackend();
    const geometries = [
      { n: 40, c: 1, fn: 30, h: 28, w: 28, kh: 5, kw: 5, sh: 1, sw: 1, ph: 0, pw: 0 },
      { n: 5, c: 17, fn: 33, h: 21, w: 19, kh: 3, kw: 5, sh: 1, sw: 2, ph: 1, pw: 2 },
      { n: 1, c: 3, fn: 7, h: 130, w: 97, kh: 7, kw: 7, sh: 2, sw: 3, ph: 2, pw: 1 },
    ];
    for (const [i, geo] of geometries.entries()) {
      const oh = Math.floor((geo.h + 2 * geo.ph - geo.kh) / geo.sh) + 1;
      const ow = Math.floor((geo.w + 2 * geo.pw - geo.kw) / geo.sw) + 1;
      const g = { ...geo, oh, ow };
      const x = Float32Array.from(uniform(g.n * g.c * g.h * g.w, 20 + i));
      const w = Float32Array.from(uniform(g.fn * g.c * g.kh * g.kw, 30 + i));
      const b = Float32Array.from(uniform(g.fn, 40 + i));
      const expected = new Float32Array(g.n * g.fn * oh * ow);
      referenceBackend.conv2dForward(x, w, b, g.fn, g, expected);
      const joined = workersJoin(wasm, () => {
        const out = new Float32Array(expected.length).fill(Number.NaN);
        wasm.conv2dForward(x, w, b, g.fn, g, out);
        expectClose(out, expected, 1e-5, 1e-4);
      });
      expect(joined).toBe(true);
    }
  });
});
