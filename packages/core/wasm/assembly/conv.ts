// conv2d's forward (no gradient recorded) in one job: for each unit (one image, one block of its output
// rows) the block's windows are unfolded into the thread's column buffer, multiplied by the filters seen
// as (FN, C·KH·KW) with the GEMM's packed panels and 4×8 micro-kernel (gemm.ts, transB: the columns are
// stored one window per row), written straight into the image's NCHW output rows, and the bias is added
// while that block is still in cache. Nothing of the size of the whole im2col matrix is ever built.
//
// K_CONV2D descriptor: 1 x, 2 w (FN, C·KH·KW), 3 b (0: no bias), 4 out (N,FN,OH,OW), 5..16 geometry
// (n c h w kh kw sh sw ph pw oh ow), 17 fn, 18 output rows per unit, 19 units per chunk, 20 column
// buffers, 21 column buffer stride (bytes), 22 GEMM scratch, 23 GEMM scratch stride (bytes).
import { arg, ptr, imin, imax, at } from './common';
import { gemmRegion } from './gemm';

/** Copies `len` floats (a kernel row); 4..8 as two overlapping vectors, longer runs vector by vector. */
// @ts-ignore: decorator
@inline function copyRow(dst: usize, src: usize, len: i32): void {
  if (len >= 4) {
    const last = <usize>(len - 4) << 2;
    for (let i = 0; i < len; i += 4) {
      const o = <usize>i << 2;
      const j = o < last ? o : last;
      v128.store(dst + j, v128.load(src + j));
    }
    return;
  }
  for (let i = 0; i < len; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/**
 * Unfolds output rows [oy0, oy1) of one image (at `x`, C planes of h×w) into `col`: one row of
 * C·KH·KW floats per window, (c, ky, kx) order (im2col's layout); padding cells are written as 0.
 */
function unfoldRows(
  x: usize, col: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, ow: i32, oy0: i32, oy1: i32,
): void {
  const plane = h * w;
  const kwBytes = <usize>kw << 2;
  const wBytes = <usize>w << 2;
  let dst = col;
  for (let oy = oy0; oy < oy1; oy++) {
    const y0 = oy * sh - ph;
    const kyLo = imax(0, -y0), kyHi = imax(kyLo, imin(kh, h - y0));
    for (let ox = 0; ox < ow; ox++) {
      const x0 = ox * sw - pw;
      const lo = imax(0, -x0), hi = imin(kw, w - x0);
      for (let ch = 0; ch < c; ch++) {
        if (kyLo > 0) memory.fill(dst, 0, <usize>kyLo * kwBytes);
        dst += <usize>kyLo * kwBytes;
        let src = at(x, ch * plane + (y0 + kyLo) * w + x0);
        if (lo == 0 && hi == kw) {
          for (let ky = kyLo; ky < kyHi; ky++) {
            copyRow(dst, src, kw);
            src += wBytes;
            dst += kwBytes;
          }
        } else {
          for (let ky = kyLo; ky < kyHi; ky++) {
            for (let kx = 0; kx < kw; kx++) {
              const off = <usize>kx << 2;
              store<f32>(dst + off, kx >= lo && kx < hi ? load<f32>(src + off) : 0);
            }
            src += wBytes;
            dst += kwBytes;
          }
        }
        if (kyHi < kh) memory.fill(dst, 0, <usize>(kh - kyHi) * kwBytes);
        dst += <usize>(kh - kyHi) * kwBytes;
      }
    }
  }
}

/** row[i] += v for `len` floats. */
// @ts-ignore: decorator
@inline function addScalar(row: usize, v: f32, len: i32): void {
  const s = f32x4.splat(v);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const p = row + (<usize>i << 2);
    v128.store(p, f32x4.add(v128.load(p), s));
  }
  for (; i < len; i++) {
    const p = row + (<usize>i << 2);
    store<f32>(p, load<f32>(p) + v);
  }
}

/**
 * Units are (image, block of output rows) pairs, u = image·blocks + block. A unit writes only its own
 * rows of every filter's output plane, so chunks never touch the same cell.
 */
export function conv2dChunk(d: usize, chunk: i32, tid: i32): void {
  const x = ptr(d, 1), wt = ptr(d, 2), b = ptr(d, 3), out = ptr(d, 4);
  const n = arg(d, 5), c = arg(d, 6), h = arg(d, 7), w = arg(d, 8), kh = arg(d, 9), kw = arg(d, 10);
  const sh = arg(d, 11), sw = arg(d, 12), ph = arg(d, 13), pw = arg(d, 14), oh = arg(d, 15), ow = arg(d, 16);
  const fn = arg(d, 17), rows = arg(d, 18), per = arg(d, 19);
  const col = ptr(d, 20) + <usize>tid * <usize>arg(d, 21);
  const scratch = ptr(d, 22) + <usize>tid * <usize>arg(d, 23);
  const k = c * kh * kw;
  const p = oh * ow;
  const blocks = (oh + rows - 1) / rows;
  const u0 = chunk * per, u1 = imin(n * blocks, u0 + per);
  for (let u = u0; u < u1; u++) {
    const img = u / blocks;
    const oy0 = (u % blocks) * rows, oy1 = imin(oh, oy0 + rows);
    const cols = (oy1 - oy0) * ow;
    unfoldRows(at(x, img * c * h * w), col, c, h, w, kh, kw, sh, sw, ph, pw, ow, oy0, oy1);
    // out_img[f, oy0·ow + j] = Σ_q w[f,q]·col[j,q]: C (fn, cols) with row stride p, B stored (cols, k)
    const o = at(out, img * fn * p + oy0 * ow);
    gemmRegion(wt, col, o, p, fn, k, cols, false, true, 0, fn, 0, cols, 0, k, scratch);
    if (b != 0) {
      for (let f = 0; f < fn; f++) addScalar(o + (<usize>(f * p) << 2), load<f32>(at(b, f)), cols);
    }
  }
}
