import type { Shape } from '../../shape.js';
import { K_PERMUTE, K_REDUCE_SUM, K_SCATTER_ADD } from './jobs.js';
import { STREAM_BLOCK, type WasmContext, split } from './context.js';

const MIN_CHUNK = 1 << 16;

/**
 * Merges reduced axes that are neighbours and kept axes that are neighbours (dropping size-1 axes),
 * giving alternating runs; returns the run sizes and which runs are reduced.
 */
function reductionRuns(shape: Shape, axes: readonly number[]): { sizes: number[]; reduced: boolean[] } {
  const isReduced = new Array<boolean>(shape.length).fill(false);
  for (const a of axes) isReduced[a] = true;
  const sizes: number[] = [];
  const reduced: boolean[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = sizes.length - 1;
    if (last >= 0 && reduced[last] === isReduced[d]) sizes[last] = sizes[last]! * shape[d]!;
    else {
      sizes.push(shape[d]!);
      reduced.push(isReduced[d]!);
    }
  }
  return { sizes, reduced };
}

/**
 * Sum over `axes`, f64 accumulation inside each pass. Axis runs are reduced one at a time from the
 * last (each a (pre, red, post) pass, intermediates in the arena), like the reference.
 */
export function reduceSum(ctx: WasmContext, x: Float32Array, shape: Shape, axes: readonly number[], out: Float32Array): void {
  if (out.length === 0) return;
  if (x.length === 0) {
    out.fill(0);
    return;
  }
  const { sizes, reduced } = reductionRuns(shape, axes);
  ctx.reset();
  let cur = ctx.put(x);
  let curSizes = sizes.slice();
  let curReduced = reduced.slice();
  let passes = 0;
  for (let r = curSizes.length - 1; r >= 0; r--) {
    if (!curReduced[r]) continue;
    const pre = curSizes.slice(0, r).reduce((p, d) => p * d, 1);
    const red = curSizes[r]!;
    const post = curSizes.slice(r + 1).reduce((p, d) => p * d, 1);
    const dst = ctx.alloc(pre * post);
    const units = post === 1 ? pre : pre * Math.ceil(post / 512);
    const [chunks, per] = split(units, Math.ceil(MIN_CHUNK / (post === 1 ? red : red * Math.min(post, 512))), ctx.threads);
    ctx.run([K_REDUCE_SUM, cur, dst, pre, red, post, per, ctx.scratch, ctx.scratchStride], chunks);
    cur = dst;
    curSizes = [...curSizes.slice(0, r), ...curSizes.slice(r + 1)];
    curReduced = [...curReduced.slice(0, r), ...curReduced.slice(r + 1)];
    passes++;
  }
  if (passes === 0) {
    // Only size-1 axes reduced: a copy.
    out.set(x.subarray(0, out.length));
    return;
  }
  ctx.get(cur, out);
}

/**
 * Permutes by merging axes that stay neighbours in the same order; returns false unless what remains
 * is an identity or a batched 2-D transpose (batch, rows, cols) → (batch, cols, rows), the patterns
 * conv2d and transpose produce. Works on the bits, so float32 and int32 alike.
 */
export function permute(ctx: WasmContext, x: Float32Array | Int32Array, shape: Shape, perm: readonly number[], out: Float32Array | Int32Array): boolean {
  const n = x.length;
  if (n === 0) return true;
  // Non-trivial input axes, numbered by their position among themselves; size-1 axes do not matter.
  const rank = new Map<number, number>();
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) rank.set(d, rank.size);
  // Output axes grouped into runs of consecutive input axes.
  const groups: { first: number; last: number; size: number }[] = [];
  for (const p of perm) {
    const r = rank.get(p);
    if (r === undefined) continue;
    const g = groups[groups.length - 1];
    if (g && g.last + 1 === r) {
      g.last = r;
      g.size *= shape[p]!;
    } else groups.push({ first: r, last: r, size: shape[p]! });
  }
  const k = groups.length;
  if (k <= 1) {
    if (x instanceof Float32Array && out instanceof Float32Array) out.set(x);
    else if (x instanceof Int32Array && out instanceof Int32Array) out.set(x);
    else return false;
    return true;
  }
  // A batched transpose: the groups in input order are [...batch, A, B], in output order [...batch, B, A].
  const inputOrder = [...groups].sort((g, h) => g.first - h.first);
  for (let i = 0; i < k - 2; i++) if (groups[i] !== inputOrder[i]) return false;
  if (groups[k - 2] !== inputOrder[k - 1] || groups[k - 1] !== inputOrder[k - 2]) return false;
  const batch = groups.slice(0, k - 2).reduce((p, g) => p * g.size, 1);
  const rows = inputOrder[k - 2]!.size;
  const cols = inputOrder[k - 1]!.size;
  ctx.reset();
  const tilesPerBatch = Math.ceil(rows / 32) * Math.ceil(cols / 32);
  if (rows * cols <= 4 * STREAM_BLOCK) {
    // Memory-bound: stream batches through L2-sized blocks (the kernel's chunks count 32×32 tiles).
    ctx.runStreamed([K_PERMUTE, 0, 0, batch, rows, cols, 0], 6, batch, [
      { data: x, perUnit: rows * cols, slot: 1, io: 'in' },
      { data: out, perUnit: rows * cols, slot: 2, io: 'out' },
    ], { perScale: tilesPerBatch });
    return true;
  }
  const px = ctx.put(x);
  const po = ctx.output(out);
  const [chunks, per] = split(batch * tilesPerBatch, Math.ceil(MIN_CHUNK / 1024), ctx.threads);
  ctx.run([K_PERMUTE, px, po, batch, rows, cols, per], chunks);
  ctx.get(po, out);
  return true;
}

/**
 * out[indices[i]] += g[i] (index -1 skipped) on the main thread: g and the indices stream in, out is
 * built in the arena and copied out once. out is zero on entry (the Backend contract), so it is not
 * read: a fresh array is only written, never read and then written (which costs two page faults per
 * page instead of one). An out in wasm memory (a persistent array) is added into where it lies.
 */
export function scatterAdd(ctx: WasmContext, g: Float32Array, indices: Int32Array, out: Float32Array, unique: boolean): void {
  if (out.length === 0 || g.length === 0) return;
  ctx.reset();
  const po = ctx.output(out);
  if (!ctx.isPersistent(out)) ctx.zero(po, out.length);
  // serial unless no index repeats: two chunks could add into the same element of out
  ctx.runStreamed([K_SCATTER_ADD, 0, 0, po, g.length, 0], 5, g.length, [
    { data: g, perUnit: 1, slot: 1, io: 'in' },
    { data: indices, perUnit: 1, slot: 2, io: 'in' },
  ], { serial: !unique });
  ctx.get(po, out);
}
