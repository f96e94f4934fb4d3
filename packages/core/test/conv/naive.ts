/**
 * Direct nested-loop references in float64, written from the definitions (no im2col, no kernels):
 * what the conv and pooling properties compare against. Inputs are flat row-major arrays.
 */

export interface Geometry {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
}

export function outSize(g: Geometry): [number, number] {
  return [Math.floor((g.h + 2 * g.ph - g.kh) / g.sh) + 1, Math.floor((g.w + 2 * g.pw - g.kw) / g.sw) + 1];
}

/** x[n,c,y,x] with zero outside the input, or `outside` when given. */
function at(x: ArrayLike<number>, g: Geometry, b: number, ch: number, y: number, xx: number, outside = 0): number {
  if (y < 0 || y >= g.h || xx < 0 || xx >= g.w) return outside;
  return x[((b * g.c + ch) * g.h + y) * g.w + xx]!;
}

/** out[n,f,oy,ox] = b[f] + Σ_c,ky,kx x[n,c,oy·sh−ph+ky, ox·sw−pw+kx] · w[f,c,ky,kx] */
export function naiveConv2d(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null, fn: number, g: Geometry): Float64Array {
  const [oh, ow] = outSize(g);
  const out = new Float64Array(g.n * fn * oh * ow);
  let o = 0;
  for (let b = 0; b < g.n; b++)
    for (let f = 0; f < fn; f++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let acc = bias ? bias[f]! : 0;
          for (let ch = 0; ch < g.c; ch++)
            for (let ky = 0; ky < g.kh; ky++)
              for (let kx = 0; kx < g.kw; kx++) {
                acc += at(x, g, b, ch, oy * g.sh - g.ph + ky, ox * g.sw - g.pw + kx) * w[((f * g.c + ch) * g.kh + ky) * g.kw + kx]!;
              }
          out[o++] = acc;
        }
  return out;
}

/** Max over each window, padding −inf; also the flat index of the first maximum (row-major window order). */
export function naiveMaxPool2d(x: ArrayLike<number>, g: Geometry): { out: Float64Array; arg: Int32Array } {
  const [oh, ow] = outSize(g);
  const out = new Float64Array(g.n * g.c * oh * ow);
  const arg = new Int32Array(out.length).fill(-1);
  let o = 0;
  for (let b = 0; b < g.n; b++)
    for (let ch = 0; ch < g.c; ch++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let best = -Infinity;
          for (let ky = 0; ky < g.kh; ky++)
            for (let kx = 0; kx < g.kw; kx++) {
              const y = oy * g.sh - g.ph + ky;
              const xx = ox * g.sw - g.pw + kx;
              const v = at(x, g, b, ch, y, xx, -Infinity);
              if (v > best) {
                best = v;
                arg[o] = ((b * g.c + ch) * g.h + y) * g.w + xx;
              }
            }
          out[o++] = best;
        }
  return { out, arg };
}

/** Mean over each window: divided by kh·kw (padding counted as zeros) or by the real cells. */
export function naiveAvgPool2d(x: ArrayLike<number>, g: Geometry, countIncludePad: boolean): Float64Array {
  const [oh, ow] = outSize(g);
  const out = new Float64Array(g.n * g.c * oh * ow);
  let o = 0;
  for (let b = 0; b < g.n; b++)
    for (let ch = 0; ch < g.c; ch++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let acc = 0;
          let real = 0;
          for (let ky = 0; ky < g.kh; ky++)
            for (let kx = 0; kx < g.kw; kx++) {
              const y = oy * g.sh - g.ph + ky;
              const xx = ox * g.sw - g.pw + kx;
              if (y >= 0 && y < g.h && xx >= 0 && xx < g.w) real++;
              acc += at(x, g, b, ch, y, xx);
            }
          out[o++] = acc / (countIncludePad ? g.kh * g.kw : real);
        }
  return out;
}

/** The book's im2col by its definition: row (n,oy,ox), column (c,ky,kx). */
export function naiveIm2col(x: ArrayLike<number>, g: Geometry): Float64Array {
  const [oh, ow] = outSize(g);
  const cols = g.c * g.kh * g.kw;
  const out = new Float64Array(g.n * oh * ow * cols);
  for (let b = 0; b < g.n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ch = 0; ch < g.c; ch++)
          for (let ky = 0; ky < g.kh; ky++)
            for (let kx = 0; kx < g.kw; kx++) {
              const r = (b * oh + oy) * ow + ox;
              const col = (ch * g.kh + ky) * g.kw + kx;
              out[r * cols + col] = at(x, g, b, ch, oy * g.sh - g.ph + ky, ox * g.sw - g.pw + kx);
            }
  return out;
}
