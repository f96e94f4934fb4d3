import { afterEach, describe, expect, it } from 'vitest';
import { type WindowGeometry, getBackend, listBackends, setBackend, tensor } from '@tapegrad/core';
import { UNINITIALIZED_MIN_BYTES, allocateUninitialized, setUninitializedPoison } from '../../src/dtype.js';
import { buildInputs, opTable, toTensor, type FloatDType } from '../op-table/index.js';

/*
 * Ops allocate the outputs of overwriting kernels without zero-filling them (allocateUninitialized). Two
 * checks that no stale value can come out:
 * - ops: every op-table row, forward and backward, on every backend and float dtype, runs once normally
 *   and once with every uninitialised allocation (of any size) poisoned with NaN, then with a finite
 *   value; outputs and gradients must be identical;
 * - kernels: each kernel an op hands an uninitialised output to (besides binary, unary, matmul and
 *   permute, covered by kernel-overwrite.test.ts) runs into a zeroed and into a NaN/1e30-filled output
 *   through the backend; the results must be the same bits.
 */

const initial = getBackend().name;
afterEach(() => {
  setUninitializedPoison(null);
  setBackend(initial);
});

const same = (a: number, b: number) => a === b || (a !== a && b !== b);

/** Forward output and input gradients (for a fixed upstream gradient) of one sample. */
function runSample(r: (typeof opTable)[number], sample: (typeof opTable)[number]['samples'][number], dtype: FloatDType): number[][] {
  const refs = buildInputs(r.op, sample);
  const inputs = refs.map((x, i) => toTensor(x, dtype, r.gradCheck !== false && sample.inputs[i]!.differentiable !== false));
  const out = r.run(inputs, sample.attrs);
  const results = [Array.from(out.data)];
  if (out.requiresGrad) {
    const seed = Array.from({ length: out.size }, (_, i) => Math.cos(i * 0.37) + 0.25);
    out.backward(tensor(seed, out.shape, { dtype: out.dtype }));
    for (const t of inputs) if (t.requiresGrad) results.push(t.grad ? Array.from(t.grad.data) : []);
  }
  return results;
}

describe('ops never return an element their kernel did not write (poisoned uninitialised memory)', () => {
  for (const backend of listBackends()) {
    it(`every op-table row, forward and backward (${backend})`, () => {
      setBackend(backend);
      let checked = 0;
      for (const r of opTable) {
        for (const sample of r.samples) {
          for (const dtype of ['float32', 'float64'] as FloatDType[]) {
            setUninitializedPoison(null);
            const clean = runSample(r, sample, dtype);
            for (const poison of [Number.NaN, 12345.5]) {
              setUninitializedPoison(poison);
              const dirty = runSample(r, sample, dtype);
              const where = `${r.op}: ${sample.label} (${dtype}, poison ${poison})`;
              expect(dirty.length, where).toBe(clean.length);
              dirty.forEach((arr, k) => {
                const bad = arr.findIndex((v, i) => !same(v, clean[k]![i]!));
                expect(bad, `${where}: array ${k} (0 = output, then gradients) differs at ${bad}`).toBe(-1);
              });
              checked++;
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(100);
    });
  }

  it('poisoning reaches the allocator, and the threshold keeps small arrays zeroed', () => {
    setUninitializedPoison(Number.NaN);
    expect(Number.isNaN(allocateUninitialized('float32', 3)[0]!)).toBe(true);
    expect(allocateUninitialized('int32', 3)[2]).toBe(-0x80000000);
    setUninitializedPoison(null);
    expect(Array.from(allocateUninitialized('float64', 4))).toEqual([0, 0, 0, 0]);
    const big = allocateUninitialized('float32', UNINITIALIZED_MIN_BYTES / 4 + 3);
    expect(big).toBeInstanceOf(Float32Array);
    expect(big.length).toBe(UNINITIALIZED_MIN_BYTES / 4 + 3);
    expect(big.buffer.byteLength).toBe(big.byteLength); // its own buffer, not a slice of a shared pool
  });
});

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 3);
}

/** Runs `kernel` into zeroed and into garbage-filled arrays; returns the first index where bits differ, or -1. */
function firstDifference(make: () => (Float32Array | Int32Array)[], kernel: (outs: (Float32Array | Int32Array)[]) => void): number {
  const zeroed = make();
  kernel(zeroed);
  const dirty = make();
  for (const a of dirty) for (let i = 0; i < a.length; i++) a[i] = a instanceof Int32Array ? -12345 : i % 2 === 0 ? Number.NaN : 1e30;
  kernel(dirty);
  let offset = 0;
  for (let k = 0; k < zeroed.length; k++) {
    const z = zeroed[k]!;
    const d = dirty[k]!;
    const bits = (a: Float32Array | Int32Array) => (a instanceof Int32Array ? a : new Uint32Array(a.buffer, a.byteOffset, a.length));
    const [x, y] = [bits(d), bits(z)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return offset + i;
    offset += z.length;
  }
  return -1;
}

function geometry(n: number, c: number, h: number, w: number, k: number, s: number, p: number): WindowGeometry {
  return { n, c, h, w, kh: k, kw: k, sh: s, sw: s, ph: p, pw: p, oh: Math.floor((h + 2 * p - k) / s) + 1, ow: Math.floor((w + 2 * p - k) / s) + 1 };
}

describe('kernels given uninitialised outputs write every element', () => {
  for (const backend of listBackends()) {
    const fast = backend !== 'reference';

    it(`reduceSum over axis patterns (${backend})`, () => {
      setBackend(backend);
      const cases: [number[], number[]][] = [
        [[7], [0]],
        [[3, 5], [1]],
        [[3, 5], [0]],
        [[2, 3, 4], [0, 2]],
        [[2, 1, 4], [1]],
        [[4, 0, 3], [1]],
        [[17, 33], []],
        [[100, 10], [0]],
        ...(fast
          ? ([
              [[57600, 30], [0]],
              [[100, 30, 24, 24], [0, 2, 3]],
            ] as [number[], number[]][])
          : []),
      ];
      for (const [shape, axes] of cases) {
        const size = shape.reduce((p, d) => p * d, 1);
        const outSize = shape.filter((_, i) => !axes.includes(i)).reduce((p, d) => p * d, 1);
        const x = values(size, 3);
        expect(firstDifference(() => [new Float32Array(outSize)], ([o]) => getBackend().reduceSum(x, shape, axes, o as Float32Array)), `${shape} over ${axes}`).toBe(-1);
      }
    });

    it(`reduceMax and gather (${backend})`, () => {
      setBackend(backend);
      for (const [shape, axes] of [[[7], [0]], [[3, 5], [1]], [[2, 3, 4], [0, 2]], [[100, 10], [1]]] as [number[], number[]][]) {
        const size = shape.reduce((p, d) => p * d, 1);
        const outSize = shape.filter((_, i) => !axes.includes(i)).reduce((p, d) => p * d, 1);
        const x = values(size, 4);
        expect(
          firstDifference(
            () => [new Float32Array(outSize), new Int32Array(outSize)],
            ([o, arg]) => getBackend().reduceMax(x, shape, axes, o as Float32Array, arg as Int32Array),
          ),
          `${shape} over ${axes}`,
        ).toBe(-1);
      }
      const x = values(50, 5);
      const indices = Int32Array.from({ length: 77 }, (_, i) => (i % 5 === 0 ? -1 : (i * 7) % 50));
      expect(firstDifference(() => [new Float32Array(77)], ([o]) => getBackend().gather(x, indices, o!))).toBe(-1);
    });

    it(`im2col without padding, pooling, softmax cross-entropy (${backend})`, () => {
      setBackend(backend);
      const geometries = [
        geometry(1, 1, 1, 1, 1, 1, 0),
        geometry(2, 3, 7, 7, 3, 1, 0),
        geometry(3, 2, 9, 8, 2, 2, 0),
        geometry(1, 3, 17, 17, 5, 3, 0),
        geometry(2, 3, 7, 7, 3, 2, 1), // padded: pooling only (see below)
        ...(fast ? [geometry(100, 1, 28, 28, 5, 1, 0), geometry(100, 30, 24, 24, 2, 2, 0)] : []),
      ];
      for (const g of geometries) {
        const x = values(g.n * g.c * g.h * g.w, 6);
        const cols = g.n * g.oh * g.ow * g.c * g.kh * g.kw;
        const pooled = g.n * g.c * g.oh * g.ow;
        const label = JSON.stringify(g);
        // Ops use an uninitialised im2col output only without padding (the reference leaves padded cells
        // to the zeroed output); the fast backend writes padded cells too, checked here as well.
        if ((g.ph === 0 && g.pw === 0) || fast) {
          expect(firstDifference(() => [new Float32Array(cols)], ([o]) => getBackend().im2col(x, g, o as Float32Array)), `im2col ${label}`).toBe(-1);
        }
        expect(
          firstDifference(() => [new Float32Array(pooled), new Int32Array(pooled)], ([o, arg]) => getBackend().maxPool2d(x, g, o as Float32Array, arg as Int32Array)),
          `maxPool2d ${label}`,
        ).toBe(-1);
        for (const countIncludePad of [true, false]) {
          expect(firstDifference(() => [new Float32Array(pooled)], ([o]) => getBackend().avgPool2d(x, g, countIncludePad, o as Float32Array)), `avgPool2d ${label}`).toBe(-1);
        }
      }
      for (const [n, c] of [[1, 1], [3, 7], [100, 10]]) {
        const logits = values(n! * c!, 7);
        const target = new Float32Array(n! * c!);
        for (let i = 0; i < n!; i++) target[i * c! + (i % c!)] = 1;
        expect(firstDifference(() => [new Float32Array(n! * c!)], ([o]) => getBackend().softmaxCrossEntropy(logits, target, n!, c!, o as Float32Array)), `softmaxCrossEntropy ${n}x${c}`).toBe(-1);
      }
    });
  }
});
