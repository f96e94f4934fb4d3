import { DTypeError, Rng, ShapeError, ValueError, dropout, localResponseNorm, zeros } from '@tapegrad/core';
import { type AnyOpRow, type RefArray, row } from '../op-table/types.js';

/*
 * Rows for the two composites nn's layers stand on: dropout and localResponseNorm. The references are
 * plain loops written from the definitions (PyTorch's LRN formula, inverted dropout with one uniform draw
 * per element in row-major order).
 */

interface LrnAttrs {
  size: number;
  alpha: number;
  beta: number;
  k: number;
}

/** b = a / (k + alpha/size · Σ a²)^beta over channels c − ⌊size/2⌋ … c + ⌊(size−1)/2⌋ (zero padded). */
export function refLocalResponseNorm(x: RefArray, a: LrnAttrs): RefArray {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const data = new Float64Array(x.data.length);
  const at = (b: number, ch: number, i: number) => x.data[(b * c + ch) * h * w + i]!;
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < h * w; i++) {
        let s = 0;
        for (let j = ch - Math.floor(a.size / 2); j <= ch + Math.floor((a.size - 1) / 2); j++) {
          if (j >= 0 && j < c) s += at(b, j, i) ** 2;
        }
        data[(b * c + ch) * h * w + i] = at(b, ch, i) / (a.k + (a.alpha / a.size) * s) ** a.beta;
      }
  return { data, shape: x.shape };
}

interface DropoutAttrs {
  p: number;
  seed: number;
}

export function refDropout(x: RefArray, a: DropoutAttrs): RefArray {
  const rng = new Rng(a.seed);
  const data = new Float64Array(x.data.length);
  for (let i = 0; i < data.length; i++) data[i] = rng.next() < a.p ? 0 : x.data[i]! / (1 - a.p);
  return { data, shape: x.shape };
}

const x64 = (shape: number[]) => zeros(shape, { dtype: 'float64' });

export const localResponseNormRow = row<LrnAttrs>({
  op: 'localResponseNorm',
  run: ([x], a) => localResponseNorm(x!, a),
  reference: ([x], a) => refLocalResponseNorm(x!, a),
  samples: [
    { label: 'AlexNet settings, size 5 over 7 channels', inputs: [{ shape: [2, 7, 3, 2] }], attrs: { size: 5, alpha: 1e-4, beta: 0.75, k: 2 } },
    // alpha large enough that the window matters for the values and the gradient
    { label: 'even size 4 (asymmetric window), strong alpha', inputs: [{ shape: [1, 5, 2, 3] }], attrs: { size: 4, alpha: 2, beta: 0.75, k: 1 } },
    { label: 'window wider than the channels', inputs: [{ shape: [2, 3, 2, 2] }], attrs: { size: 9, alpha: 0.5, beta: 1.5, k: 0.5 } },
    { label: 'size 1, one channel', inputs: [{ shape: [3, 1, 2, 2] }], attrs: { size: 1, alpha: 1, beta: 0.5, k: 1 } },
  ],
  errors: [
    { label: '3-D x', call: () => localResponseNorm(x64([3, 4, 4]), { size: 3 }), error: ShapeError, message: /^\[localResponseNorm\] x: expected 4-D \(N,C,H,W\), got shape \[3,4,4\]$/ },
    { label: 'size 0', call: () => localResponseNorm(x64([1, 3, 2, 2]), { size: 0 }), error: ValueError, message: /^\[localResponseNorm\] size: expected a positive integer, got 0$/ },
    { label: 'k = 0', call: () => localResponseNorm(x64([1, 3, 2, 2]), { size: 3, k: 0 }), error: ValueError, message: /^\[localResponseNorm\] k: expected a finite number > 0, got 0$/ },
    { label: 'negative alpha', call: () => localResponseNorm(x64([1, 3, 2, 2]), { size: 3, alpha: -1 }), error: ValueError, message: /^\[localResponseNorm\] alpha: expected a finite number ≥ 0, got -1$/ },
    { label: 'NaN beta', call: () => localResponseNorm(x64([1, 3, 2, 2]), { size: 3, beta: NaN }), error: ValueError, message: /^\[localResponseNorm\] beta: expected a finite number, got NaN$/ },
    { label: 'int32 x', call: () => localResponseNorm(zeros([1, 3, 2, 2], { dtype: 'int32' }), { size: 3 }), error: DTypeError, message: /^\[localResponseNorm\] x: expected a float32 or float64 tensor, got dtype int32$/ },
  ],
});

export const dropoutRow = row<DropoutAttrs>({
  op: 'dropout',
  // the seed makes every evaluation draw the same mask, so finite differences see one fixed function
  run: ([x], a) => dropout(x!, a.p, { seed: a.seed }),
  reference: ([x], a) => refDropout(x!, a),
  samples: [
    { label: 'p 0.5 on a matrix', inputs: [{ shape: [4, 6] }], attrs: { p: 0.5, seed: 3 } },
    { label: 'p 0.2 on NCHW', inputs: [{ shape: [2, 3, 2, 2] }], attrs: { p: 0.2, seed: 11 } },
    { label: 'p 0 (identity)', inputs: [{ shape: [5] }], attrs: { p: 0, seed: 1 } },
    { label: 'p 1 (all dropped)', inputs: [{ shape: [2, 3] }], attrs: { p: 1, seed: 1 } },
    { label: '0-d x', inputs: [{ shape: [] }], attrs: { p: 0.3, seed: 5 } },
  ],
  errors: [
    { label: 'p above 1', call: () => dropout(x64([2]), 1.5, { seed: 0 }), error: ValueError, message: /^\[dropout\] p: expected a probability in \[0, 1\], got 1\.5$/ },
    { label: 'negative p', call: () => dropout(x64([2]), -0.1, { seed: 0 }), error: ValueError, message: /^\[dropout\] p: expected a probability in \[0, 1\], got -0\.1$/ },
    { label: 'NaN p', call: () => dropout(x64([2]), NaN, { seed: 0 }), error: ValueError, message: /^\[dropout\] p: expected a probability in \[0, 1\], got NaN$/ },
    { label: 'no seed or rng', call: () => dropout(x64([2]), 0.5), error: ValueError, message: /^\[dropout\] options: expected \{ seed \} or \{ rng \} so the mask reproduces, got neither$/ },
    { label: 'non-integer seed', call: () => dropout(x64([2]), 0.5, { seed: 0.5 }), error: ValueError, message: /^\[dropout\] seed: expected an integer, got 0\.5$/ },
    { label: 'int32 x', call: () => dropout(zeros([2], { dtype: 'int32' }), 0.5, { seed: 0 }), error: DTypeError, message: /^\[dropout\] x: expected a float32 or float64 tensor, got dtype int32$/ },
  ],
});

export const nnRows: AnyOpRow[] = [localResponseNormRow, dropoutRow];
