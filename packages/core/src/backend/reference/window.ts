import type { FloatArray } from '../../dtype.js';
import type { WindowGeometry } from '../backend.js';

/*
 * Sliding-window kernels over NCHW inputs. Every loop nest is ordered so the innermost loop runs along a
 * row of the input (kx, contiguous in memory) and the output (or col) is walked in storage order. Bounds
 * are clipped once per row instead of testing every cell against the padding.
 */


/**
 * x (N,C,H,W) → out (N·OH·OW, C·KH·KW): row (n,oy,ox), column (c,ky,kx). Padded cells stay 0 (out is
 * zero-filled on entry). Writes are sequential; reads run along input rows.
 */
export function im2col(x: FloatArray, g: WindowGeometry, out: FloatArray): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const plane = h * w;
  const rowLen = c * kh * kw;
  let o = 0;
  for (let b = 0; b < n; b++) {
    const xb = b * c * plane;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        // the kx range [lo, hi) whose input column x0 + kx lies inside [0, w)
        const lo = x0 < 0 ? -x0 : 0;
        const hi = w - x0 < kw ? w - x0 : kw;
        for (let ch = 0; ch < c; ch++) {
          const xc = xb + ch * plane;
          const oc = o + ch * kh * kw;
          for (let ky = 0; ky < kh; ky++) {
            const iy = y0 + ky;
            if (iy < 0 || iy >= h) continue;
            const src = xc + iy * w + x0;
            const dst = oc + ky * kw;
            for (let kx = lo; kx < hi; kx++) out[dst + kx] = x[src + kx]!;
          }
        }
        o += rowLen;
      }
    }
  }
}

/**
 * The adjoint of im2col: col (N·OH·OW, C·KH·KW) → out (N,C,H,W), every window's entries added back to
 * the cells they were read from (overlapping windows sum). Same loop order as im2col: col is read in order.
 */
export function col2im(col: FloatArray, g: WindowGeometry, out: FloatArray): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const plane = h * w;
  const rowLen = c * kh * kw;
  let o = 0;
  for (let b = 0; b < n; b++) {
    const xb = b * c * plane;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        // the kx range [lo, hi) whose input column x0 + kx lies inside [0, w)
        const lo = x0 < 0 ? -x0 : 0;
        const hi = w - x0 < kw ? w - x0 : kw;
        for (let ch = 0; ch < c; ch++) {
          const xc = xb + ch * plane;
          const oc = o + ch * kh * kw;
          for (let ky = 0; ky < kh; ky++) {
            const iy = y0 + ky;
            if (iy < 0 || iy >= h) continue;
            const dst = xc + iy * w + x0;
            const src = oc + ky * kw;
            for (let kx = lo; kx < hi; kx++) out[dst + kx]! += col[src + kx]!;
          }
        }
        o += rowLen;
      }
    }
  }
}

/**
 * Max pooling, one (n,c) plane at a time. Padding is -inf, so only real cells are visited: the window's
 * first real cell starts the search, later ones win only when strictly greater (or NaN, which wins as in
 * reduceMax) — so ties go to the first maximum in row-major window order. A window made only of
 * padding (impossible when pad ≤ kernel/2, as the op requires) writes -inf and index -1.
 */
export function maxPool2d(x: FloatArray, g: WindowGeometry, out: FloatArray, argIndex: Int32Array | null): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const plane = h * w;
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * plane;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const kyLo = Math.max(0, -y0);
      const kyHi = Math.min(kh, h - y0);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        // the kx range [lo, hi) whose input column x0 + kx lies inside [0, w)
        const lo = x0 < 0 ? -x0 : 0;
        const hi = w - x0 < kw ? w - x0 : kw;
        let best = -Infinity;
        let bestIdx = -1;
        if (kyLo < kyHi && lo < hi) {
          bestIdx = base + (y0 + kyLo) * w + x0 + lo;
          best = x[bestIdx]!;
        }
        for (let ky = kyLo; ky < kyHi; ky++) {
          const row = base + (y0 + ky) * w + x0;
          for (let kx = lo; kx < hi; kx++) {
            const v = x[row + kx]!;
            // strictly greater keeps the first maximum; NaN wins (once), as in reduceMax
            if (v > best || (v !== v && best === best)) {
              best = v;
              bestIdx = row + kx;
            }
          }
        }
        out[o] = best;
        if (argIndex !== null) argIndex[o] = bestIdx;
        o++;
      }
    }
  }
}

/** The divisor of one window: the full kernel area, or only the cells inside the input. */
function divisor(countIncludePad: boolean, kh: number, kw: number, rows: number, cols: number): number {
  return countIncludePad ? kh * kw : rows * cols;
}

/** Average pooling: the window sum (padding adds 0) divided by kh·kw, or by the real cells when !countIncludePad. */
export function avgPool2d(x: FloatArray, g: WindowGeometry, countIncludePad: boolean, out: FloatArray): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const plane = h * w;
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * plane;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const kyLo = Math.max(0, -y0);
      const kyHi = Math.min(kh, h - y0);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        // the kx range [lo, hi) whose input column x0 + kx lies inside [0, w)
        const lo = x0 < 0 ? -x0 : 0;
        const hi = w - x0 < kw ? w - x0 : kw;
        let acc = 0; // a JS number: float64 accumulation even for float32 data
        for (let ky = kyLo; ky < kyHi; ky++) {
          const row = base + (y0 + ky) * w + x0;
          for (let kx = lo; kx < hi; kx++) acc += x[row + kx]!;
        }
        const d = divisor(countIncludePad, kh, kw, Math.max(0, kyHi - kyLo), Math.max(0, hi - lo));
        out[o++] = d > 0 ? acc / d : 0;
      }
    }
  }
}

/**
 * The adjoint of avgPool2d: each output gradient, divided by its window's divisor, is added to every
 * real cell of the window. Only real cells receive gradient: padding has no storage.
 */
export function avgPool2dBackward(grad: FloatArray, g: WindowGeometry, countIncludePad: boolean, out: FloatArray): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const plane = h * w;
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * plane;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const kyLo = Math.max(0, -y0);
      const kyHi = Math.min(kh, h - y0);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        // the kx range [lo, hi) whose input column x0 + kx lies inside [0, w)
        const lo = x0 < 0 ? -x0 : 0;
        const hi = w - x0 < kw ? w - x0 : kw;
        const d = divisor(countIncludePad, kh, kw, Math.max(0, kyHi - kyLo), Math.max(0, hi - lo));
        const v = d > 0 ? grad[o]! / d : 0;
        o++;
        if (v === 0) continue;
        for (let ky = kyLo; ky < kyHi; ky++) {
          const row = base + (y0 + ky) * w + x0;
          for (let kx = lo; kx < hi; kx++) out[row + kx]! += v;
        }
      }
    }
  }
}
