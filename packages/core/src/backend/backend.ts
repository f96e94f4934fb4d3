import type { FloatArray, TypedArray } from '../dtype.js';
import type { Shape } from '../shape.js';

/**
 * The narrow kernel interface. Ops validate their arguments, allocate outputs and call these; kernels
 * assume valid input and write into `out` (already allocated, of the right length and type; zero-filled
 * unless said below).
 * Arrays are flat row-major. A backend may implement only float32 fast paths and delegate everything
 * else to the reference backend.
 *
 * `binary`, `unary`, `matmul`, `batchedMatmul` and `permute` write every element of `out` and never read it: ops may
 * pass them reused work buffers that are not zeroed (conv2d does; test/ops/kernel-overwrite.test.ts
 * checks every backend). So do `reduceSum`, `reduceMax`, `gather`, `maxPool2d`, `avgPool2d`,
 * `softmaxCrossEntropy` (probs), `conv2dForward` and `im2col` without padding: ops give all of these uninitialised
 * outputs (allocateUninitialized; test/ops/uninitialized-outputs.test.ts). The accumulating kernels
 * (`scatterAdd`, `col2im`, `avgPool2dBackward`) and im2col with padding need a zeroed `out`.
 */

/** 'mulStep' is a · step(b), step(b) = (b > 0 ? 1 : 0): relu's VJP (grad · [x > 0]) in one pass. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'gt' | 'eq' | 'mulStep';
export type UnaryOp = 'neg' | 'exp' | 'log' | 'sqrt' | 'tanh' | 'sigmoid' | 'relu' | 'step' | 'abs' | 'square';

/** Geometry of a 2-D sliding window over an NCHW input (convolution and pooling share it). */
export interface WindowGeometry {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  /** kernel height and width */
  readonly kh: number;
  readonly kw: number;
  /** strides */
  readonly sh: number;
  readonly sw: number;
  /** zero (or -inf for max pooling) padding on each side */
  readonly ph: number;
  readonly pw: number;
  /** output height and width: floor((h + 2ph - kh) / sh) + 1 */
  readonly oh: number;
  readonly ow: number;
}

export interface Backend {
  readonly name: string;

  /**
   * out = a (op) b with NumPy broadcasting; aShape and bShape broadcast to outShape.
   * 'step' style comparisons ('gt', 'eq') write 1 or 0.
   */
  binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void;

  /** out[i] = f(x[i]). 'step' is 1 where x > 0 else 0 (the derivative of relu, with relu'(0) = 0). */
  unary(op: UnaryOp, x: FloatArray, out: FloatArray): void;

  /**
   * out (m,n) = op(a) · op(b), where op(a) is (m,k): a is stored (m,k), or (k,m) when transA;
   * b is stored (k,n), or (n,k) when transB.
   */
  matmul(
    a: FloatArray,
    b: FloatArray,
    out: FloatArray,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
  ): void;

  /**
   * `batch` products as `matmul` describes, out (batch,m,n) = op(a_i) · op(b_i): a_i starts at element
   * i·aStride of a and b_i at i·bStride of b (a stride of 0: the same matrix for every i). With
   * `rowBias` (m values), rowBias[i] is then added to every element of row i of every product, as a
   * separate float add of the stored product would (conv2d's bias).
   */
  batchedMatmul(
    a: FloatArray,
    b: FloatArray,
    out: FloatArray,
    batch: number,
    aStride: number,
    bStride: number,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    rowBias?: FloatArray | null,
  ): void;

  /** out = x with axes permuted: out.shape[i] = shape[perm[i]]. */
  permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void;

  /** out = sum of x over `axes` (sorted, distinct); out's layout is x's shape with those axes removed. */
  reduceSum(x: FloatArray, shape: Shape, axes: readonly number[], out: FloatArray): void;

  /**
   * out = max of x over `axes`; argIndex[i] = flat index into x of the first maximum (row-major order
   * within the reduced block). NaN counts as the maximum.
   */
  reduceMax(x: FloatArray, shape: Shape, axes: readonly number[], out: FloatArray, argIndex: Int32Array): void;

  /** out[i] = x[indices[i]]; an index of -1 means "no element" and writes 0. */
  gather(x: TypedArray, indices: Int32Array, out: TypedArray): void;

  /**
   * out[indices[i]] += g[i] (out starts zeroed); an index of -1 drops g[i]. `unique`: the caller knows
   * no index repeats (max pooling with windows that do not overlap), so the adds may run in parallel.
   */
  scatterAdd(g: FloatArray, indices: Int32Array, out: FloatArray, unique?: boolean): void;

  /**
   * The book's im2col: x (N,C,H,W) → out (N·OH·OW, C·KH·KW); row (n,oy,ox), column (c,ky,kx);
   * padded cells read 0.
   */
  im2col(x: FloatArray, g: WindowGeometry, out: FloatArray): void;

  /** The adjoint of im2col: col (N·OH·OW, C·KH·KW) → out (N,C,H,W), overlapping windows summed. */
  col2im(col: FloatArray, g: WindowGeometry, out: FloatArray): void;

  /**
   * conv2d's forward in one kernel: out (N,FN,OH,OW) = the cross-correlation of x (N,C,H,W) with
   * w (FN,C,KH,KW) (g.kh, g.kw), plus b[f] on filter f's plane when b is given; padded cells read 0.
   * Writes every element of out and never reads it. Used where no gradient is recorded.
   */
  conv2dForward(x: FloatArray, w: FloatArray, b: FloatArray | null, fn: number, g: WindowGeometry, out: FloatArray): void;

  /**
   * Max pooling: out (N,C,OH,OW); argIndex[i] = flat index into x of the window's first maximum in
   * row-major window order, or -1 when the window holds only padding. Padding counts as -inf.
   * argIndex null: no gradient will be taken, only out is written.
   */
  maxPool2d(x: FloatArray, g: WindowGeometry, out: FloatArray, argIndex: Int32Array | null): void;

  /** Average pooling: out (N,C,OH,OW); divides by kh·kw, or by the number of real cells when !countIncludePad. */
  avgPool2d(x: FloatArray, g: WindowGeometry, countIncludePad: boolean, out: FloatArray): void;

  /** The adjoint of avgPool2d: grad (N,C,OH,OW) → out (N,C,H,W). */
  avgPool2dBackward(grad: FloatArray, g: WindowGeometry, countIncludePad: boolean, out: FloatArray): void;

  /**
   * Softmax cross-entropy over rows of logits (n,c) against target probabilities (n,c) (one-hot or soft).
   * Writes softmax(logits) into probs and returns the mean over rows of -Σ target·log softmax.
   */
  softmaxCrossEntropy(logits: FloatArray, target: FloatArray, n: number, c: number, probs: FloatArray): number;

  /**
   * One Adam update in place (torch.optim.Adam, no weight decay): for every j, with torch's lerp,
   * m ← w < 0.5 ? m + w·(g − m) : g − (g − m)·(1 − w); v ← v·beta2 + (1 − beta2)·g·g;
   * p ← p − stepSize · m / (√v / bias2Sqrt + eps) — each computed in float64 from the stored values and
   * stored in the arrays' type. Every backend gives the same bits. p, g, m, v have the same length.
   */
  adamUpdate(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, h: AdamStep): void;

  /**
   * A zero-filled array for state that kernels update in place call after call (an optimizer's
   * moments). Any array works with every kernel; the fast backend keeps large float32 ones in its own
   * memory, so that adamUpdate need not copy them in and out. Do not keep a subarray of it alone.
   */
  stateArray(dtype: 'float32' | 'float64', size: number): FloatArray;

  /**
   * Memory the backend's kernels read and write where it lies (the fast backend: its WebAssembly
   * memory, so no copies in or out). Absent on backends without such memory. Only the array pool uses
   * it, for arrays whose last holder it knows (memory/array-pool.ts); any kernel takes any array.
   */
  readonly resident?: ResidentMemory;
}

/** Float32 arrays in a backend's own memory: allocated and freed explicitly (and by the GC if dropped). */
export interface ResidentMemory {
  /**
   * A float32 array of `size` elements in the backend's memory (zero-filled when `zeroFill`), or null
   * when it cannot have more. A dropped array's memory comes back when the GC collects it; `free`
   * gives it back at once.
   */
  alloc(size: number, zeroFill: boolean): Float32Array | null;
  /** Gives `a` back now; the caller guarantees nothing reads or writes it any more. */
  free(a: Float32Array): void;
  /** Sets every element of `a` (an array from `alloc`) to 0, faster than `a.fill(0)` on shared memory. */
  zero(a: Float32Array): void;
  /** Whether `a` is a live array from `alloc`. */
  has(a: TypedArray): boolean;
  /** Bytes held by live arrays from `alloc` (and any other state the backend keeps there). */
  bytesInUse(): number;
}

/** The scalars of one Adam update (see Backend.adamUpdate): w = 1 − beta1; stepSize = lr / (1 − beta1ᵗ). */
export interface AdamStep {
  readonly w: number;
  readonly beta2: number;
  readonly eps: number;
  readonly stepSize: number;
  /** √(1 − beta2ᵗ) */
  readonly bias2Sqrt: number;
}
