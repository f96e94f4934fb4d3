import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, listBackends, maxPool2d, noGrad, randn, setBackend } from '@tapegrad/core';
import { windowGeometry, poolParams } from '../../src/ops/window-geometry.js';

const initial = getBackend().name;
afterEach(() => setBackend(initial));

for (const backend of listBackends()) {
  describe(`maxPool2d without indices (${backend} backend)`, () => {
    it('the kernel with argIndex null writes the same maxima as with indices', () => {
      setBackend(backend);
      fc.assert(
        fc.property(
          fc.record({
            n: fc.integer({ min: 1, max: 3 }),
            c: fc.constantFrom(1, 3, 7, 17),
            h: fc.integer({ min: 2, max: 19 }),
            w: fc.integer({ min: 2, max: 19 }),
            kernel: fc.integer({ min: 1, max: 3 }),
            stride: fc.integer({ min: 1, max: 3 }),
            seed: fc.integer({ min: 0, max: 1000 }),
          }),
          ({ n, c, h, w, kernel, stride, seed }) => {
            const k = Math.min(kernel, h, w);
            const x = randn([n, c, h, w], { seed, dtype: 'float32' });
            const { params } = poolParams('maxPool2d', { kernel: k, stride });
            const g = windowGeometry('maxPool2d', x, params);
            const size = g.n * g.c * g.oh * g.ow;
            const withIdx = new Float32Array(size).fill(Number.NaN);
            const without = new Float32Array(size).fill(Number.NaN);
            getBackend().maxPool2d(x.data, g, withIdx, new Int32Array(size));
            getBackend().maxPool2d(x.data, g, without, null);
            expect(without).toEqual(withIdx);
          },
        ),
        { seed: 42, numRuns: 60 },
      );
    });

    it('a large input streamed in several blocks: noGrad equals the recorded op, which still backpropagates', () => {
      setBackend(backend);
      const x = randn([40, 30, 24, 24], { seed: 3, dtype: 'float32', requiresGrad: true });
      const recorded = maxPool2d(x, { kernel: 2 });
      const plain = noGrad(() => maxPool2d(x, { kernel: 2 }));
      expect(plain.node).toBeNull();
      expect(plain.data).toEqual(recorded.data);
      recorded.backward(randn(recorded.shape, { seed: 4, dtype: 'float32' }));
      expect(x.grad!.shape).toEqual(x.shape);
    });
  });
}
