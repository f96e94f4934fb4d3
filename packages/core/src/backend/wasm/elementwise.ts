import type { Shape } from '../../shape.js';
import type { BinaryOp, UnaryOp } from '../backend.js';
import { BINARY_CODE, K_BINARY, K_UNARY, UNARY_CODE } from './jobs.js';
import { STREAM_BLOCK, type StreamArray, type WasmContext, split } from './context.js';

/** Elements per chunk below which another thread is not worth waking. */
const MIN_CHUNK = 1 << 16;

/** Unary ops with enough arithmetic per element to be worth spreading over threads. */
const HEAVY: ReadonlySet<UnaryOp> = new Set(['exp', 'log', 'tanh', 'sigmoid']);

export function unary(ctx: WasmContext, op: UnaryOp, x: Float32Array, out: Float32Array): void {
  const n = x.length;
  if (n === 0) return;
  ctx.reset();
  if (HEAVY.has(op) && ctx.threads > 1 && n >= 2 * MIN_CHUNK) {
    const px = ctx.put(x);
    const po = ctx.output(out);
    const [chunks, per] = split(n, MIN_CHUNK, ctx.threads);
    ctx.run([K_UNARY, UNARY_CODE[op], px, po, n, per], chunks);
    ctx.get(po, out);
    return;
  }
  // Memory-bound: stream through L2-sized blocks on the main thread.
  ctx.runStreamed([K_UNARY, UNARY_CODE[op], 0, 0, n, 0], 5, n, [
    { data: x, perUnit: 1, slot: 2, io: 'in' },
    { data: out, perUnit: 1, slot: 3, io: 'out' },
  ]);
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

/** Operands up to this many elements are copied whole when streaming; larger ones must match out. */
const SMALL_OPERAND = 1 << 16;

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
  let { dims, as, bs } = plan;
  ctx.reset();
  // Every operand either matches out element for element ("full": its rows are out's rows) or is
  // small (copied whole; the kernel's odometer indexes it): then stream rows of the (rows, d3) view.
  const fullA = a.length === n;
  const fullB = b.length === n;
  const streamable = (fullA || a.length <= SMALL_OPERAND) && (fullB || b.length <= SMALL_OPERAND);
  if (streamable && dims[3]! > STREAM_BLOCK) {
    // One long row (plain elementwise, or a scalar against an array): re-view its head as rows of
    // 4096 and run the remaining tail as a second, one-row job.
    const flat = dims[0] === 1 && dims[1] === 1 && dims[2] === 1;
    if (flat) {
      const L = 4096;
      const rows = Math.floor(n / L);
      const head = rows * L;
      const view = (s: number[]) => [0, 0, s[3] === 0 ? 0 : L, s[3]!];
      streamRows(ctx, code, a, b, out, [1, 1, rows, L], view(as), view(bs), head, fullA, fullB);
      if (head < n) {
        const tail = n - head;
        const sub = (x: Float32Array, full: boolean) => (full ? x.subarray(head) : x);
        streamRows(ctx, code, sub(a, fullA), sub(b, fullB), out.subarray(head), [1, 1, 1, tail], [0, 0, 0, as[3]!], [0, 0, 0, bs[3]!], tail, fullA, fullB);
      }
      return true;
    }
  } else if (streamable) {
    streamRows(ctx, code, a, b, out, dims, as, bs, n, fullA, fullB);
    return true;
  }
  const pa = ctx.put(a);
  const pb = ctx.put(b);
  const po = ctx.output(out);
  const inner = dims[3]!;
  const [chunks, per] = split(n / inner, Math.ceil(MIN_CHUNK / inner), ctx.threads);
  ctx.run([K_BINARY, code, pa, pb, po, ...dims, ...as, ...bs, per], chunks);
  ctx.get(po, out);
  return true;
}

/** Streams the rows of the (d0·d1·d2, d3) view: full operands and out by row blocks, small ones whole. */
function streamRows(
  ctx: WasmContext,
  code: number,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  dims: number[],
  as: number[],
  bs: number[],
  n: number,
  fullA: boolean,
  fullB: boolean,
): void {
  const d3 = dims[3]!;
  const slots = [K_BINARY, code, 0, 0, 0, ...dims, ...as, ...bs, 0];
  // Whole arrays even when only their first n elements are used (a head of rows): a subarray would not
  // be recognised as lying in wasm memory. The kernel touches elements [0, n) only.
  const streams: StreamArray[] = [{ data: out, perUnit: d3, slot: 4, io: 'out' }];
  if (fullA) streams.push({ data: a, perUnit: d3, slot: 2, io: 'in' });
  else slots[2] = ctx.put(a);
  if (fullB) streams.push({ data: b, perUnit: d3, slot: 3, io: 'in' });
  else slots[3] = ctx.put(b);
  ctx.runStreamed(slots, 17, n / d3, streams);
}
