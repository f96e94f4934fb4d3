import { type FloatArray, allocateFloat } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import type { WindowGeometry } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { ShapeError, ValueError, argError } from '../errors.js';
import { checkSize, formatShape, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloat, checkSameDType, describe } from './checks.js';
import { col2im } from './col2im.js';
import { im2col } from './im2col.js';
import { matmulFlags } from './matmul.js';
import { permute } from './permute.js';
import { registerPrimitive } from './registry.js';
import { reshape } from './reshape.js';
import { scratchFloat } from './scratch.js';
import { sum } from './sum.js';
import { type Size2, type WindowParams, windowGeometry, windowParams } from './window-geometry.js';

registerPrimitive({ name: 'conv2d', differentiable: true, vjpDifferentiable: true });

export interface Conv2dOptions {
  /** Default 1. */
  stride?: Size2;
  /** Zero padding on each side; default 0. */
  pad?: Size2;
}

/** `(2,3,28,28)`: how conv2d's messages quote x's shape beside w's expected layout. */
const paren = (shape: readonly number[]) => `(${shape.join(',')})`;

/**
 * 2-D cross-correlation (as every framework's "convolution") of x (N,C,H,W) with filters w (FN,C,FH,FW)
 * plus an optional bias b (FN): out (N,FN,OH,OW), OH = floor((H + 2·padH − FH)/strideH) + 1.
 * im2col → one GEMM against the filters seen as (FN, C·FH·FW), transposed by the matmul flags → + b →
 * NHWC back to NCHW. A fused primitive: the GEMM output and the biased rows are work buffers that never
 * become tensors (two 6.9 MB arrays less per SimpleConvNet step). Its VJP is what those steps' VJPs give,
 * kernel for kernel: permute the gradient back to NHWC, then sum it for b, multiply it by the columns
 * for w and by the filters (then col2im) for x.
 * @example conv2d(x, w, b, { stride: 1, pad: 0 }) // x (N,1,28,28), w (30,1,5,5) → (N,30,24,24)
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkFloat('conv2d', 'x', x);
  if (x.ndim !== 4) throw argError(ShapeError, 'conv2d', 'x', '4-D (N,C,H,W)', describe(x));
  checkFloat('conv2d', 'w', w);
  const c = x.shape[1]!;
  if (w.ndim !== 4 || w.shape[1] !== c) {
    throw argError(ShapeError, 'conv2d', 'w', `4-D (FN,C,FH,FW) with C=${c} to match x ${paren(x.shape)}`, describe(w));
  }
  checkSameDType('conv2d', x, w, ['x', 'w']);
  const [fn, , fh, fw] = w.shape as [number, number, number, number];
  if (b !== undefined && b !== null) {
    checkFloat('conv2d', 'b', b);
    if (!sameShape(b.shape, [fn])) {
      throw argError(ShapeError, 'conv2d', 'b', `shape ${formatShape([fn])} (one bias per filter of w ${paren(w.shape)})`, describe(b));
    }
    checkSameDType('conv2d', x, b, ['x', 'b']);
  }
  if (typeof options !== 'object' || options === null) {
    throw argError(ValueError, 'conv2d', 'options', 'an object { stride?, pad? }', options === null ? 'null' : typeof options);
  }
  const params = windowParams('conv2d', [fh, fw], options.stride ?? 1, options.pad ?? 0, 'w');
  const g = windowGeometry('conv2d', x, params, 'w');
  // the unfolded input and the output, checked here so that the error names conv2d
  checkSize('conv2d', 'output', [g.n * g.oh * g.ow, c * fh * fw]);
  checkSize('conv2d', 'output', [g.n, fn, g.oh, g.ow]);
  const bias = b === undefined || b === null ? null : b;
  const col = im2col(x, params); // (N·OH·OW, C·FH·FW), recorded when x requires grad (createGraph goes through it)
  const rows = g.n * g.oh * g.ow;
  const k = c * fh * fw;
  const dtype = x.dtype as 'float32' | 'float64';
  const backend = getBackend();
  const gemm = scratchFloat(dtype, rows * fn, 0);
  backend.matmul(col.data as FloatArray, w.data as FloatArray, gemm, rows, k, fn, false, true); // (N·OH·OW, FN)
  let nhwc = gemm;
  if (bias !== null) {
    nhwc = scratchFloat(dtype, rows * fn, 1);
    backend.binary('add', gemm, [rows, fn], bias.data, [fn], nhwc, [rows, fn]);
  }
  const data = allocateFloat(dtype, rows * fn);
  backend.permute(nhwc, [g.n, g.oh, g.ow, fn], [0, 3, 1, 2], data);
  const out = new Tensor(data, [g.n, fn, g.oh, g.ow], x.dtype);
  const inputs = bias === null ? [x, w] : [x, w, bias];
  return record('conv2d', inputs, out, (grad) => {
    const grads = isGradEnabled() ? conv2dVjpRecorded(grad, x, w, bias, col, params) : conv2dVjpConstant(grad, x, w, bias, col, g);
    return bias === null ? grads.slice(0, 2) : grads;
  });
}

/**
 * The VJP with differentiable ops (createGraph): gradients of gradients flow through the saved columns
 * (to x) and the filters.
 */
function conv2dVjpRecorded(grad: Tensor, x: Tensor, w: Tensor, b: Tensor | null, col: Tensor, params: WindowParams): (Tensor | null)[] {
  const fn = w.shape[0]!;
  const g2 = reshape(permute(grad, [0, 2, 3, 1]), [col.shape[0]!, fn]); // (N·OH·OW, FN)
  const gx = x.requiresGrad ? col2im(matmulFlags(g2, reshape(w, [fn, col.shape[1]!]), false, false), x.shape, params) : null;
  const gw = w.requiresGrad ? reshape(matmulFlags(g2, col, true, false), w.shape) : null;
  const gb = b !== null && b.requiresGrad ? sum(g2, 0) : null;
  return [gx, gw, gb];
}

/**
 * The same values from the kernels directly, when the backward is not recorded: the NHWC gradient and
 * the columns' gradient are work buffers instead of tensors.
 */
function conv2dVjpConstant(grad: Tensor, x: Tensor, w: Tensor, b: Tensor | null, col: Tensor, g: WindowGeometry): (Tensor | null)[] {
  const backend = getBackend();
  const dtype = x.dtype as 'float32' | 'float64';
  const [rows, k] = col.shape as [number, number];
  const fn = w.shape[0]!;
  const g2 = scratchFloat(dtype, rows * fn, 0);
  backend.permute(grad.data, grad.shape, [0, 2, 3, 1], g2);
  let gx: Tensor | null = null;
  if (x.requiresGrad) {
    const gcol = scratchFloat(dtype, rows * k, 1);
    backend.matmul(g2, w.data as FloatArray, gcol, rows, fn, k, false, false);
    const data = allocateFloat(dtype, x.size);
    backend.col2im(gcol, g, data);
    gx = new Tensor(data, x.shape, x.dtype);
  }
  let gw: Tensor | null = null;
  if (w.requiresGrad) {
    const data = allocateFloat(dtype, fn * k);
    backend.matmul(g2, col.data as FloatArray, data, fn, rows, k, true, false);
    gw = new Tensor(data, w.shape, w.dtype);
  }
  let gb: Tensor | null = null;
  if (b !== null && b.requiresGrad) {
    const data = allocateFloat(dtype, fn);
    backend.reduceSum(g2, [rows, fn], [0], data);
    gb = new Tensor(data, [fn], b.dtype);
  }
  return [gx, gw, gb];
}
