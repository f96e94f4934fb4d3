import type { WindowGeometry } from '../backend/backend.js';
import { ShapeError, ValueError, argError } from '../errors.js';
import { MAX_ELEMENTS, checkSize, formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkNonNegativeInt, checkPositiveInt, pair } from './checks.js';

/** A size given once for both spatial dimensions, or as [h, w]. */
export type Size2 = number | readonly [number, number];

/** The window parameters shared by im2col, col2im and the pools. */
export interface WindowOptions {
  kernel: Size2;
  stride?: Size2;
  pad?: Size2;
}

/** Pooling takes the same options; there the stride defaults to the kernel. */
export type PoolOptions = WindowOptions;

/** Validated kernel, stride and pad pairs. */
export interface WindowParams {
  readonly kernel: [number, number];
  readonly stride: [number, number];
  readonly pad: [number, number];
}

/** Checks that `options` is an object that names a kernel. */
export function checkWindowOptions(op: string, options: unknown): asserts options is WindowOptions {
  if (typeof options !== 'object' || options === null || (options as { kernel?: unknown }).kernel === undefined) {
    throw argError(ValueError, op, 'options', 'an object { kernel, stride?, pad? }', options === undefined ? 'none' : options === null ? 'null' : 'no kernel');
  }
}

/**
 * Checks kernel (positive), stride (positive) and pad (non-negative) — each a number or an [h, w] pair of
 * integers — and fills in the defaults. `kernelArg` names the kernel in messages (conv2d says `w`).
 */
export function windowParams(op: string, kernel: unknown, stride: unknown, pad: unknown, kernelArg = 'kernel'): WindowParams {
  return {
    kernel: pair(op, kernelArg, kernel, checkPositiveInt),
    stride: pair(op, 'stride', stride, checkPositiveInt),
    pad: pair(op, 'pad', pad, checkNonNegativeInt),
  };
}

/**
 * The geometry of a window sliding over an NCHW input of shape `xShape`, with
 * OH = floor((H + 2·padH − KH) / strideH) + 1 (and the same for W). An empty output (a kernel larger than
 * the padded input) is a ShapeError naming both sizes. The caller has checked that `xShape` is 4-D.
 */
export function geometryOf(op: string, xShape: readonly number[], params: WindowParams, kernelArg = 'kernel'): WindowGeometry {
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [kh, kw] = params.kernel;
  const [sh, sw] = params.stride;
  const [ph, pw] = params.pad;
  // window positions (oy·stride − pad, up to H + pad) are int32 in the kernels: the padded input must fit
  if (h + 2 * ph > MAX_ELEMENTS || w + 2 * pw > MAX_ELEMENTS) {
    throw argError(ValueError, op, 'pad', `a padded input of at most ${MAX_ELEMENTS} rows and columns`, `${h + 2 * ph}×${w + 2 * pw} (x ${formatShape(xShape)}, pad [${ph},${pw}])`);
  }
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  if (oh < 1 || ow < 1) {
    throw argError(
      ShapeError,
      op,
      kernelArg,
      `a ${kh}×${kw} window that fits the padded input ${h + 2 * ph}×${w + 2 * pw} (x ${formatShape(xShape)}, pad [${ph},${pw}])`,
      `an empty output size ${Math.max(oh, 0)}×${Math.max(ow, 0)}`,
    );
  }
  // a huge pad makes a huge output: a typed error here rather than a RangeError from the allocation
  checkSize(op, 'output', [n, c, oh, ow]);
  return { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow };
}

/**
 * Pooling needs a non-empty plane: with H or W = 0 every window would be padding only (max −inf, an
 * average of nothing), which no pad ≤ kernel/2 allows on a real input.
 */
export function checkPoolPlane(op: string, arg: string, xShape: readonly number[]): void {
  if (xShape[2] === 0 || xShape[3] === 0) {
    throw argError(ShapeError, op, arg, 'H ≥ 1 and W ≥ 1 (a window over an empty plane would hold padding only)', `shape ${formatShape(xShape)}`);
  }
}

/** Checks x is 4-D (N,C,H,W) and returns the geometry of the window over it. */
export function windowGeometry(op: string, x: Tensor, params: WindowParams, kernelArg = 'kernel'): WindowGeometry {
  if (x.ndim !== 4) throw argError(ShapeError, op, 'x', '4-D (N,C,H,W)', `shape ${formatShape(x.shape)}`);
  return geometryOf(op, x.shape, params, kernelArg);
}

/**
 * Checks pooling options: stride defaults to the kernel, pad to 0, and (as in PyTorch) pad may be at most
 * half the kernel, so no window is made of padding alone. `countIncludePad` must be a boolean if given.
 */
export function poolParams(op: string, options: unknown): { params: WindowParams; countIncludePad: boolean } {
  checkWindowOptions(op, options);
  const o = options as PoolOptions & { countIncludePad?: unknown };
  const params = windowParams(op, o.kernel, o.stride ?? o.kernel, o.pad ?? 0);
  for (let i = 0; i < 2; i++) {
    const k = params.kernel[i]!;
    const p = params.pad[i]!;
    if (2 * p > k) {
      throw argError(ValueError, op, 'pad', `at most half the kernel (≤ ${Math.floor(k / 2)} for kernel ${k})`, `${p}${i === 0 ? ' (rows)' : ' (columns)'}`);
    }
  }
  const cip = o.countIncludePad ?? true;
  if (typeof cip !== 'boolean') throw argError(ValueError, op, 'countIncludePad', 'a boolean', String(cip));
  return { params, countIncludePad: cip };
}

/** The options back from a geometry (for VJPs that call the adjoint op). */
export function paramsOf(g: WindowGeometry): WindowParams {
  return { kernel: [g.kh, g.kw], stride: [g.sh, g.sw], pad: [g.ph, g.pw] };
}
