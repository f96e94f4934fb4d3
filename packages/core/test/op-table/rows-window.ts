import {
  DTypeError,
  ShapeError,
  ValueError,
  avgPool2d,
  avgPool2dBackward,
  col2im,
  conv2d,
  im2col,
  maxPool2d,
  zeros,
} from '@tapegrad/core';
import { type AnyOpRow, type RefArray, row } from './types.js';

/*
 * Rows for the sliding-window ops. The references below are written from the definitions with plain
 * nested loops over (n, c, oy, ox, ky, kx) and bounds tests on every cell — deliberately nothing like the
 * kernels' clipped row loops — so they are an independent check.
 */

type Pair = [number, number];
interface Win {
  kernel: Pair;
  stride: Pair;
  pad: Pair;
}

const x4 = (shape: readonly number[]) => shape as [number, number, number, number];

function outHW(h: number, w: number, a: Win): Pair {
  return [Math.floor((h + 2 * a.pad[0] - a.kernel[0]) / a.stride[0]) + 1, Math.floor((w + 2 * a.pad[1] - a.kernel[1]) / a.stride[1]) + 1];
}

/** Calls visit(outFlat, xFlat | -1) for every (output cell, window cell) pair in row-major order. */
function eachWindowCell(xShape: readonly number[], a: Win, visit: (o: number, xi: number) => void): void {
  const [n, c, h, w] = x4(xShape);
  const [oh, ow] = outHW(h, w, a);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const o = ((b * c + ch) * oh + oy) * ow + ox;
          for (let ky = 0; ky < a.kernel[0]; ky++)
            for (let kx = 0; kx < a.kernel[1]; kx++) {
              const y = oy * a.stride[0] - a.pad[0] + ky;
              const xx = ox * a.stride[1] - a.pad[1] + kx;
              const inside = y >= 0 && y < h && xx >= 0 && xx < w;
              visit(o, inside ? ((b * c + ch) * h + y) * w + xx : -1);
            }
        }
}

/** (row, column) of im2col for output (n,oy,ox) and window cell (c,ky,kx), with the x index or -1. */
function eachColCell(xShape: readonly number[], a: Win, visit: (colFlat: number, xi: number) => void): void {
  const [n, c, h, w] = x4(xShape);
  const [oh, ow] = outHW(h, w, a);
  const cols = c * a.kernel[0] * a.kernel[1];
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ch = 0; ch < c; ch++)
          for (let ky = 0; ky < a.kernel[0]; ky++)
            for (let kx = 0; kx < a.kernel[1]; kx++) {
              const y = oy * a.stride[0] - a.pad[0] + ky;
              const xx = ox * a.stride[1] - a.pad[1] + kx;
              const r = (b * oh + oy) * ow + ox;
              const inside = y >= 0 && y < h && xx >= 0 && xx < w;
              visit(r * cols + (ch * a.kernel[0] + ky) * a.kernel[1] + kx, inside ? ((b * c + ch) * h + y) * w + xx : -1);
            }
}

function pooledShape(xShape: readonly number[], a: Win): number[] {
  const [n, c, h, w] = x4(xShape);
  return [n, c, ...outHW(h, w, a)];
}

function colShape(xShape: readonly number[], a: Win): number[] {
  const [n, c, h, w] = x4(xShape);
  const [oh, ow] = outHW(h, w, a);
  return [n * oh * ow, c * a.kernel[0] * a.kernel[1]];
}

function refIm2col(x: RefArray, a: Win): RefArray {
  const shape = colShape(x.shape, a);
  const data = new Float64Array(shape[0]! * shape[1]!);
  eachColCell(x.shape, a, (ci, xi) => (data[ci] = xi < 0 ? 0 : x.data[xi]!));
  return { data, shape };
}

function refCol2im(col: RefArray, xShape: number[], a: Win): RefArray {
  const data = new Float64Array(xShape.reduce((p, d) => p * d, 1));
  eachColCell(xShape, a, (ci, xi) => {
    if (xi >= 0) data[xi]! += col.data[ci]!;
  });
  return { data, shape: xShape };
}

function refMaxPool(x: RefArray, a: Win): RefArray {
  const shape = pooledShape(x.shape, a);
  const data = new Float64Array(shape.reduce((p, d) => p * d, 1)).fill(-Infinity);
  eachWindowCell(x.shape, a, (o, xi) => (data[o] = Math.max(data[o]!, xi < 0 ? -Infinity : x.data[xi]!)));
  return { data, shape };
}

/** Per output cell: the divisor (kh·kw, or the count of real cells). */
function divisors(xShape: readonly number[], a: Win, countIncludePad: boolean): Float64Array {
  const size = pooledShape(xShape, a).reduce((p, d) => p * d, 1);
  const d = new Float64Array(size);
  eachWindowCell(xShape, a, (o, xi) => (d[o]! += countIncludePad || xi >= 0 ? 1 : 0));
  return d;
}

function refAvgPool(x: RefArray, a: Win, cip: boolean): RefArray {
  const shape = pooledShape(x.shape, a);
  const d = divisors(x.shape, a, cip);
  const data = new Float64Array(d.length);
  eachWindowCell(x.shape, a, (o, xi) => (data[o]! += xi < 0 ? 0 : x.data[xi]! / d[o]!));
  return { data, shape };
}

function refAvgPoolBackward(g: RefArray, xShape: number[], a: Win, cip: boolean): RefArray {
  const d = divisors(xShape, a, cip);
  const data = new Float64Array(xShape.reduce((p, q) => p * q, 1));
  eachWindowCell(xShape, a, (o, xi) => {
    if (xi >= 0) data[xi]! += g.data[o]! / d[o]!;
  });
  return { data, shape: xShape };
}

/** out[n,f,oy,ox] = b[f] + Σ x·w over the window (cross-correlation). */
function refConv(x: RefArray, w: RefArray, b: RefArray | undefined, a: Win): RefArray {
  const [n, c, h, ww] = x4(x.shape);
  const fn = w.shape[0]!;
  const [oh, ow] = outHW(h, ww, a);
  const data = new Float64Array(n * fn * oh * ow);
  for (let bi = 0; bi < n; bi++)
    for (let f = 0; f < fn; f++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let acc = b ? b.data[f]! : 0;
          for (let ch = 0; ch < c; ch++)
            for (let ky = 0; ky < a.kernel[0]; ky++)
              for (let kx = 0; kx < a.kernel[1]; kx++) {
                const y = oy * a.stride[0] - a.pad[0] + ky;
                const xx = ox * a.stride[1] - a.pad[1] + kx;
                if (y < 0 || y >= h || xx < 0 || xx >= ww) continue;
                acc += x.data[((bi * c + ch) * h + y) * ww + xx]! * w.data[((f * c + ch) * a.kernel[0] + ky) * a.kernel[1] + kx]!;
              }
          data[((bi * fn + f) * oh + oy) * ow + ox] = acc;
        }
  return { data, shape: [n, fn, oh, ow] };
}

const win = (kernel: Pair, stride: Pair, pad: Pair): Win => ({ kernel, stride, pad });
const x64 = (shape: number[]) => zeros(shape, { dtype: 'float64' });

/** Geometries shared by im2col and col2im: odd sizes, non-square, a kernel as large as the padded input, 1×1 with padding. */
const unfoldCases: { label: string; x: number[]; a: Win }[] = [
  { label: 'odd non-square, stride [2,1], pad [1,1]', x: [2, 3, 5, 7], a: win([3, 2], [2, 1], [1, 1]) },
  { label: 'kernel as large as the padded input', x: [1, 2, 3, 4], a: win([5, 4], [1, 1], [1, 0]) },
  { label: '1×1 kernel with padding, stride [3,2]', x: [2, 1, 6, 5], a: win([1, 1], [3, 2], [2, 1]) },
  { label: 'batch 1, overlapping 3×3 stride 1', x: [1, 4, 4, 5], a: win([3, 3], [1, 1], [2, 1]) },
];

const im2colRow = row<Win>({
  op: 'im2col',
  run: ([x], a) => im2col(x!, a),
  reference: ([x], a) => refIm2col(x!, a),
  samples: unfoldCases.map(({ label, x, a }) => ({ label, inputs: [{ shape: x }], attrs: a })),
  errors: [
    { label: '3-D x', call: () => im2col(x64([3, 5, 5]), { kernel: 3 }), error: ShapeError, message: /^\[im2col\] x: expected 4-D \(N,C,H,W\), got shape \[3,5,5\]$/ },
    { label: 'zero stride', call: () => im2col(x64([1, 1, 5, 5]), { kernel: 3, stride: 0 }), error: ValueError, message: /^\[im2col\] stride: expected a positive integer, got 0$/ },
    { label: 'negative pad', call: () => im2col(x64([1, 1, 5, 5]), { kernel: 3, pad: [0, -1] }), error: ValueError, message: /^\[im2col\] pad\[1\]: expected a non-negative integer, got -1$/ },
    { label: 'non-integer kernel', call: () => im2col(x64([1, 1, 5, 5]), { kernel: 2.5 }), error: ValueError, message: /kernel: expected a positive integer, got 2\.5/ },
    { label: 'empty output', call: () => im2col(x64([1, 1, 5, 5]), { kernel: [8, 3], pad: 1 }), error: ShapeError, message: /^\[im2col\] kernel: expected a 8×3 window that fits the padded input 7×7 .*got an empty output size 0×5$/ },
    { label: 'int32 x', call: () => im2col(zeros([1, 1, 3, 3], { dtype: 'int32' }), { kernel: 2 }), error: DTypeError, message: /^\[im2col\] x: expected a float32 or float64 tensor, got dtype int32$/ },
  ],
});

interface FoldAttrs extends Win {
  xShape: number[];
}

const col2imRow = row<FoldAttrs>({
  op: 'col2im',
  run: ([c], a) => col2im(c!, a.xShape, a),
  reference: ([c], a) => refCol2im(c!, a.xShape, a),
  samples: unfoldCases.map(({ label, x, a }) => ({ label, inputs: [{ shape: colShape(x, a) }], attrs: { ...a, xShape: x } })),
  errors: [
    { label: '1-D col', call: () => col2im(x64([36]), [1, 1, 4, 4], { kernel: 2 }), error: ShapeError, message: /^\[col2im\] col: expected shape \[9,4\] .*got shape \[36\]$/ },
    { label: 'col shape mismatch', call: () => col2im(x64([8, 4]), [1, 1, 4, 4], { kernel: 2 }), error: ShapeError, message: /^\[col2im\] col: expected shape \[9,4\] \(N·OH·OW, C·KH·KW\) for xShape \[1,1,4,4\], got shape \[8,4\]$/ },
    { label: '3-D xShape', call: () => col2im(x64([9, 4]), [1, 4, 4], { kernel: 2 }), error: ValueError, message: /^\[col2im\] xShape: expected a 4-D shape \[N,C,H,W\], got \[1,4,4\]$/ },
    { label: 'non-integer stride', call: () => col2im(x64([9, 4]), [1, 1, 4, 4], { kernel: 2, stride: [1, 1.5] }), error: ValueError, message: /^\[col2im\] stride\[1\]: expected a positive integer, got 1\.5$/ },
  ],
});

interface AvgAttrs extends Win {
  countIncludePad: boolean;
}

const poolCases: { label: string; x: number[]; a: Win }[] = [
  { label: 'odd non-square 3×2, stride [2,1], pad [1,1]', x: [2, 3, 5, 7], a: win([3, 2], [2, 1], [1, 1]) },
  { label: '2×2 stride 2 (the book), odd input drops the last row', x: [1, 2, 5, 6], a: win([2, 2], [2, 2], [0, 0]) },
  { label: '3×3 stride 1 pad 1, batch 1', x: [1, 1, 4, 5], a: win([3, 3], [1, 1], [1, 1]) },
  { label: 'window as large as the padded input', x: [2, 2, 3, 2], a: win([5, 4], [1, 1], [1, 2]) },
  { label: 'stride [1,3], pad [2,0]', x: [1, 2, 6, 7], a: win([4, 2], [1, 3], [2, 0]) },
];

const avgPoolRow = row<AvgAttrs>({
  op: 'avgPool2d',
  run: ([x], a) => avgPool2d(x!, a),
  reference: ([x], a) => refAvgPool(x!, a, a.countIncludePad),
  samples: poolCases.flatMap(({ label, x, a }) =>
    [true, false].map((countIncludePad) => ({ label: `${label}, countIncludePad ${countIncludePad}`, inputs: [{ shape: x }], attrs: { ...a, countIncludePad } })),
  ),
  errors: [
    { label: '2-D x', call: () => avgPool2d(x64([4, 4]), { kernel: 2 }), error: ShapeError, message: /^\[avgPool2d\] x: expected 4-D \(N,C,H,W\), got shape \[4,4\]$/ },
    { label: 'pad more than half the kernel', call: () => avgPool2d(x64([1, 1, 6, 6]), { kernel: 3, pad: 2 }), error: ValueError, message: /^\[avgPool2d\] pad: expected at most half the kernel \(≤ 1 for kernel 3\), got 2 \(rows\)$/ },
    { label: 'empty output', call: () => avgPool2d(x64([1, 1, 3, 3]), { kernel: [2, 4] }), error: ShapeError, message: /^\[avgPool2d\] kernel: .*got an empty output size 1×0$/ },
    { label: 'no kernel', call: () => avgPool2d(x64([1, 1, 3, 3]), {} as { kernel: number }), error: ValueError, message: /^\[avgPool2d\] options: expected an object \{ kernel, stride\?, pad\? \}, got no kernel$/ },
    { label: 'countIncludePad not a boolean', call: () => avgPool2d(x64([1, 1, 4, 4]), { kernel: 2, countIncludePad: 1 as unknown as boolean }), error: ValueError, message: /countIncludePad: expected a boolean, got 1/ },
  ],
});

const maxPoolRow = row<Win>({
  op: 'maxPool2d',
  run: ([x], a) => maxPool2d(x!, a),
  reference: ([x], a) => refMaxPool(x!, a),
  // distinct values: no ties, so the maximum (and its gradient) is unambiguous under central differences;
  // the tie rule is tested in test/conv/pool.test.ts
  samples: poolCases.map(({ label, x, a }) => ({ label, inputs: [{ shape: x, domain: 'distinct' as const }], attrs: a })),
  errors: [
    { label: '5-D x', call: () => maxPool2d(x64([1, 1, 1, 4, 4]), { kernel: 2 }), error: ShapeError, message: /^\[maxPool2d\] x: expected 4-D \(N,C,H,W\), got shape \[1,1,1,4,4\]$/ },
    { label: 'pad more than half the kernel', call: () => maxPool2d(x64([1, 1, 6, 6]), { kernel: [4, 2], pad: [1, 2] }), error: ValueError, message: /^\[maxPool2d\] pad: expected at most half the kernel \(≤ 1 for kernel 2\), got 2 \(columns\)$/ },
    { label: 'stride as a 3-array', call: () => maxPool2d(x64([1, 1, 6, 6]), { kernel: 2, stride: [1, 1, 1] as unknown as number }), error: ValueError, message: /^\[maxPool2d\] stride: expected a number or an \[h, w\] pair, got an array of length 3$/ },
    { label: 'empty output', call: () => maxPool2d(x64([2, 3, 1, 8]), { kernel: 2 }), error: ShapeError, message: /^\[maxPool2d\] kernel: expected a 2×2 window that fits the padded input 1×8 .*got an empty output size 0×4$/ },
    { label: 'int32 x', call: () => maxPool2d(zeros([1, 1, 4, 4], { dtype: 'int32' }), { kernel: 2 }), error: DTypeError, message: /^\[maxPool2d\] x: expected a float32 or float64 tensor, got dtype int32$/ },
  ],
});

interface AvgBackAttrs extends AvgAttrs {
  xShape: number[];
}

const avgPoolBackwardRow = row<AvgBackAttrs>({
  op: 'avgPool2dBackward',
  run: ([g], a) => avgPool2dBackward(g!, a.xShape, a),
  reference: ([g], a) => refAvgPoolBackward(g!, a.xShape, a, a.countIncludePad),
  samples: poolCases.flatMap(({ label, x, a }) =>
    [true, false].map((countIncludePad) => ({
      label: `${label}, countIncludePad ${countIncludePad}`,
      inputs: [{ shape: pooledShape(x, a) }],
      attrs: { ...a, countIncludePad, xShape: x },
    })),
  ),
  errors: [
    { label: 'grad of the wrong shape', call: () => avgPool2dBackward(x64([1, 1, 3, 3]), [1, 1, 4, 4], { kernel: 2 }), error: ShapeError, message: /^\[avgPool2dBackward\] grad: expected shape \[1,1,2,2\] \(the pooled output of xShape \[1,1,4,4\]\), got shape \[1,1,3,3\]$/ },
    { label: '2-D xShape', call: () => avgPool2dBackward(x64([1, 1, 2, 2]), [4, 4], { kernel: 2 }), error: ValueError, message: /^\[avgPool2dBackward\] xShape: expected a 4-D shape/ },
    { label: 'int32 grad', call: () => avgPool2dBackward(zeros([1, 1, 2, 2], { dtype: 'int32' }), [1, 1, 4, 4], { kernel: 2 }), error: DTypeError, message: /^\[avgPool2dBackward\] grad: expected a float32 or float64 tensor, got dtype int32$/ },
  ],
});

interface ConvAttrs {
  stride: Pair;
  pad: Pair;
}

const convCases: { label: string; x: number[]; w: number[]; bias: boolean; stride: Pair; pad: Pair }[] = [
  { label: 'odd non-square x, 3×2 kernel, stride [2,1], pad [1,2]', x: [2, 3, 5, 7], w: [4, 3, 3, 2], bias: true, stride: [2, 1], pad: [1, 2] },
  { label: '1×1 kernel with padding', x: [1, 2, 4, 3], w: [3, 2, 1, 1], bias: true, stride: [1, 1], pad: [1, 1] },
  { label: 'kernel as large as the padded input, no bias', x: [2, 1, 3, 4], w: [2, 1, 5, 4], bias: false, stride: [1, 1], pad: [1, 0] },
  { label: 'batch 1, many channels, stride 3, pad 2', x: [1, 8, 7, 7], w: [2, 8, 3, 3], bias: true, stride: [3, 3], pad: [2, 2] },
  { label: "the book's 5×5 filters on 10×10", x: [2, 1, 10, 10], w: [3, 1, 5, 5], bias: true, stride: [1, 1], pad: [0, 0] },
];

const convRow = row<ConvAttrs>({
  op: 'conv2d',
  run: ([x, w, b], a) => conv2d(x!, w!, b, a),
  reference: ([x, w, b], a) => refConv(x!, w!, b, { kernel: [w!.shape[2]!, w!.shape[3]!], stride: a.stride, pad: a.pad }),
  samples: convCases.map(({ label, x, w, bias, stride, pad }) => ({
    label,
    inputs: bias ? [{ shape: x }, { shape: w }, { shape: [w[0]!] }] : [{ shape: x }, { shape: w }],
    attrs: { stride, pad },
  })),
  errors: [
    {
      label: 'channel mismatch',
      call: () => conv2d(zeros([2, 3, 28, 28]), zeros([8, 1, 5, 5])),
      error: ShapeError,
      message: /^\[conv2d\] w: expected 4-D \(FN,C,FH,FW\) with C=3 to match x \(2,3,28,28\), got shape \[8,1,5,5\]$/,
    },
    { label: '3-D x', call: () => conv2d(zeros([3, 28, 28]), zeros([8, 3, 5, 5])), error: ShapeError, message: /^\[conv2d\] x: expected 4-D \(N,C,H,W\), got shape \[3,28,28\]$/ },
    { label: 'bias of the wrong shape', call: () => conv2d(zeros([1, 1, 6, 6]), zeros([4, 1, 3, 3]), zeros([4, 1])), error: ShapeError, message: /^\[conv2d\] b: expected shape \[4\] \(one bias per filter of w \(4,1,3,3\)\), got shape \[4,1\]$/ },
    { label: 'zero stride', call: () => conv2d(zeros([1, 1, 6, 6]), zeros([4, 1, 3, 3]), null, { stride: 0 }), error: ValueError, message: /^\[conv2d\] stride: expected a positive integer, got 0$/ },
    { label: 'non-integer stride', call: () => conv2d(zeros([1, 1, 6, 6]), zeros([4, 1, 3, 3]), null, { stride: [1, 1.5] }), error: ValueError, message: /^\[conv2d\] stride\[1\]: expected a positive integer, got 1\.5$/ },
    { label: 'negative pad', call: () => conv2d(zeros([1, 1, 6, 6]), zeros([4, 1, 3, 3]), null, { pad: -1 }), error: ValueError, message: /^\[conv2d\] pad: expected a non-negative integer, got -1$/ },
    { label: 'empty output', call: () => conv2d(zeros([1, 1, 6, 6]), zeros([4, 1, 9, 3]), null, { pad: 1 }), error: ShapeError, message: /^\[conv2d\] w: expected a 9×3 window that fits the padded input 8×8 .*got an empty output size 0×6$/ },
    { label: 'dtype mix', call: () => conv2d(zeros([1, 1, 6, 6]), zeros([4, 1, 3, 3], { dtype: 'float64' })), error: DTypeError, message: /^\[conv2d\] w: expected dtype float32 to match x, got dtype float64/ },
    { label: 'bias dtype mix', call: () => conv2d(zeros([1, 1, 6, 6]), zeros([4, 1, 3, 3]), zeros([4], { dtype: 'float64' })), error: DTypeError, message: /^\[conv2d\] b: expected dtype float32 to match x, got dtype float64/ },
  ],
});

export const rowsWindow: AnyOpRow[] = [im2colRow, col2imRow, maxPoolRow, avgPoolRow, avgPoolBackwardRow, convRow];
