import type { FloatArray, TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import { sameShape, sizeOf, stridesOf } from '../../shape.js';
import type { BinaryOp, UnaryOp } from '../backend.js';

type Binary = (x: number, y: number) => number;
const BINARY: Record<BinaryOp, Binary> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  pow: (x, y) => Math.pow(x, y),
  maximum: (x, y) => (x >= y || Number.isNaN(x) ? x : y),
  gt: (x, y) => (x > y ? 1 : 0),
  eq: (x, y) => (x === y ? 1 : 0),
  mulStep: (x, y) => x * (y > 0 ? 1 : 0),
};

/** Strides of `shape` seen from `outShape`: 0 on broadcast (size-1 or missing) dimensions. */
function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, i) => (i < offset || shape[i - offset] === 1 ? 0 : own[i - offset]!));
}

export function binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void {
  const f = BINARY[op];
  const n = out.length;
  // (both operands may have one shape and still broadcast to a larger output: broadcastTo of a 0-d x)
  if (sameShape(aShape, bShape) && sameShape(aShape, outShape)) {
    if (op === 'mulStep' && a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) {
      mulStepFloat32(a, b, out);
      return;
    }
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
    return;
  }
  if (b.length === 1 && sameShape(aShape, outShape)) {
    const y = b[0]!;
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, y);
    return;
  }
  if (a.length === 1 && sameShape(bShape, outShape)) {
    const x = a[0]!;
    for (let i = 0; i < n; i++) out[i] = f(x, b[i]!);
    return;
  }
  // General case: walk the output with an odometer over all but the last dimension; the innermost
  // dimension is a tight loop with fixed strides.
  const rank = outShape.length;
  const as = broadcastStrides(aShape, outShape);
  const bs = broadcastStrides(bShape, outShape);
  const inner = outShape[rank - 1]!;
  const ai = as[rank - 1]!;
  const bi = bs[rank - 1]!;
  const outer = sizeOf(outShape) / inner;
  const counter = new Array<number>(rank).fill(0);
  let ao = 0;
  let bo = 0;
  let o = 0;
  for (let row = 0; row < outer; row++) {
    for (let j = 0; j < inner; j++) out[o++] = f(a[ao + j * ai]!, b[bo + j * bi]!);
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]!++;
      ao += as[d]!;
      bo += bs[d]!;
      if (counter[d]! < outShape[d]!) break;
      ao -= as[d]! * outShape[d]!;
      bo -= bs[d]! * outShape[d]!;
      counter[d] = 0;
    }
  }
}

/**
 * out = a · step(b) on float32 arrays of one length: relu's VJP on every large activation, in one
 * monomorphic pass (the generic loop's call through the op table is several times slower). The wasm
 * backend has no kernel for it and runs this one.
 */
function mulStepFloat32(a: Float32Array, b: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i]! * (b[i]! > 0 ? 1 : 0);
}

/** Sigmoid that is exact at both tails: never exp of a large positive number. */
export function stableSigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  sigmoid: stableSigmoid,
  relu: (x) => (x > 0 ? x : 0),
  step: (x) => (x > 0 ? 1 : 0),
  abs: Math.abs,
  square: (x) => x * x,
};

export function unary(op: UnaryOp, x: FloatArray, out: FloatArray): void {
  const f = UNARY[op];
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
}
