import type { WindowGeometry } from '../backend.js';
import { K_AVGPOOL, K_AVGPOOL_BWD, K_COL2IM, K_IM2COL, K_MAXPOOL } from './jobs.js';
import { type WasmContext, split } from './context.js';

/** Descriptor slots 4..15: the window geometry in the kernels' order. */
function geometry(g: WindowGeometry): number[] {
  return [g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow];
}

/** Units of about this many output floats make a chunk worth handing to another thread. */
const MIN_CHUNK_FLOATS = 1 << 15;

export function im2col(ctx: WasmContext, x: Float32Array, g: WindowGeometry, out: Float32Array): void {
  if (out.length === 0) return;
  ctx.reset();
  const px = ctx.put(x);
  const po = ctx.alloc(out.length);
  const rowFloats = g.ow * g.c * g.kh * g.kw; // floats per unit (one (n,oy) output row group)
  const [chunks, per] = split(g.n * g.oh, Math.ceil(MIN_CHUNK_FLOATS / Math.max(1, rowFloats)), ctx.threads);
  ctx.run([K_IM2COL, px, po, 0, ...geometry(g), per], chunks);
  ctx.get(po, out);
}

export function col2im(ctx: WasmContext, col: Float32Array, g: WindowGeometry, out: Float32Array): void {
  if (out.length === 0) return;
  ctx.reset();
  const pc = ctx.put(col);
  // out's initial values are kept (the reference accumulates into out).
  const po = ctx.put(out);
  const imageFloats = g.oh * g.ow * g.c * g.kh * g.kw;
  const [chunks, per] = split(g.n, Math.ceil(MIN_CHUNK_FLOATS / Math.max(1, imageFloats)), ctx.threads);
  ctx.run([K_COL2IM, pc, po, 0, ...geometry(g), per], chunks);
  ctx.get(po, out);
}

export function maxPool2d(ctx: WasmContext, x: Float32Array, g: WindowGeometry, out: Float32Array, argIndex: Int32Array): void {
  if (out.length === 0) return;
  ctx.reset();
  const px = ctx.put(x);
  const po = ctx.alloc(out.length);
  const pi = ctx.alloc(out.length);
  const [chunks, per] = split(g.n * g.c, Math.ceil(MIN_CHUNK_FLOATS / Math.max(1, g.h * g.w)), ctx.threads);
  ctx.run([K_MAXPOOL, px, po, pi, ...geometry(g), per], chunks);
  ctx.get(po, out);
  ctx.get(pi, argIndex);
}

export function avgPool2d(ctx: WasmContext, x: Float32Array, g: WindowGeometry, countIncludePad: boolean, out: Float32Array): void {
  if (out.length === 0) return;
  ctx.reset();
  const px = ctx.put(x);
  const po = ctx.alloc(out.length);
  const [chunks, per] = split(g.n * g.c, Math.ceil(MIN_CHUNK_FLOATS / Math.max(1, g.h * g.w)), ctx.threads);
  ctx.run([K_AVGPOOL, px, po, 0, ...geometry(g), per, countIncludePad ? 1 : 0], chunks);
  ctx.get(po, out);
}

export function avgPool2dBackward(ctx: WasmContext, grad: Float32Array, g: WindowGeometry, countIncludePad: boolean, out: Float32Array): void {
  if (out.length === 0) return;
  ctx.reset();
  const pg = ctx.put(grad);
  const po = ctx.put(out);
  const [chunks, per] = split(g.n * g.c, Math.ceil(MIN_CHUNK_FLOATS / Math.max(1, g.h * g.w)), ctx.threads);
  ctx.run([K_AVGPOOL_BWD, pg, po, 0, ...geometry(g), per, countIncludePad ? 1 : 0], chunks);
  ctx.get(po, out);
}
