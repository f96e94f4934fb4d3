// Reductions and layout changes: reduceSum over a (pre, red, post) view with f64 accumulation (as the
// reference does), and the batched 2-D transpose that permutes reduce to once adjacent axes are merged.
import { arg, ptr, imin, at } from './common';

/** Columns per accumulation block when post > 1: the f64 accumulators (4 KiB) stay in L1. */
const QB: i32 = 512;

/**
 * K_REDUCE_SUM descriptor: 1 x, 2 out, 3 pre, 4 red, 5 post, 6 units per chunk, 7 scratch, 8 scratch stride.
 * post == 1: unit = one output (a contiguous row sum). post > 1: unit = (p, column block of QB);
 * rows are added into f64 accumulators one contiguous row segment at a time.
 */
export function reduceSumChunk(d: usize, chunk: i32, tid: i32): void {
  const x = ptr(d, 1), out = ptr(d, 2);
  const pre = arg(d, 3), red = arg(d, 4), post = arg(d, 5), per = arg(d, 6);
  const u0 = chunk * per;
  if (post == 1) {
    const u1 = imin(pre, u0 + per);
    for (let p = u0; p < u1; p++) {
      const row = at(x, p * red);
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      let r = 0;
      for (; r + 8 <= red; r += 8) {
        const v0 = v128.load(row + (<usize>r << 2)), v1 = v128.load(row + (<usize>r << 2), 16);
        s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v0));
        s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(v0, v0, 2, 3, 0, 1)));
        s2 = f64x2.add(s2, f64x2.promote_low_f32x4(v1));
        s3 = f64x2.add(s3, f64x2.promote_low_f32x4(i32x4.shuffle(v1, v1, 2, 3, 0, 1)));
      }
      const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
      let acc = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
      for (; r < red; r++) acc += <f64>load<f32>(row + (<usize>r << 2));
      store<f32>(at(out, p), <f32>acc);
    }
    return;
  }
  const blocks = (post + QB - 1) / QB;
  const u1 = imin(pre * blocks, u0 + per);
  const acc = ptr(d, 7) + <usize>tid * <usize>arg(d, 8);
  for (let u = u0; u < u1; u++) {
    const p = u / blocks;
    const q0 = (u % blocks) * QB;
    const len = imin(QB, post - q0);
    memory.fill(acc, 0, <usize>len << 3);
    for (let r = 0; r < red; r++) {
      const row = at(x, (p * red + r) * post + q0);
      let q = 0;
      for (; q + 4 <= len; q += 4) {
        const v = v128.load(row + (<usize>q << 2));
        const a = acc + (<usize>q << 3);
        v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
        v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))), 16);
      }
      for (; q < len; q++) {
        const a = acc + (<usize>q << 3);
        store<f64>(a, load<f64>(a) + <f64>load<f32>(row + (<usize>q << 2)));
      }
    }
    const o = at(out, p * post + q0);
    for (let q = 0; q < len; q++) store<f32>(o + (<usize>q << 2), <f32>load<f64>(acc + (<usize>q << 3)));
  }
}

/** Bytes of per-thread scratch reduceSum needs. */
export function reduceScratchBytes(): i32 {
  return QB * 8;
}

/** Rows/columns of one transpose tile: 32×32 floats (4 KiB) read and written within L1. */
const TB: i32 = 32;

/**
 * K_PERMUTE (batched transpose) descriptor: 1 x, 2 out, 3 batch, 4 rows, 5 cols, 6 tiles per chunk.
 * x is (batch, rows, cols), out is (batch, cols, rows). Units are 32×32 tiles; inside a tile, 4×4
 * blocks go through registers.
 */
export function transposeChunk(d: usize, chunk: i32): void {
  const x = ptr(d, 1), out = ptr(d, 2);
  const batch = arg(d, 3), rows = arg(d, 4), cols = arg(d, 5), per = arg(d, 6);
  const tr = (rows + TB - 1) / TB, tc = (cols + TB - 1) / TB;
  const total = batch * tr * tc;
  const u1 = imin(total, chunk * per + per);
  for (let u = chunk * per; u < u1; u++) {
    const bimg = u / (tr * tc);
    const t = u % (tr * tc);
    const r0 = (t / tc) * TB, c0 = (t % tc) * TB;
    const r1 = imin(rows, r0 + TB), c1 = imin(cols, c0 + TB);
    const xb = at(x, bimg * rows * cols);
    const ob = at(out, bimg * rows * cols);
    const ldx = <usize>cols << 2, ldo = <usize>rows << 2;
    let r = r0;
    for (; r + 4 <= r1; r += 4) {
      let c = c0;
      for (; c + 4 <= c1; c += 4) {
        const s = xb + <usize>r * ldx + (<usize>c << 2);
        const x0 = v128.load(s), x1 = v128.load(s + ldx), x2 = v128.load(s + 2 * ldx), x3 = v128.load(s + 3 * ldx);
        const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5), t1 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
        const t2 = i32x4.shuffle(x2, x3, 0, 4, 1, 5), t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
        const o = ob + <usize>c * ldo + (<usize>r << 2);
        v128.store(o, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
        v128.store(o + ldo, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
        v128.store(o + 2 * ldo, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
        v128.store(o + 3 * ldo, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
      }
      for (; c < c1; c++) {
        for (let i = 0; i < 4; i++) store<f32>(ob + <usize>c * ldo + (<usize>(r + i) << 2), load<f32>(xb + <usize>(r + i) * ldx + (<usize>c << 2)));
      }
    }
    for (; r < r1; r++) {
      for (let c = c0; c < c1; c++) store<f32>(ob + <usize>c * ldo + (<usize>r << 2), load<f32>(xb + <usize>r * ldx + (<usize>c << 2)));
    }
  }
}

/**
 * K_SCATTER_ADD descriptor: 1 g, 2 indices (i32), 3 out, 4 count, 5 elements per chunk.
 * out[indices[i]] += g[i], skipping index -1. One thread only: indices may repeat.
 */
export function scatterAddChunk(d: usize, chunk: i32): void {
  const g = ptr(d, 1), idx = ptr(d, 2), out = ptr(d, 3);
  const count = arg(d, 4), per = arg(d, 5);
  const lo = chunk * per, hi = imin(count, lo + per);
  for (let i = lo; i < hi; i++) {
    const j = load<i32>(at(idx, i));
    if (j >= 0) {
      const q = at(out, j);
      store<f32>(q, load<f32>(q) + load<f32>(at(g, i)));
    }
  }
}
