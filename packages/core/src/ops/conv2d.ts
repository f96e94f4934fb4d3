import { anomalyHooks } from '../autograd/anomaly-hooks.js';
import { willRecord } from '../autograd/node.js';
import { getBackend } from '../backend/index.js';
import { type FloatArray, allocateFloatUninitialized } from '../dtype.js';
import { ShapeError, ValueError, argError } from '../errors.js';
import { checkSize, formatShape, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloat, checkSameDType, describe } from './checks.js';
import { im2col } from './im2col.js';
import { matmulFlags } from './matmul.js';
import { disownOutput, markGraphPrivate, withPrivateOutputs } from '../memory/array-pool.js';
import { reshape } from './reshape.js';
import { type Size2, windowGeometry, windowParams } from './window-geometry.js';

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
 * When a gradient can be recorded (grad mode on and x, w or b requires grad) it is a composite: im2col →
 * per image, the filters seen as (FN, C·FH·FW) times the image's windows (transposed in place by the
 * matmul flags), which is NCHW already → + b, and its gradient comes from those ops' VJPs. Otherwise
 * (inside noGrad, or no input requires grad) nothing would be recorded, so the backend's conv2dForward
 * kernel computes the same values in one pass, without the composite's full-size intermediates.
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
  // the unfolded input and the output, checked here so that the error names conv2d (on both paths, so
  // that whether a gradient is recorded never changes which inputs are accepted)
  checkSize('conv2d', 'output', [g.n * g.oh * g.ow, c * fh * fw]);
  checkSize('conv2d', 'output', [g.n, fn, g.oh, g.ow]);
  const hasBias = b !== undefined && b !== null;
  if (!willRecord(x, w, b)) {
    // the kernel writes every element (test/conv/conv2d-forward.test.ts), so the output is not zero-filled first
    const data = allocateFloatUninitialized(x.dtype as 'float32' | 'float64', g.n * fn * g.oh * g.ow);
    getBackend().conv2dForward(x.data as FloatArray, w.data as FloatArray, hasBias ? (b.data as FloatArray) : null, fn, g, data);
    const out = new Tensor(data, [g.n, fn, g.oh, g.ow], x.dtype);
    // nothing is recorded, but detectAnomaly still sees the output (as it sees every op's)
    anomalyHooks.onForward?.('conv2d', out);
    disownOutput(data); // no node will hold it (see record)
    return out;
  }
  // The unfolded input never leaves this function: only the graph's nodes hold it, so its array goes
  // back to the array pool once backward has run those nodes, and it may lie in the backend's own
  // memory, where its kernels use it without copies (memory/array-pool.ts).
  const internal = (t: Tensor) => {
    if (t.data !== x.data && t.data !== w.data && t.data !== b?.data) markGraphPrivate(t.data);
    return t;
  };
  const k = c * fh * fw;
  const positions = g.oh * g.ow;
  const col = withPrivateOutputs(() => internal(im2col(x, params))); // (N·OH·OW, C·FH·FW)
  // One product per image: the filters (FN, C·FH·FW) times its unfolded windows (OH·OW, C·FH·FW),
  // transposed by the flag, give (FN, OH·OW): the image's NCHW output, with no permute; the GEMM adds
  // the bias to each filter's row as it stores it.
  const filters = reshape(w, [fn, k]);
  const windows = reshape(col, [g.n, positions, k]);
  // The bias goes in through a view, as w does: a VJP with a leaf among its inputs makes all its arrays
  // ordinary (autograd/engine.ts), which here would put the stacked filter gradient (N,FN,C·FH·FW) and
  // the windows' gradient outside the backend's memory (AlexNet's step measured 25% slower so).
  const out = matmulFlags(filters, windows, false, true, hasBias ? reshape(b, [fn]) : null);
  return reshape(out, [g.n, fn, g.oh, g.ow]);
}
