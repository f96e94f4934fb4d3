// Sliding-window kernels over NCHW float32 inputs, the same loop nests as the reference backend
// (backend/reference/window.ts) with the kx runs copied/added four lanes at a time.
// Window descriptors: 1 x/col/grad, 2 out, 3 argIndex, 4..15 geometry (n c h w kh kw sh sw ph pw oh ow),
// 16 units per chunk, 17 countIncludePad.
import { arg, ptr, imin, imax, at } from './common';

/** Copies `len` floats from src to dst (runs are short: a kernel row); a ragged end re-copies the last four. */
// @ts-ignore: decorator
@inline function copyRun(dst: usize, src: usize, len: i32): void {
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

/** dst[i] += src[i] for `len` floats. */
// @ts-ignore: decorator
@inline function addRun(dst: usize, src: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/**
 * im2col, chunked over (n,oy) output-row groups: unit u = b·oh + oy covers col rows (b,oy,0..ow).
 * Writes every cell of its rows (padding cells as 0), so `out` need not be zeroed. The ky range inside
 * the image is fixed per unit; kernel rows of 4 to 8 floats (the common 5×5) copy as two overlapping
 * vectors.
 */
export function im2colChunk(d: usize, chunk: i32): void {
  const x = ptr(d, 1), out = ptr(d, 2);
  const c = arg(d, 5), h = arg(d, 6), w = arg(d, 7), kh = arg(d, 8), kw = arg(d, 9);
  const sh = arg(d, 10), sw = arg(d, 11), ph = arg(d, 12), pw = arg(d, 13), oh = arg(d, 14), ow = arg(d, 15);
  const per = arg(d, 16);
  const total = arg(d, 4) * oh;
  const u0 = chunk * per, u1 = imin(total, u0 + per);
  const plane = h * w;
  const rowLen = c * kh * kw;
  const kwBytes = <usize>kw << 2;
  const wBytes = <usize>w << 2;
  const short = kw >= 4 && kw <= 8;
  const tail = kwBytes - 16;
  for (let u = u0; u < u1; u++) {
    const bimg = u / oh, oy = u % oh;
    const y0 = oy * sh - ph;
    const kyLo = imax(0, -y0), kyHi = imax(kyLo, imin(kh, h - y0));
    let o = at(out, u * ow * rowLen);
    for (let ox = 0; ox < ow; ox++) {
      const x0 = ox * sw - pw;
      const lo = imax(0, -x0), hi = imin(kw, w - x0);
      const full = lo == 0 && hi == kw;
      for (let ch = 0; ch < c; ch++) {
        let dst = o + (<usize>(ch * kh) * kwBytes);
        if (kyLo > 0) memory.fill(dst, 0, <usize>kyLo * kwBytes);
        if (hi <= lo) {
          memory.fill(dst, 0, <usize>kh * kwBytes);
          continue;
        }
        dst += <usize>kyLo * kwBytes;
        let src = at(x, (bimg * c + ch) * plane + (y0 + kyLo) * w + x0);
        if (full && short) {
          for (let ky = kyLo; ky < kyHi; ky++) {
            v128.store(dst, v128.load(src));
            v128.store(dst + tail, v128.load(src + tail));
            src += wBytes;
            dst += kwBytes;
          }
        } else if (full) {
          for (let ky = kyLo; ky < kyHi; ky++) {
            copyRun(dst, src, kw);
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
      }
      o += <usize>rowLen << 2;
    }
  }
}

/**
 * col2im, chunked over images (each image's cells are written by one chunk only, so no two threads
 * touch the same cell). Accumulates into `out` (which holds the caller's initial values).
 */
export function col2imChunk(d: usize, chunk: i32): void {
  const col = ptr(d, 1), out = ptr(d, 2);
  const n = arg(d, 4), c = arg(d, 5), h = arg(d, 6), w = arg(d, 7), kh = arg(d, 8), kw = arg(d, 9);
  const sh = arg(d, 10), sw = arg(d, 11), ph = arg(d, 12), pw = arg(d, 13), oh = arg(d, 14), ow = arg(d, 15);
  const per = arg(d, 16);
  const b0 = chunk * per, b1 = imin(n, b0 + per);
  const plane = h * w;
  const rowLen = c * kh * kw;
  for (let bimg = b0; bimg < b1; bimg++) {
    const xb = bimg * c * plane;
    let o = at(col, bimg * oh * ow * rowLen);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        const lo = imax(0, -x0), hi = imin(kw, w - x0);
        if (hi > lo) {
          for (let ch = 0; ch < c; ch++) {
            const xc = xb + ch * plane;
            for (let ky = 0; ky < kh; ky++) {
              const iy = y0 + ky;
              if (iy < 0 || iy >= h) continue;
              addRun(at(out, xc + iy * w + x0 + lo), o + (<usize>((ch * kh + ky) * kw + lo) << 2), hi - lo);
            }
          }
        }
        o += <usize>rowLen << 2;
      }
    }
  }
}

/**
 * Max pooling, chunked over (n,c) planes. Ties go to the first maximum in row-major window order,
 * NaN wins (as in the reference); an all-padding window writes -inf and index -1.
 * The 2×2 stride-2 unpadded case (the usual one) runs four windows at a time.
 */
export function maxPoolChunk(d: usize, chunk: i32): void {
  const x = ptr(d, 1), out = ptr(d, 2), argIdx = ptr(d, 3);
  const n = arg(d, 4), c = arg(d, 5), h = arg(d, 6), w = arg(d, 7), kh = arg(d, 8), kw = arg(d, 9);
  const sh = arg(d, 10), sw = arg(d, 11), ph = arg(d, 12), pw = arg(d, 13), oh = arg(d, 14), ow = arg(d, 15);
  const per = arg(d, 16);
  const p0 = chunk * per, p1 = imin(n * c, p0 + per);
  const plane = h * w;
  const fast2 = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
  for (let p = p0; p < p1; p++) {
    const base = p * plane;
    let o = p * oh * ow;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      let ox = 0;
      if (fast2) {
        // Four windows: row y0 cols 2ox..2ox+7 and row y0+1; split even/odd lanes.
        const row0 = base + y0 * w;
        for (; ox + 4 <= ow && 2 * ox + 8 <= w; ox += 4) {
          const i00 = row0 + 2 * ox;
          const r0a = v128.load(at(x, i00)), r0b = v128.load(at(x, i00 + 4));
          const r1a = v128.load(at(x, i00 + w)), r1b = v128.load(at(x, i00 + w + 4));
          const e0 = i32x4.shuffle(r0a, r0b, 0, 2, 4, 6), d0 = i32x4.shuffle(r0a, r0b, 1, 3, 5, 7);
          const e1 = i32x4.shuffle(r1a, r1b, 0, 2, 4, 6), d1 = i32x4.shuffle(r1a, r1b, 1, 3, 5, 7);
          const idx0 = i32x4.add(i32x4.splat(i00), i32x4(0, 2, 4, 6));
          let best = e0, bi = idx0;
          // take = v > best || (v is NaN && best is not)
          let t = v128.or(f32x4.gt(d0, best), v128.andnot(f32x4.ne(d0, d0), f32x4.ne(best, best)));
          best = v128.bitselect(d0, best, t);
          bi = v128.bitselect(i32x4.add(idx0, i32x4.splat(1)), bi, t);
          t = v128.or(f32x4.gt(e1, best), v128.andnot(f32x4.ne(e1, e1), f32x4.ne(best, best)));
          best = v128.bitselect(e1, best, t);
          bi = v128.bitselect(i32x4.add(idx0, i32x4.splat(w)), bi, t);
          t = v128.or(f32x4.gt(d1, best), v128.andnot(f32x4.ne(d1, d1), f32x4.ne(best, best)));
          best = v128.bitselect(d1, best, t);
          bi = v128.bitselect(i32x4.add(idx0, i32x4.splat(w + 1)), bi, t);
          v128.store(at(out, o), best);
          v128.store(at(argIdx, o), bi);
          o += 4;
        }
      }
      const kyLo = imax(0, -y0), kyHi = imin(kh, h - y0);
      for (; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        const lo = imax(0, -x0), hi = imin(kw, w - x0);
        let best: f32 = -Infinity;
        let bestIdx = -1;
        for (let ky = kyLo; ky < kyHi; ky++) {
          const row = base + (y0 + ky) * w + x0;
          for (let kx = lo; kx < hi; kx++) {
            const v = load<f32>(at(x, row + kx));
            if (bestIdx < 0 || v > best || (v != v && best == best)) {
              best = v;
              bestIdx = row + kx;
            }
          }
        }
        store<f32>(at(out, o), best);
        store<i32>(at(argIdx, o), bestIdx);
        o++;
      }
    }
  }
}

// @ts-ignore: decorator
@inline function divisor(countIncludePad: bool, kh: i32, kw: i32, rows: i32, cols: i32): i32 {
  return countIncludePad ? kh * kw : imax(0, rows) * imax(0, cols);
}

/** Average pooling, chunked over planes; sums in f64 like the reference. */
export function avgPoolChunk(d: usize, chunk: i32): void {
  const x = ptr(d, 1), out = ptr(d, 2);
  const n = arg(d, 4), c = arg(d, 5), h = arg(d, 6), w = arg(d, 7), kh = arg(d, 8), kw = arg(d, 9);
  const sh = arg(d, 10), sw = arg(d, 11), ph = arg(d, 12), pw = arg(d, 13), oh = arg(d, 14), ow = arg(d, 15);
  const per = arg(d, 16), cip = arg(d, 17) != 0;
  const p0 = chunk * per, p1 = imin(n * c, p0 + per);
  const plane = h * w;
  for (let p = p0; p < p1; p++) {
    const base = p * plane;
    let o = p * oh * ow;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const kyLo = imax(0, -y0), kyHi = imin(kh, h - y0);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        const lo = imax(0, -x0), hi = imin(kw, w - x0);
        let acc: f64 = 0;
        for (let ky = kyLo; ky < kyHi; ky++) {
          const row = base + (y0 + ky) * w + x0;
          for (let kx = lo; kx < hi; kx++) acc += <f64>load<f32>(at(x, row + kx));
        }
        const dv = divisor(cip, kh, kw, kyHi - kyLo, hi - lo);
        store<f32>(at(out, o), dv > 0 ? <f32>(acc / <f64>dv) : 0);
        o++;
      }
    }
  }
}

/** The adjoint of average pooling, chunked over planes (each plane's cells belong to one chunk). */
export function avgPoolBackwardChunk(d: usize, chunk: i32): void {
  const grad = ptr(d, 1), out = ptr(d, 2);
  const n = arg(d, 4), c = arg(d, 5), h = arg(d, 6), w = arg(d, 7), kh = arg(d, 8), kw = arg(d, 9);
  const sh = arg(d, 10), sw = arg(d, 11), ph = arg(d, 12), pw = arg(d, 13), oh = arg(d, 14), ow = arg(d, 15);
  const per = arg(d, 16), cip = arg(d, 17) != 0;
  const p0 = chunk * per, p1 = imin(n * c, p0 + per);
  const plane = h * w;
  for (let p = p0; p < p1; p++) {
    const base = p * plane;
    let o = p * oh * ow;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const kyLo = imax(0, -y0), kyHi = imin(kh, h - y0);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        const lo = imax(0, -x0), hi = imin(kw, w - x0);
        const dv = divisor(cip, kh, kw, kyHi - kyLo, hi - lo);
        // Divide in f64 and round once, as the reference does (grad[o] / d in JS numbers).
        const v = dv > 0 ? <f32>(<f64>load<f32>(at(grad, o)) / <f64>dv) : <f32>0;
        o++;
        if (v == 0) continue;
        for (let ky = kyLo; ky < kyHi; ky++) {
          const row = base + (y0 + ky) * w + x0;
          for (let kx = lo; kx < hi; kx++) {
            const q = at(out, row + kx);
            store<f32>(q, load<f32>(q) + v);
          }
        }
      }
    }
  }
}
