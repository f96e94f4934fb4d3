import type { RefArray } from '../op-table/types.js';
import { type Geometry, naiveAvgPool2d, naiveConv2d, naiveIm2col, naiveMaxPool2d, outSize } from '../conv/naive.js';
import { type Reject, reject } from './harness.js';
import { MAX_ELEMENTS, isNonNegativeInt, isPositiveInt, sizeProblem } from './rules.js';

/*
 * The window rules (kernel, stride and pad: a number or an [h, w] pair; kernel and stride positive,
 * pad non-negative; a non-empty output) and the references of the sliding-window ops: the direct
 * nested loops of test/conv/naive.ts, plus the two adjoints written the same way.
 */

export type Pair = [number, number];

/** A number or an [h, w] pair, each entry passing `ok`; null otherwise. */
export function pairOf(v: unknown, ok: (x: unknown) => boolean): Pair | null {
  if (Array.isArray(v)) return v.length === 2 && ok(v[0]) && ok(v[1]) ? [v[0] as number, v[1] as number] : null;
  return ok(v) ? [v as number, v as number] : null;
}

export interface Window {
  kernel: Pair;
  stride: Pair;
  pad: Pair;
}

/** Checks kernel, stride and pad; `strideDefault` is the kernel for pools, 1 otherwise. */
export function windowOf(kernel: unknown, stride: unknown, pad: unknown): Window | Reject {
  const k = pairOf(kernel, isPositiveInt);
  if (k === null) return reject(`kernel ${String(kernel)}`);
  const s = pairOf(stride, isPositiveInt);
  if (s === null) return reject(`stride ${String(stride)}`);
  const p = pairOf(pad, isNonNegativeInt);
  if (p === null) return reject(`pad ${String(pad)}`);
  return { kernel: k, stride: s, pad: p };
}

/** Options objects of the window ops: an object that names a kernel. */
export function windowOptions(options: unknown): Record<string, unknown> | null {
  if (typeof options !== 'object' || options === null || (options as { kernel?: unknown }).kernel === undefined) return null;
  return options as Record<string, unknown>;
}

/** Pooling: stride defaults to the kernel, pad to 0, pad at most half the kernel, countIncludePad a boolean. */
export function poolWindow(options: unknown): (Window & { countIncludePad: boolean }) | Reject {
  const o = windowOptions(options);
  if (o === null) return reject('options without a kernel');
  const w = windowOf(o.kernel, o.stride ?? o.kernel, o.pad ?? 0);
  if ('reject' in w) return w;
  if (2 * w.pad[0] > w.kernel[0] || 2 * w.pad[1] > w.kernel[1]) return reject('pad more than half the kernel');
  const cip = o.countIncludePad ?? true;
  if (typeof cip !== 'boolean') return reject('countIncludePad is not a boolean');
  return { ...w, countIncludePad: cip };
}

/** The geometry of `w` over an (N,C,H,W) input, or why there is none (empty or oversized output). */
export function geometryOf(xShape: readonly number[], w: Window): (Geometry & { oh: number; ow: number }) | Reject {
  const [n, c, h, ww] = xShape as [number, number, number, number];
  if (h + 2 * w.pad[0] > MAX_ELEMENTS || ww + 2 * w.pad[1] > MAX_ELEMENTS) return reject('a padded input beyond the int32 range');
  const g: Geometry = { n, c, h, w: ww, kh: w.kernel[0], kw: w.kernel[1], sh: w.stride[0], sw: w.stride[1], ph: w.pad[0], pw: w.pad[1] };
  const [oh, ow] = outSize(g);
  if (oh < 1 || ow < 1) return reject('empty output');
  const big = sizeProblem([n, c, oh, ow]) ?? sizeProblem([n * oh * ow, 0]);
  if (big !== null) return reject(big);
  return { ...g, oh, ow };
}

/** The naive loops visit every kernel cell: make sure an accepted case is small enough to loop over. */
function loopable(g: Geometry): void {
  if (g.kh * g.kw > 1e4) throw new Error(`reference: a ${g.kh}×${g.kw} window is too large for the naive loops`);
}

export function refIm2col(x: RefArray, g: Geometry & { oh: number; ow: number }): RefArray {
  loopable(g);
  return { data: naiveIm2col(x.data, g), shape: [g.n * g.oh * g.ow, g.c * g.kh * g.kw] };
}

/** The adjoint of im2col: every column entry added back to the cell it was read from. */
export function refCol2im(col: RefArray, g: Geometry & { oh: number; ow: number }): RefArray {
  loopable(g);
  const out = new Float64Array(g.n * g.c * g.h * g.w);
  const cols = g.c * g.kh * g.kw;
  for (let b = 0; b < g.n; b++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++)
        for (let ch = 0; ch < g.c; ch++)
          for (let ky = 0; ky < g.kh; ky++)
            for (let kx = 0; kx < g.kw; kx++) {
              const y = oy * g.sh - g.ph + ky;
              const xx = ox * g.sw - g.pw + kx;
              if (y < 0 || y >= g.h || xx < 0 || xx >= g.w) continue;
              out[((b * g.c + ch) * g.h + y) * g.w + xx]! += col.data[((b * g.oh + oy) * g.ow + ox) * cols + (ch * g.kh + ky) * g.kw + kx]!;
            }
  return { data: out, shape: [g.n, g.c, g.h, g.w] };
}

/** Max over each window's real cells; NaN wins, as in every tapegrad maximum (naive.ts ignores NaN). */
export function refMaxPool(x: RefArray, g: Geometry & { oh: number; ow: number }): RefArray {
  loopable(g);
  const hasNaN = x.data.some(Number.isNaN);
  if (!hasNaN) return { data: naiveMaxPool2d(x.data, g).out, shape: [g.n, g.c, g.oh, g.ow] };
  const out = new Float64Array(g.n * g.c * g.oh * g.ow);
  let o = 0;
  for (let p = 0; p < g.n * g.c; p++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++, o++) {
        let best = -Infinity;
        for (let ky = 0; ky < g.kh; ky++)
          for (let kx = 0; kx < g.kw; kx++) {
            const y = oy * g.sh - g.ph + ky;
            const xx = ox * g.sw - g.pw + kx;
            if (y < 0 || y >= g.h || xx < 0 || xx >= g.w) continue;
            const v = x.data[(p * g.h + y) * g.w + xx]!;
            if (v > best || Number.isNaN(v)) best = v;
          }
        out[o] = best;
      }
  return { data: out, shape: [g.n, g.c, g.oh, g.ow] };
}

export function refAvgPool(x: RefArray, g: Geometry & { oh: number; ow: number }, cip: boolean): RefArray {
  loopable(g);
  return { data: naiveAvgPool2d(x.data, g, cip), shape: [g.n, g.c, g.oh, g.ow] };
}

/** The adjoint of average pooling: each output gradient spread over its window's real cells. */
export function refAvgPoolBackward(grad: RefArray, g: Geometry & { oh: number; ow: number }, cip: boolean): RefArray {
  loopable(g);
  const out = new Float64Array(g.n * g.c * g.h * g.w);
  let o = 0;
  for (let p = 0; p < g.n * g.c; p++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++, o++) {
        const cells: number[] = [];
        for (let ky = 0; ky < g.kh; ky++)
          for (let kx = 0; kx < g.kw; kx++) {
            const y = oy * g.sh - g.ph + ky;
            const xx = ox * g.sw - g.pw + kx;
            if (y >= 0 && y < g.h && xx >= 0 && xx < g.w) cells.push((p * g.h + y) * g.w + xx);
          }
        const d = cip ? g.kh * g.kw : cells.length;
        for (const i of cells) out[i]! += grad.data[o]! / d;
      }
  return { data: out, shape: [g.n, g.c, g.h, g.w] };
}

export function refConv(x: RefArray, w: RefArray, b: RefArray | undefined, g: Geometry & { oh: number; ow: number }): RefArray {
  loopable(g);
  const fn = w.shape[0]!;
  return { data: naiveConv2d(x.data, w.data, b ? b.data : null, fn, g), shape: [g.n, fn, g.oh, g.ow] };
}
