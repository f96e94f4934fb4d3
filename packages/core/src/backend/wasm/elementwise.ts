import type { Shape } from '../../shape.js';
import type { BinaryOp, UnaryOp } from '../backend.js';
import { BINARY_CODE, K_BINARY, K_UNARY, UNARY_CODE } from './jobs.js';
import { type WasmContext, split } from './context.js';

/** Elements per chunk below which another thread is not worth waking. */
const MIN_CHUNK = 1 << 16;

export function unary(ctx: WasmContext, op: UnaryOp, x: Float32Array, out: Float32Array): void {
  const n = x.length;
  if (n === 0) return;
  ctx.reset();
  const px = ctx.put(x);
  const po = ctx.alloc(n);
  const [chunks, per] = split(n, MIN_CHUNK, ctx.threads);
  ctx.run([K_UNARY, UNARY_CODE[op], px, po, n, per], chunks);
  ctx.get(po, out);
}

/**
 * The broadcast pattern of a binary op collapsed to at most 4 dimensions: dims of size 1 dropped,
 * neighbours merged where both operands continue contiguously (or stay broadcast) across them. Returns
 * null when more than 4 dimensions remain (the caller falls back to the reference kernel).
 */
export function collapseBroadcast(aShape: Shape, bShape: Shape, outShape: Shape): { dims: number[]; as: number[]; bs: number[] } | null {
  const rank = outShape.length;
  const strides = (shape: Shape): number[] => {
    const s = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      const d = rank - shape.length + i;
      s[d] = shape[i] === 1 ? 0 : acc;
      acc *= shape[i]!;
    }
    return s;
  };
  const sa = strides(aShape);
  const sb = strides(bShape);
  const dims: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let d = 0; d < rank; d++) {
    const size = outShape[d]!;
    if (size === 1) continue;
    const last = dims.length - 1;
    // Merge into the previous dim when each operand's previous stride = this stride × this size.
    if (last >= 0 && as[last] === sa[d]! * size && bs[last] === sb[d]! * size) {
      dims[last] = dims[last]! * size;
      as[last] = sa[d]!;
      bs[last] = sb[d]!;
    } else {
      dims.push(size);
      as.push(sa[d]!);
      bs.push(sb[d]!);
    }
  }
  if (dims.length > 4) return null;
  while (dims.length < 4) {
    dims.unshift(1);
    as.unshift(0);
    bs.unshift(0);
  }
  return { dims, as, bs };
}

/** Returns false (nothing written) when the op or pattern has no wasm kernel. */
export function binary(
  ctx: WasmContext,
  op: BinaryOp,
  a: Float32Array,
  aShape: Shape,
  b: Float32Array,
  bShape: Shape,
  out: Float32Array,
  outShape: Shape,
): boolean {
  const code = BINARY_CODE[op];
  if (code === undefined) return false;
  const plan = collapseBroadcast(aShape, bShape, outShape);
  if (!plan) return false;
  const n = out.length;
  if (n === 0) return true;
  const { dims, as, bs } = plan;
  ctx.reset();
  const pa = ctx.put(a);
  const pb = ctx.put(b);
  const po = ctx.alloc(n);
  const inner = dims[3]!;
  const [chunks, per] = split(n / inner, Math.ceil(MIN_CHUNK / inner), ctx.threads);
  ctx.run([K_BINARY, code, pa, pb, po, ...dims, ...as, ...bs, per], chunks);
  ctx.get(po, out);
  return true;
}
