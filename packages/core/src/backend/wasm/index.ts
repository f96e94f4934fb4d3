import type { FloatArray, TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import type { AdamStep, Backend, BinaryOp, UnaryOp, WindowGeometry } from '../backend.js';
import { referenceBackend } from '../reference/index.js';
import { ArenaFull, WasmContext } from './context.js';
import { conv2dForward } from './conv.js';
import { binary, unary } from './elementwise.js';
import { batchedGemm, gemm } from './gemm.js';
import { adamUpdate } from './optim.js';
import { permute, reduceSum, scatterAdd } from './layout.js';
import { type RuntimeOptions, loadRuntime } from './runtime.js';
import { avgPool2d, avgPool2dBackward, col2im, im2col, maxPool2d } from './window.js';

/** The fast backend, with a few facts about how it runs (for benchmarks and tests). */
export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  /** Whether the fused multiply-add (relaxed-SIMD) build is in use. */
  readonly relaxedSimd: boolean;
  /** Threads a job may use, the main thread included. */
  readonly threads: number;
  /** Worker threads started so far (they start lazily, with the first job worth splitting). */
  workerCount(): number;
  /** Chunks of work run by worker threads so far. */
  workerChunks(): number;
  /** Starts the workers now and resolves when all are ready (otherwise they start on first need). */
  startWorkers(): Promise<void>;
}

const f32 = (x: TypedArray): x is Float32Array => x instanceof Float32Array;

/** Parameters below this many elements are updated by the reference loop (same bits). */
const ADAM_MIN = 256;

/**
 * Runs the wasm kernel, or the reference one when the arena cannot grow enough (inputs beyond ~4 GiB).
 * Every wasm path reserves its memory before writing any of `out` except the binary op, whose
 * reference fallback rewrites all of it; accumulating kernels reserve first.
 */
function orReference(wasm: () => void, reference: () => void): void {
  try {
    wasm();
  } catch (e) {
    if (!(e instanceof ArenaFull)) throw e;
    reference();
  }
}

/**
 * Creates the WebAssembly SIMD backend: float32 kernels on a shared memory, split across worker
 * threads for large problems. float64 and int32 data, and kernels with no wasm version (reduceMax,
 * gather, softmaxCrossEntropy, pow, unusual broadcasts and permutations), go to the reference backend.
 * Throws when the module cannot be loaded (for instance, not built).
 * @example setBackend(createWasmBackend())
 */
export function createWasmBackend(options: RuntimeOptions = {}): WasmBackend {
  const ctx = new WasmContext(loadRuntime(options));
  const ref = referenceBackend;
  return {
    name: 'wasm',
    relaxedSimd: ctx.rt.relaxed,
    threads: ctx.threads,
    workerCount: () => ctx.pool.workerCount,
    workerChunks: () => ctx.pool.workerChunks,
    startWorkers: () => ctx.pool.startWorkers(),

    binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void {
      const reference = () => ref.binary(op, a, aShape, b, bShape, out, outShape);
      if (!(f32(a) && f32(b) && f32(out))) return reference();
      orReference(() => binary(ctx, op, a, aShape, b, bShape, out, outShape) || reference(), reference);
    },
    unary(op: UnaryOp, x: FloatArray, out: FloatArray): void {
      const reference = () => ref.unary(op, x, out);
      if (f32(x) && f32(out)) orReference(() => unary(ctx, op, x, out), reference);
      else reference();
    },
    matmul(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
      const reference = () => ref.matmul(a, b, out, m, k, n, transA, transB);
      if (f32(a) && f32(b) && f32(out)) orReference(() => gemm(ctx, a, b, out, m, k, n, transA, transB), reference);
      else reference();
    },
    batchedMatmul(
      a: FloatArray, b: FloatArray, out: FloatArray, batch: number, aStride: number, bStride: number,
      m: number, k: number, n: number, transA: boolean, transB: boolean, rowBias: FloatArray | null = null,
    ): void {
      const reference = () => ref.batchedMatmul(a, b, out, batch, aStride, bStride, m, k, n, transA, transB, rowBias);
      const fast = f32(a) && f32(b) && f32(out) && (rowBias === null || f32(rowBias));
      if (fast) orReference(() => batchedGemm(ctx, a, b, out, batch, aStride, bStride, m, k, n, transA, transB, rowBias as Float32Array | null), reference);
      else reference();
    },
    permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void {
      const reference = () => ref.permute(x, shape, perm, out);
      const same = (f32(x) && f32(out)) || (x instanceof Int32Array && out instanceof Int32Array);
      if (!same) return reference();
      orReference(() => permute(ctx, x as Float32Array | Int32Array, shape, perm, out as Float32Array | Int32Array) || reference(), reference);
    },
    reduceSum(x: FloatArray, shape: Shape, axes: readonly number[], out: FloatArray): void {
      const reference = () => ref.reduceSum(x, shape, axes, out);
      if (f32(x) && f32(out)) orReference(() => reduceSum(ctx, x, shape, axes, out), reference);
      else reference();
    },
    reduceMax: ref.reduceMax,
    gather: ref.gather,
    scatterAdd(g: FloatArray, indices: Int32Array, out: FloatArray, unique = false): void {
      const reference = () => ref.scatterAdd(g, indices, out);
      if (f32(g) && f32(out)) orReference(() => scatterAdd(ctx, g, indices, out, unique), reference);
      else reference();
    },
    im2col(x: FloatArray, g: WindowGeometry, out: FloatArray): void {
      const reference = () => ref.im2col(x, g, out);
      if (f32(x) && f32(out)) orReference(() => im2col(ctx, x, g, out), reference);
      else reference();
    },
    col2im(col: FloatArray, g: WindowGeometry, out: FloatArray): void {
      const reference = () => ref.col2im(col, g, out);
      if (f32(col) && f32(out)) orReference(() => col2im(ctx, col, g, out), reference);
      else reference();
    },
    conv2dForward(x: FloatArray, w: FloatArray, b: FloatArray | null, fn: number, g: WindowGeometry, out: FloatArray): void {
      const reference = () => ref.conv2dForward(x, w, b, fn, g, out);
      if (f32(x) && f32(w) && (b === null || f32(b)) && f32(out)) orReference(() => conv2dForward(ctx, x, w, b, fn, g, out), reference);
      else reference();
    },
    maxPool2d(x: FloatArray, g: WindowGeometry, out: FloatArray, argIndex: Int32Array | null): void {
      const reference = () => ref.maxPool2d(x, g, out, argIndex);
      if (f32(x) && f32(out)) orReference(() => maxPool2d(ctx, x, g, out, argIndex), reference);
      else reference();
    },
    avgPool2d(x: FloatArray, g: WindowGeometry, countIncludePad: boolean, out: FloatArray): void {
      const reference = () => ref.avgPool2d(x, g, countIncludePad, out);
      if (f32(x) && f32(out)) orReference(() => avgPool2d(ctx, x, g, countIncludePad, out), reference);
      else reference();
    },
    avgPool2dBackward(grad: FloatArray, g: WindowGeometry, countIncludePad: boolean, out: FloatArray): void {
      const reference = () => ref.avgPool2dBackward(grad, g, countIncludePad, out);
      if (f32(grad) && f32(out)) orReference(() => avgPool2dBackward(ctx, grad, g, countIncludePad, out), reference);
      else reference();
    },
    softmaxCrossEntropy: ref.softmaxCrossEntropy,
    adamUpdate(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, h: AdamStep): void {
      const reference = () => ref.adamUpdate(p, g, m, v, h);
      // Small parameters (biases) are not worth a call into wasm.
      if (f32(p) && f32(g) && f32(m) && f32(v) && p.length >= ADAM_MIN) orReference(() => adamUpdate(ctx, p, g, m, v, h), reference);
      else reference();
    },
    resident: {
      alloc(size: number, zeroFill: boolean): Float32Array | null {
        try {
          return ctx.persistentArray(size, zeroFill);
        } catch (e) {
          if (!(e instanceof ArenaFull)) throw e;
          return null;
        }
      },
      free: (a: Float32Array) => ctx.freePersistent(a),
      zero: (a: Float32Array) => ctx.zero(a.byteOffset, a.length),
      has: (a: TypedArray) => !(a instanceof Float64Array) && ctx.isPersistent(a),
      bytesInUse: () => ctx.persistentBytes,
    },
    stateArray(dtype: 'float32' | 'float64', size: number): FloatArray {
      if (dtype !== 'float32' || size < ADAM_MIN) return ref.stateArray(dtype, size);
      try {
        return ctx.persistentArray(size);
      } catch (e) {
        if (!(e instanceof ArenaFull)) throw e;
        return ref.stateArray(dtype, size);
      }
    },
  };
}
