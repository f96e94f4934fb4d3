import type { WindowGeometry } from '../backend.js';
import { type WasmContext, split } from './context.js';
import { K_CONV2D } from './jobs.js';

/*
 * conv2d's forward as one kernel (assembly/conv.ts): per image and block of output rows, GEMM panels are
 * packed straight from the image, multiplied against the filters into NCHW, and the bias added. Images
 * go through the arena in rounds: a round's inputs are copied in, its units run across the pool, its
 * outputs are copied out while they are still in cache, so neither the whole input nor the whole output
 * is staged.
 */

/** Window values (output positions × C·KH·KW) of one unit of work at most, unless one output row is larger. */
const UNIT_CAP = 1 << 16;
/**
 * Floats of input plus output staged per round (8 MiB, within the last-level cache). Every round is one
 * job on the pool: fewer, larger rounds lose less to a thread the OS has paused (measured on a loaded
 * 2-core machine: 2 MiB rounds were slower).
 */
const ROUND = 1 << 21;
/** Multiply-adds below which a chunk is not worth handing to another thread. */
const CHUNK_MIN_MACS = 1 << 18;

/** out (N,FN,OH,OW) = x ⋆ w (+ b) for float32 arrays (see Backend.conv2dForward). */
export function conv2dForward(
  ctx: WasmContext,
  x: Float32Array,
  w: Float32Array,
  b: Float32Array | null,
  fn: number,
  g: WindowGeometry,
  out: Float32Array,
): void {
  if (out.length === 0) return;
  const k = g.c * g.kh * g.kw;
  const p = g.oh * g.ow;
  if (k === 0) {
    // No input channels: every output is its filter's bias (or 0).
    for (let i = 0; i < g.n * fn; i++) out.fill(b ? b[i % fn]! : 0, i * p, (i + 1) * p);
    return;
  }
  ctx.reset();
  const pw = ctx.put(w);
  const pb = b ? ctx.put(b) : 0;
  const rows = Math.max(1, Math.min(g.oh, Math.floor(UNIT_CAP / (g.ow * k))));
  const blocks = Math.ceil(g.oh / rows);
  const inPer = g.c * g.h * g.w;
  const outPer = fn * p;
  const images = Math.max(1, Math.min(g.n, Math.floor(ROUND / (inPer + outPer))));
  const px = ctx.alloc(images * inPer);
  const po = ctx.alloc(images * outPer);
  const macsPerUnit = rows * g.ow * k * fn;
  const geometry = (count: number) => [count, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow];
  for (let i0 = 0; i0 < g.n; i0 += images) {
    const count = Math.min(images, g.n - i0);
    ctx.copyIn(px, x, i0 * inPer, count * inPer);
    const [chunks, per] = split(count * blocks, Math.ceil(CHUNK_MIN_MACS / macsPerUnit), ctx.threads);
    ctx.run([K_CONV2D, px, pw, pb, po, ...geometry(count), fn, rows, per, ctx.scratch, ctx.scratchStride], chunks);
    ctx.copyOut(po, out, i0 * outPer, count * outPer);
  }
}
