// conv2d's forward (no gradient recorded) in one job: the GEMM out_img (FN, OH·OW) = W (FN, C·KH·KW) ·
// col_imgᵀ, with the GEMM's packed A panels and 4×8 micro-kernel (gemm.ts), but the B panels — eight
// consecutive output positions × a k slab of window values — are packed straight from the image: the
// im2col matrix is never built, not even per image. The products land directly in the image's NCHW
// planes and the bias is added to each block of output rows while it is still in cache.
//
// K_CONV2D descriptor: 1 x, 2 w (FN, C·KH·KW), 3 b (0: no bias), 4 out (N,FN,OH,OW), 5..16 geometry
// (n c h w kh kw sh sw ph pw oh ow), 17 fn, 18 output rows per unit, 19 units per chunk, 20 scratch,
// 21 scratch stride (bytes; each thread's scratch holds a packed A block, a B panel and 16 lane slots).
import { arg, ptr, imin, at } from './common';
import { MR, NR, KC, MC, packA, kernel4x8 } from './gemm';

/** Lane base sentinel: far outside any image, so every window cell of that lane reads as padding. */
const OUTSIDE: i32 = -(1 << 29);

/**
 * Packs the B panel of output positions pos0 .. pos0+cols-1 (flat oy·ow + ox; cols ≤ NR) for window
 * values q0 .. q0+kc-1 (q = (ch·kh + ky)·kw + kx) into dst, laid out [q][NR]; lanes past `cols` are 0.
 * The common case — stride 1 along x and eight positions of one output row whose windows lie inside
 * the image horizontally — reads each q's eight values as two vectors. Otherwise every value is fetched
 * with its bounds test; `lanes` (16 i32) holds each lane's window origin.
 */
function packPanel(
  x: usize, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, ow: i32,
  pos0: i32, cols: i32, q0: i32, kc: i32, dst: usize, lanes: usize,
): void {
  const plane = h * w;
  const area = kh * kw;
  let ch = q0 / area;
  const r = q0 % area;
  let ky = r / kw, kx = r % kw;
  const oy = pos0 / ow, ox0 = pos0 % ow;
  const iy0 = oy * sh - ph, ix0 = ox0 * sw - pw;
  if (cols == NR && sw == 1 && ox0 + NR <= ow && ix0 >= 0 && ix0 + NR - 1 + kw <= w) {
    let iy = iy0 + ky;
    let row = at(x, ch * plane + iy * w + ix0);
    for (let t = 0; t < kc; t++) {
      if (<u32>iy < <u32>h) {
        const s = row + (<usize>kx << 2);
        v128.store(dst, v128.load(s));
        v128.store(dst, v128.load(s, 16), 16);
      } else {
        v128.store(dst, f32x4.splat(0));
        v128.store(dst, f32x4.splat(0), 16);
      }
      dst += <usize>(NR << 2);
      if (++kx == kw) {
        kx = 0;
        if (++ky == kh) {
          ky = 0;
          ch++;
        }
        iy = iy0 + ky;
        row = at(x, ch * plane + iy * w + ix0);
      }
    }
    return;
  }
  for (let l = 0; l < NR; l++) {
    let by = OUTSIDE, bx = OUTSIDE;
    if (l < cols) {
      const pos = pos0 + l;
      by = (pos / ow) * sh - ph;
      bx = (pos % ow) * sw - pw;
    }
    store<i32>(lanes + (<usize>l << 2), by);
    store<i32>(lanes + (<usize>(NR + l) << 2), bx);
  }
  for (let t = 0; t < kc; t++) {
    const base = ch * plane;
    for (let l = 0; l < NR; l++) {
      const iy = load<i32>(lanes + (<usize>l << 2)) + ky;
      const ix = load<i32>(lanes + (<usize>(NR + l) << 2)) + kx;
      const v: f32 = <u32>iy < <u32>h && <u32>ix < <u32>w ? load<f32>(at(x, base + iy * w + ix)) : 0;
      store<f32>(dst + (<usize>l << 2), v);
    }
    dst += <usize>(NR << 2);
    if (++kx == kw) {
      kx = 0;
      if (++ky == kh) {
        ky = 0;
        ch++;
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
 * columns of every filter's output plane, so chunks never touch the same cell.
 */
export function conv2dChunk(d: usize, chunk: i32, tid: i32): void {
  const x = ptr(d, 1), wt = ptr(d, 2), b = ptr(d, 3), out = ptr(d, 4);
  const n = arg(d, 5), c = arg(d, 6), h = arg(d, 7), w = arg(d, 8), kh = arg(d, 9), kw = arg(d, 10);
  const sh = arg(d, 11), sw = arg(d, 12), ph = arg(d, 13), pw = arg(d, 14), oh = arg(d, 15), ow = arg(d, 16);
  const fn = arg(d, 17), rows = arg(d, 18), per = arg(d, 19);
  const pa = ptr(d, 20) + <usize>tid * <usize>arg(d, 21);
  const pb = pa + (<usize>(MC * KC) << 2);
  const lanes = pb + (<usize>(KC * NR) << 2);
  const k = c * kh * kw;
  const p = oh * ow;
  const blocks = (oh + rows - 1) / rows;
  const u0 = chunk * per, u1 = imin(n * blocks, u0 + per);
  for (let u = u0; u < u1; u++) {
    const img = u / blocks;
    const oy0 = (u % blocks) * rows, oy1 = imin(oh, oy0 + rows);
    const first = oy0 * ow, count = (oy1 - oy0) * ow;
    const xi = at(x, img * c * h * w);
    const o = at(out, img * fn * p + first);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = imin(KC, k - pc);
      // the first k slab writes the tile, later ones add to it
      const acc = pc > 0;
      for (let ic = 0; ic < fn; ic += MC) {
        const mc = imin(MC, fn - ic);
        packA(wt, fn, k, false, ic, mc, pc, kc, pa);
        for (let jr = 0; jr < count; jr += NR) {
          const cols = imin(NR, count - jr);
          packPanel(xi, h, w, kh, kw, sh, sw, ph, pw, ow, first + jr, cols, pc, kc, pb, lanes);
          for (let ir = 0; ir < mc; ir += MR) {
            kernel4x8(pa + (<usize>(ir * kc) << 2), 16, pb, 32, o + (<usize>((ic + ir) * p + jr) << 2), p, kc, acc, imin(MR, mc - ir), cols, 0);
          }
        }
      }
    }
    if (b != 0) {
      for (let f = 0; f < fn; f++) addScalar(o + (<usize>(f * p) << 2), load<f32>(at(b, f)), count);
    }
  }
}
