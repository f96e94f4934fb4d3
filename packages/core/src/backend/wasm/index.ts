import type { FloatArray, TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import type { Backend, BinaryOp, UnaryOp, WindowGeometry } from '../backend.js';
import { referenceBackend } from '../reference/index.js';
import { WasmContext } from './context.js';
import { binary, unary } from './elementwise.js';
import { gemm } from './gemm.js';
import { permute, reduceSum } from './layout.js';
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

/**
 * Creates the WebAssembly SIMD backend: float32 kernels on a shared memory, split across worker
 * threads for large problems. float64 and int32 data, and kernels with no wasm version (reduceMax,
 * gather, scatterAdd, softmaxCrossEntropy, pow, unusual broadcasts and permutations), go to the
 * reference backend. Throws when the module cannot be loaded (for instance, not built).
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
      if (f32(a) && f32(b) && f32(out) && binary(ctx, op, a, aShape, b, bShape, out, outShape)) return;
      ref.binary(op, a, aShape, b, bShape, out, outShape);
    },
    unary(op: UnaryOp, x: FloatArray, out: FloatArray): void {
      if (f32(x) && f32(out)) unary(ctx, op, x, out);
      else ref.unary(op, x, out);
    },
    matmul(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
      if (f32(a) && f32(b) && f32(out)) gemm(ctx, a, b, out, m, k, n, transA, transB);
      else ref.matmul(a, b, out, m, k, n, transA, transB);
    },
    permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void {
      const same = (f32(x) && f32(out)) || (x instanceof Int32Array && out instanceof Int32Array);
      if (same && permute(ctx, x as Float32Array | Int32Array, shape, perm, out as Float32Array | Int32Array)) return;
      ref.permute(x, shape, perm, out);
    },
    reduceSum(x: FloatArray, shape: Shape, axes: readonly number[], out: FloatArray): void {
      if (f32(x) && f32(out)) reduceSum(ctx, x, shape, axes, out);
      else ref.reduceSum(x, shape, axes, out);
    },
    reduceMax: ref.reduceMax,
    gather: ref.gather,
    scatterAdd: ref.scatterAdd,
    im2col(x: FloatArray, g: WindowGeometry, out: FloatArray): void {
      if (f32(x) && f32(out)) im2col(ctx, x, g, out);
      else ref.im2col(x, g, out);
    },
    col2im(col: FloatArray, g: WindowGeometry, out: FloatArray): void {
      if (f32(col) && f32(out)) col2im(ctx, col, g, out);
      else ref.col2im(col, g, out);
    },
    maxPool2d(x: FloatArray, g: WindowGeometry, out: FloatArray, argIndex: Int32Array): void {
      if (f32(x) && f32(out)) maxPool2d(ctx, x, g, out, argIndex);
      else ref.maxPool2d(x, g, out, argIndex);
    },
    avgPool2d(x: FloatArray, g: WindowGeometry, countIncludePad: boolean, out: FloatArray): void {
      if (f32(x) && f32(out)) avgPool2d(ctx, x, g, countIncludePad, out);
      else ref.avgPool2d(x, g, countIncludePad, out);
    },
    avgPool2dBackward(grad: FloatArray, g: WindowGeometry, countIncludePad: boolean, out: FloatArray): void {
      if (f32(grad) && f32(out)) avgPool2dBackward(ctx, grad, g, countIncludePad, out);
      else ref.avgPool2dBackward(grad, g, countIncludePad, out);
    },
    softmaxCrossEntropy: ref.softmaxCrossEntropy,
  };
}
