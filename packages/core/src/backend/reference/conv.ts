import type { FloatArray } from '../../dtype.js';
import type { WindowGeometry } from '../backend.js';

/*
 * conv2d's forward for the reference backend (float32 and float64): the same im2col + GEMM as the
 * composite, but one image and one block of output rows at a time, so the unfolded windows stay a small
 * float64 buffer and the products land directly in NCHW order. Sums are accumulated in float64.
 */

/** Floats of the unfolded block (512 KiB of float64). */
const COL_CAP = 1 << 16;

/**
 * Unfolds output rows [oy0, oy1) of the image at `xb` into col: one row of C·KH·KW values per window in
 * (c, ky, kx) order; padding cells are 0 (col is a reused buffer, so they are written explicitly).
 */
function unfoldRows(x: FloatArray, xb: number, g: WindowGeometry, oy0: number, oy1: number, col: Float64Array): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, ow } = g;
  const plane = h * w;
  let o = 0;
  for (let oy = oy0; oy < oy1; oy++) {
    const y0 = oy * sh - ph;
    for (let ox = 0; ox < ow; ox++) {
      const x0 = ox * sw - pw;
      // the kx range [lo, hi) whose input column x0 + kx lies inside [0, w)
      const lo = x0 < 0 ? -x0 : 0;
      const hi = w - x0 < kw ? w - x0 : kw;
      for (let ch = 0; ch < c; ch++) {
        const xc = xb + ch * plane;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky;
          const dst = o + ky * kw;
          if (iy < 0 || iy >= h) {
            col.fill(0, dst, dst + kw);
            continue;
          }
          const src = xc + iy * w + x0;
          for (let kx = 0; kx < kw; kx++) col[dst + kx] = kx >= lo && kx < hi ? x[src + kx]! : 0;
        }
        o += kh * kw;
      }
    }
  }
}

/** out (N,FN,OH,OW) = x ⋆ w (+ b): see Backend.conv2dForward. */
export function conv2dForward(x: FloatArray, w: FloatArray, b: FloatArray | null, fn: number, g: WindowGeometry, out: FloatArray): void {
  const { n, c, h, oh, ow } = g;
  const k = c * g.kh * g.kw;
  const p = oh * ow;
  const rows = Math.max(1, Math.min(oh, Math.floor(COL_CAP / Math.max(1, ow * k))));
  const col = new Float64Array(rows * ow * k);
  for (let img = 0; img < n; img++) {
    for (let oy0 = 0; oy0 < oh; oy0 += rows) {
      const oy1 = Math.min(oh, oy0 + rows);
      const cols = (oy1 - oy0) * ow;
      unfoldRows(x, img * c * h * g.w, g, oy0, oy1, col);
      for (let f = 0; f < fn; f++) {
        const wf = f * k;
        const bias = b ? b[f]! : 0;
        const o = (img * fn + f) * p + oy0 * ow;
        let j = 0;
        // four windows per pass share each load of the filter row
        for (; j + 4 <= cols; j += 4) {
          const c0 = j * k;
          const c1 = c0 + k;
          const c2 = c1 + k;
          const c3 = c2 + k;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let q = 0; q < k; q++) {
            const wv = w[wf + q]!;
            s0 += wv * col[c0 + q]!;
            s1 += wv * col[c1 + q]!;
            s2 += wv * col[c2 + q]!;
            s3 += wv * col[c3 + q]!;
          }
          out[o + j] = s0 + bias;
          out[o + j + 1] = s1 + bias;
          out[o + j + 2] = s2 + bias;
          out[o + j + 3] = s3 + bias;
        }
        for (; j < cols; j++) {
          const cj = j * k;
          let s = 0;
          for (let q = 0; q < k; q++) s += w[wf + q]! * col[cj + q]!;
          out[o + j] = s + bias;
        }
      }
    }
  }
}
