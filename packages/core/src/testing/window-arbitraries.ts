import fc from 'fast-check';
import { checkCount } from './arbitraries.js';

type Pair = [number, number];

/** A convolution whose shapes fit together: conv2d(x of xShape, w of wShape, b of bShape, { stride, pad }). */
export interface ConvParams {
  /** (N, C, H, W) */
  readonly xShape: [number, number, number, number];
  /** (FN, C, FH, FW) */
  readonly wShape: [number, number, number, number];
  /** (FN) */
  readonly bShape: [number];
  readonly stride: Pair;
  readonly pad: Pair;
  /** (N, FN, OH, OW) with OH = floor((H + 2·padH − FH)/strideH) + 1 ≥ 1 */
  readonly outShape: [number, number, number, number];
}

export interface ConvParamsOptions {
  /** Default 2. */
  maxBatch?: number;
  /** Input channels, default 3. */
  maxChannels?: number;
  /** Output channels (filters), default 3. */
  maxFilters?: number;
  /** Input height and width, default 7. */
  maxSize?: number;
  /** Kernel height and width, default 3. */
  maxKernel?: number;
  /** Strides 1..maxStride, default 3. */
  maxStride?: number;
  /** Pads 0..maxPad, default 2. */
  maxPad?: number;
  /** Equal height/width for input, kernel, stride and pad (default false: each drawn on its own). */
  square?: boolean;
}

/** One spatial axis: kernel, stride and pad drawn first, then an input size that leaves ≥ 1 output. */
function axisArb(maxSize: number, maxKernel: number, maxStride: number, padFor: (k: number) => number): fc.Arbitrary<[number, number, number, number]> {
  return fc
    .record({ k: fc.integer({ min: 1, max: maxKernel }), s: fc.integer({ min: 1, max: maxStride }) })
    .chain(({ k, s }) => fc.tuple(fc.constant(k), fc.constant(s), fc.integer({ min: 0, max: padFor(k) })))
    .chain(([k, s, p]) => {
      const smallest = Math.max(1, k - 2 * p);
      return fc.tuple(fc.integer({ min: smallest, max: Math.max(smallest, maxSize) }), fc.constant(k), fc.constant(s), fc.constant(p));
    });
}

function outSize(size: number, k: number, s: number, p: number): number {
  return Math.floor((size + 2 * p - k) / s) + 1;
}

function axesArb(o: { maxSize: number; maxKernel: number; maxStride: number; square: boolean }, padFor: (k: number) => number) {
  const axis = axisArb(o.maxSize, o.maxKernel, o.maxStride, padFor);
  return o.square ? axis.map((a) => [a, a] as const) : fc.tuple(axis, axis);
}

/**
 * Consistent convolution parameters: input, weight and bias shapes, stride, pad and the output shape,
 * always with a non-empty output (kernels up to as large as the padded input). Shrinks towards batch 1,
 * one channel, small kernels and sizes.
 * @example
 * checkGradients(
 *   convParamsArb().chain((p) => fc.tuple(tensorArb({ shape: p.xShape }), tensorArb({ shape: p.wShape })).map(([x, w]) => ({
 *     fn: (x: Tensor, w: Tensor) => conv2d(x, w, null, { stride: p.stride, pad: p.pad }), inputs: [x, w],
 *   }))),
 * );
 */
export function convParamsArb(options: ConvParamsOptions = {}): fc.Arbitrary<ConvParams> {
  const o = windowOptions('convParamsArb', options);
  const maxFilters = checkCount('convParamsArb', 'maxFilters', options.maxFilters ?? 3, 1);
  return fc
    .tuple(
      fc.integer({ min: 1, max: o.maxBatch }),
      fc.integer({ min: 1, max: o.maxChannels }),
      fc.integer({ min: 1, max: maxFilters }),
      axesArb(o, () => o.maxPad),
    )
    .map(([n, c, fn, [[h, kh, sh, ph], [w, kw, sw, pw]]]) => ({
      xShape: [n, c, h, w],
      wShape: [fn, c, kh, kw],
      bShape: [fn],
      stride: [sh, sw],
      pad: [ph, pw],
      outShape: [n, fn, outSize(h, kh, sh, ph), outSize(w, kw, sw, pw)],
    }));
}

/** Pooling that fits its input: maxPool2d / avgPool2d(x of xShape, { kernel, stride, pad }). */
export interface PoolParams {
  /** (N, C, H, W) */
  readonly xShape: [number, number, number, number];
  readonly kernel: Pair;
  readonly stride: Pair;
  /** At most half the kernel (PyTorch's rule, so no window is all padding). */
  readonly pad: Pair;
  /** (N, C, OH, OW) */
  readonly outShape: [number, number, number, number];
}

export type PoolParamsOptions = Omit<ConvParamsOptions, 'maxFilters'>;

/**
 * Consistent pooling parameters with a non-empty output; pad never exceeds half the kernel. Kernels
 * default to 1..3 (raise `maxKernel` to reach pads of 2), strides 1..3, sizes up to 7, non-square.
 * @example
 * checkGradients(
 *   poolParamsArb().chain((p) => tensorArb({ shape: p.xShape, domain: 'distinct' }).map((x) => ({
 *     fn: (x: Tensor) => maxPool2d(x, p), inputs: [x],
 *   }))),
 * );
 */
export function poolParamsArb(options: PoolParamsOptions = {}): fc.Arbitrary<PoolParams> {
  const o = windowOptions('poolParamsArb', options);
  return fc
    .tuple(fc.integer({ min: 1, max: o.maxBatch }), fc.integer({ min: 1, max: o.maxChannels }), axesArb(o, (k) => Math.min(o.maxPad, Math.floor(k / 2))))
    .map(([n, c, [[h, kh, sh, ph], [w, kw, sw, pw]]]) => ({
      xShape: [n, c, h, w],
      kernel: [kh, kw],
      stride: [sh, sw],
      pad: [ph, pw],
      outShape: [n, c, outSize(h, kh, sh, ph), outSize(w, kw, sw, pw)],
    }));
}

function windowOptions(op: string, options: ConvParamsOptions) {
  const o = {
    maxBatch: options.maxBatch ?? 2,
    maxChannels: options.maxChannels ?? 3,
    maxSize: options.maxSize ?? 7,
    maxKernel: options.maxKernel ?? 3,
    maxStride: options.maxStride ?? 3,
    maxPad: options.maxPad ?? 2,
    square: options.square ?? false,
  };
  for (const key of ['maxBatch', 'maxChannels', 'maxSize', 'maxKernel', 'maxStride'] as const) checkCount(op, key, o[key], 1);
  checkCount(op, 'maxPad', o.maxPad, 0);
  return o;
}
