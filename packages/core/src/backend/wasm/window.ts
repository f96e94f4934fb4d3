import type { WindowGeometry } from '../backend.js';
import { K_AVGPOOL, K_AVGPOOL_BWD, K_COL2IM, K_IM2COL, K_MAXPOOL } from './jobs.js';
import type { WasmContext } from './context.js';

/*
 * The window kernels are memory-bound (a few operations per element moved), so they stream: images or
 * planes go through L2-sized arena blocks on the main thread, each input read once and each output
 * written once (see WasmContext.runStreamed).
 */

/** Descriptor slots 4..15: the window geometry in the kernels' order. */
function geometry(g: WindowGeometry): number[] {
  return [g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow];
}

/** Descriptor: 1 x/col/grad, 2 out, 3 argIndex, 4..15 geometry, 16 units per chunk, 17 countIncludePad. */
const PER = 16;

export function im2col(ctx: WasmContext, x: Float32Array, g: WindowGeometry, out: Float32Array): void {
  if (out.length === 0) return;
  ctx.reset();
  // Units are images; the kernel's chunks count (image, output row) pairs, oh per image.
  ctx.runStreamed([K_IM2COL, 0, 0, 0, ...geometry(g), 0], PER, g.n, [
    { data: x, perUnit: g.c * g.h * g.w, slot: 1, io: 'in' },
    { data: out, perUnit: g.oh * g.ow * g.c * g.kh * g.kw, slot: 2, io: 'out' },
  ], { perScale: g.oh });
}

export function col2im(ctx: WasmContext, col: Float32Array, g: WindowGeometry, out: Float32Array): void {
  if (out.length === 0) return;
  ctx.reset();
  // out's initial values are kept (the reference accumulates into out).
  ctx.runStreamed([K_COL2IM, 0, 0, 0, ...geometry(g), 0], PER, g.n, [
    { data: col, perUnit: g.oh * g.ow * g.c * g.kh * g.kw, slot: 1, io: 'in' },
    { data: out, perUnit: g.c * g.h * g.w, slot: 2, io: 'inout' },
  ]);
}

const NO_DATA = new Int32Array(0);

export function maxPool2d(ctx: WasmContext, x: Float32Array, g: WindowGeometry, out: Float32Array, argIndex: Int32Array | null): void {
  if (out.length === 0) return;
  ctx.reset();
  // Units are (n,c) planes. argIndex holds flat indices into x: the kernel computes them from the
  // plane number, so streaming does not change them.
  ctx.runStreamed([K_MAXPOOL, 0, 0, 0, ...geometry(g), 0], PER, g.n * g.c, [
    { data: x, perUnit: g.h * g.w, slot: 1, io: 'in' },
    { data: out, perUnit: g.oh * g.ow, slot: 2, io: 'out' },
    // without argIndex the kernel still writes indices: into a block buffer that is never copied out
    argIndex === null ? { data: NO_DATA, perUnit: g.oh * g.ow, slot: 3, io: 'scratch' } : { data: argIndex, perUnit: g.oh * g.ow, slot: 3, io: 'out' },
  ]);
}

export function avgPool2d(ctx: WasmContext, x: Float32Array, g: WindowGeometry, countIncludePad: boolean, out: Float32Array): void {
  if (out.length === 0) return;
  ctx.reset();
  ctx.runStreamed([K_AVGPOOL, 0, 0, 0, ...geometry(g), 0, countIncludePad ? 1 : 0], PER, g.n * g.c, [
    { data: x, perUnit: g.h * g.w, slot: 1, io: 'in' },
    { data: out, perUnit: g.oh * g.ow, slot: 2, io: 'out' },
  ]);
}

export function avgPool2dBackward(ctx: WasmContext, grad: Float32Array, g: WindowGeometry, countIncludePad: boolean, out: Float32Array): void {
  if (out.length === 0) return;
  ctx.reset();
  ctx.runStreamed([K_AVGPOOL_BWD, 0, 0, 0, ...geometry(g), 0, countIncludePad ? 1 : 0], PER, g.n * g.c, [
    { data: grad, perUnit: g.oh * g.ow, slot: 1, io: 'in' },
    { data: out, perUnit: g.h * g.w, slot: 2, io: 'inout' },
  ]);
}
