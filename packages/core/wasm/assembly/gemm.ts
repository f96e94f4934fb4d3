// Single-precision GEMM, out (m,n) = op(A)·op(B), in the GotoBLAS/BLIS shape: for each NC-wide slab of
// columns and KC-deep slab of k, op(B) is packed into NR-column panels; for each MC-tall block of rows,
// op(A) is packed into MR-row panels; a 4×8 register-blocked micro-kernel (8 f32x4 accumulators) runs
// over every (MR,NR) tile. Packing absorbs the four transposition variants: the micro-kernel only ever
// sees [p][MR] and [p][NR] panels. 4×8 measured fastest on V8/x64 (6×8 and 4×12 spill xmm registers).
import { arg, ptr, madd, imin, at } from './common';

export const MR: i32 = 4;
export const NR: i32 = 8;
export const KC: i32 = 256;
export const MC: i32 = 128;
const NC: i32 = 2048;

/** Bytes of per-thread scratch one GEMM chunk needs: a packed A block and a packed B slab. */
export function gemmScratchBytes(): i32 {
  return (MC * KC + KC * NC) * 4 + 64;
}

// 4×4 transpose of rows r0..r3 (lane j of row i goes to lane i of row j).
// @ts-ignore: decorator
@inline function tr0(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 0, 4, 1, 5); }
// @ts-ignore: decorator
@inline function tr1(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 2, 6, 3, 7); }
// @ts-ignore: decorator
@inline function lo2(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 0, 1, 4, 5); }
// @ts-ignore: decorator
@inline function hi2(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 2, 3, 6, 7); }

/**
 * Packs op(A)[i0:i0+mc, p0:p0+kc] into ceil(mc/MR) panels laid out [p][MR], zero-filling rows past mc.
 * A is stored (m,k), or (k,m) when transA.
 */
export function packA(a: usize, m: i32, k: i32, transA: bool, i0: i32, mc: i32, p0: i32, kc: i32, pa: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = imin(MR, mc - ir);
    let dst = pa + (<usize>(ir * kc) << 2);
    if (transA) {
      // op(A)(i,p) = A[p*m + i]: the MR values of one p are contiguous.
      let src = at(a, p0 * m + i0 + ir);
      const step = <usize>m << 2;
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(src));
          src += step;
          dst += 16;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) store<f32>(dst + (<usize>r << 2), r < rows ? load<f32>(src + (<usize>r << 2)) : 0);
          src += step;
          dst += 16;
        }
      }
    } else {
      // op(A)(i,p) = A[i*k + p]: rows are contiguous along p; transpose 4×4 blocks.
      const r0 = at(a, (i0 + ir) * k + p0);
      const ld = <usize>k << 2;
      if (rows == MR) {
        const r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          const o = <usize>p << 2;
          const x0 = v128.load(r0 + o), x1 = v128.load(r1 + o), x2 = v128.load(r2 + o), x3 = v128.load(r3 + o);
          const t0 = tr0(x0, x1), t1 = tr1(x0, x1), t2 = tr0(x2, x3), t3 = tr1(x2, x3);
          v128.store(dst, lo2(t0, t2));
          v128.store(dst, hi2(t0, t2), 16);
          v128.store(dst, lo2(t1, t3), 32);
          v128.store(dst, hi2(t1, t3), 48);
          dst += 64;
        }
        for (; p < kc; p++) {
          const o = <usize>p << 2;
          store<f32>(dst, load<f32>(r0 + o));
          store<f32>(dst, load<f32>(r1 + o), 4);
          store<f32>(dst, load<f32>(r2 + o), 8);
          store<f32>(dst, load<f32>(r3 + o), 12);
          dst += 16;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const o = <usize>p << 2;
          for (let r = 0; r < MR; r++) store<f32>(dst + (<usize>r << 2), r < rows ? load<f32>(r0 + <usize>r * ld + o) : 0);
          dst += 16;
        }
      }
    }
  }
}

/**
 * Packs op(B)[p0:p0+kc, j0:j0+nc] into ceil(nc/NR) panels laid out [p][NR], zero-filling columns past
 * nc. B is stored (k,n), or (n,k) when transB.
 */
function packB(b: usize, k: i32, n: i32, transB: bool, p0: i32, kc: i32, j0: i32, nc: i32, pb: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = imin(NR, nc - jr);
    let dst = pb + (<usize>(jr * kc) << 2);
    if (!transB) {
      // op(B)(p,j) = B[p*n + j]: the NR values of one p are contiguous.
      let src = at(b, p0 * n + j0 + jr);
      const step = <usize>n << 2;
      if (cols == NR) {
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          src += step;
          dst += 32;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let c = 0; c < NR; c++) store<f32>(dst + (<usize>c << 2), c < cols ? load<f32>(src + (<usize>c << 2)) : 0);
          src += step;
          dst += 32;
        }
      }
    } else {
      // op(B)(p,j) = B[j*k + p]: columns of op(B) are contiguous rows of B; transpose 4×4 blocks.
      const c0 = at(b, (j0 + jr) * k + p0);
      const ld = <usize>k << 2;
      if (cols == NR) {
        const c1 = c0 + ld, c2 = c1 + ld, c3 = c2 + ld, c4 = c3 + ld, c5 = c4 + ld, c6 = c5 + ld, c7 = c6 + ld;
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          const o = <usize>p << 2;
          let x0 = v128.load(c0 + o), x1 = v128.load(c1 + o), x2 = v128.load(c2 + o), x3 = v128.load(c3 + o);
          let t0 = tr0(x0, x1), t1 = tr1(x0, x1), t2 = tr0(x2, x3), t3 = tr1(x2, x3);
          v128.store(dst, lo2(t0, t2));
          v128.store(dst, hi2(t0, t2), 32);
          v128.store(dst, lo2(t1, t3), 64);
          v128.store(dst, hi2(t1, t3), 96);
          x0 = v128.load(c4 + o); x1 = v128.load(c5 + o); x2 = v128.load(c6 + o); x3 = v128.load(c7 + o);
          t0 = tr0(x0, x1); t1 = tr1(x0, x1); t2 = tr0(x2, x3); t3 = tr1(x2, x3);
          v128.store(dst, lo2(t0, t2), 16);
          v128.store(dst, hi2(t0, t2), 48);
          v128.store(dst, lo2(t1, t3), 80);
          v128.store(dst, hi2(t1, t3), 112);
          dst += 128;
        }
        for (; p < kc; p++) {
          const o = <usize>p << 2;
          for (let c = 0; c < NR; c++) store<f32>(dst + (<usize>c << 2), load<f32>(c0 + <usize>c * ld + o));
          dst += 32;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const o = <usize>p << 2;
          for (let c = 0; c < NR; c++) store<f32>(dst + (<usize>c << 2), c < cols ? load<f32>(c0 + <usize>c * ld + o) : 0);
          dst += 32;
        }
      }
    }
  }
}

/** Stores (or adds, with `acc`) the first `cols` lanes (1..8) of one tile row held in two vectors. */
// @ts-ignore: decorator
@inline function storeRow(c: usize, v0: v128, v1: v128, cols: i32, acc: bool): void {
  if (cols == NR) {
    if (acc) {
      v0 = f32x4.add(v128.load(c), v0);
      v1 = f32x4.add(v128.load(c, 16), v1);
    }
    v128.store(c, v0);
    v128.store(c, v1, 16);
    return;
  }
  // Partial row: whole vector, then two lanes, then one lane, never touching memory past `cols`.
  let v = v0;
  let q = 0;
  if (cols >= 4) {
    v128.store(c, acc ? f32x4.add(v128.load(c), v0) : v0);
    v = v1;
    q = 4;
  }
  const rest = cols - q;
  const p = c + (<usize>q << 2);
  if (rest >= 2) {
    let w = v;
    if (acc) w = f32x4.add(v128.load64_zero(p), v);
    v128.store64_lane(p, w, 0);
    if (rest == 3) {
      const x = f32x4.extract_lane(v, 2);
      store<f32>(p, acc ? load<f32>(p, 8) + x : x, 8);
    }
  } else if (rest == 1) {
    const x = f32x4.extract_lane(v, 0);
    store<f32>(p, acc ? load<f32>(p) + x : x);
  }
}

/**
 * The 4×8 micro-kernel: C[rows×cols] (=|+=) A·B over kc steps, for rows ≤ 4 and cols ≤ 8 (edge tiles
 * are computed in full and stored partially). A's four values of one step sit at ap + {0,4,8,12}
 * bytes and the next step is `aStep` bytes on (16 for a packed panel, 4m when A is stored (k,m));
 * B's eight values of one step are contiguous, the next step `bStep` bytes on (32 packed, 4n when B is
 * stored (k,n)). ldc in elements. With `acc` the tile is added to C, otherwise C is overwritten.
 * Inlined into its caller: as a call it measured 20-25% slower (V8 spills around the call).
 */
// @ts-ignore: decorator
@inline export function kernel4x8(ap: usize, aStep: usize, bp: usize, bStep: usize, c: usize, ldc: i32, kc: i32, acc: bool, rows: i32, cols: i32, rb: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += aStep;
    bp += bStep;
  }
  if (rb != 0) {
    // the row bias (read only for the rows stored)
    let r = v128.load32_splat(rb);
    c00 = f32x4.add(c00, r);
    c01 = f32x4.add(c01, r);
    if (rows > 1) {
      r = v128.load32_splat(rb, 4);
      c10 = f32x4.add(c10, r);
      c11 = f32x4.add(c11, r);
    }
    if (rows > 2) {
      r = v128.load32_splat(rb, 8);
      c20 = f32x4.add(c20, r);
      c21 = f32x4.add(c21, r);
    }
    if (rows > 3) {
      r = v128.load32_splat(rb, 12);
      c30 = f32x4.add(c30, r);
      c31 = f32x4.add(c31, r);
    }
  }
  const l = <usize>ldc << 2;
  storeRow(c, c00, c01, cols, acc);
  if (rows > 1) storeRow(c + l, c10, c11, cols, acc);
  if (rows > 2) storeRow(c + 2 * l, c20, c21, cols, acc);
  if (rows > 3) storeRow(c + 3 * l, c30, c31, cols, acc);
}

/**
 * The 4×4 micro-kernel for a last column panel of at most 4 columns (n = 25 leaves one, n = 100 four):
 * the same panels and steps as kernel4x8, but only the first four of B's eight values per step are read
 * and computed, where kernel4x8 would spend half or more of its work on padding.
 */
// @ts-ignore: decorator
@inline function kernel4x4(ap: usize, aStep: usize, bp: usize, bStep: usize, c: usize, ldc: i32, kc: i32, acc: bool, rows: i32, cols: i32, rb: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b = v128.load(bp);
    c0 = madd(v128.load32_splat(ap), b, c0);
    c1 = madd(v128.load32_splat(ap, 4), b, c1);
    c2 = madd(v128.load32_splat(ap, 8), b, c2);
    c3 = madd(v128.load32_splat(ap, 12), b, c3);
    ap += aStep;
    bp += bStep;
  }
  if (rb != 0) {
    c0 = f32x4.add(c0, v128.load32_splat(rb));
    if (rows > 1) c1 = f32x4.add(c1, v128.load32_splat(rb, 4));
    if (rows > 2) c2 = f32x4.add(c2, v128.load32_splat(rb, 8));
    if (rows > 3) c3 = f32x4.add(c3, v128.load32_splat(rb, 12));
  }
  const l = <usize>ldc << 2;
  // storeRow with cols ≤ 4 writes only the first vector
  storeRow(c, c0, c0, cols, acc);
  if (rows > 1) storeRow(c + l, c1, c1, cols, acc);
  if (rows > 2) storeRow(c + 2 * l, c2, c2, cols, acc);
  if (rows > 3) storeRow(c + 3 * l, c3, c3, cols, acc);
}

/**
 * The 2×8 micro-kernel for a last row panel of one or two rows (m = 30 leaves two): kernel4x8's
 * panels and steps, computing only the panel's first two rows.
 */
// @ts-ignore: decorator
@inline function kernel2x8(ap: usize, aStep: usize, bp: usize, bStep: usize, c: usize, ldc: i32, kc: i32, acc: bool, rows: i32, cols: i32, rb: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    ap += aStep;
    bp += bStep;
  }
  if (rb != 0) {
    let r = v128.load32_splat(rb);
    c00 = f32x4.add(c00, r);
    c01 = f32x4.add(c01, r);
    if (rows > 1) {
      r = v128.load32_splat(rb, 4);
      c10 = f32x4.add(c10, r);
      c11 = f32x4.add(c11, r);
    }
  }
  storeRow(c, c00, c01, cols, acc);
  if (rows > 1) storeRow(c + (<usize>ldc << 2), c10, c11, cols, acc);
}

/** Columns below which packing A (stored (k,m)) does not pay: its block would be read this few times. */
const PACK_A_MIN_COLS: i32 = 4 * NR;
/** Row tiles below which packing B does not pay. */
const PACK_B_MIN_ROWS: i32 = 4 * MR;
/**
 * The same for a B whose rows are short (n ≤ SHORT_B_ROW: conv2d's filter gradient multiplies by
 * (OH·OW, C·FH·FW) windows, n = 25 in the book's net), so that a step's eight values share one or two
 * cache lines with the next steps': read in place for up to this many rows (the 30×576·576×25 product
 * per image measured 15% faster than with B packed; with n = 2000, 40% slower).
 */
const PACK_SHORT_B_MIN_ROWS: i32 = 8 * MR;
const SHORT_B_ROW: i32 = 64;

/**
 * One region of C: rows [i0,i1), columns [j0,j1), k range [k0,k1), written to `c` with row stride ldc.
 * The region's first k slab overwrites C, later ones accumulate. With `bias` (0: none), bias[i] is added
 * to row i as the slab starting at k = 0 is stored (a k-split's other chunks never add it). An operand whose micro-kernel values
 * are contiguous in place (A stored (k,m), B stored (k,n)) is read in place when the region is too thin
 * for packed panels to be reused; otherwise it is packed. (A stored (m,k) is always packed: reading
 * four rows in place measured slower than transposing them into a panel.)
 */
function gemmRegion(
  a: usize, b: usize, c: usize, ldc: i32, m: i32, k: i32, n: i32, transA: bool, transB: bool,
  i0: i32, i1: i32, j0: i32, j1: i32, k0: i32, k1: i32, scratch: usize, bias: usize,
): void {
  const pa = scratch;
  const pb = pa + (<usize>(MC * KC) << 2);
  const packedA = !transA || j1 - j0 > PACK_A_MIN_COLS;
  const packedB = transB || i1 - i0 > (n <= SHORT_B_ROW ? PACK_SHORT_B_MIN_ROWS : PACK_B_MIN_ROWS);
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = imin(NC, j1 - jc);
    for (let pc = k0; pc < k1; pc += KC) {
      const kc = imin(KC, k1 - pc);
      const acc = pc > k0;
      const withBias = bias != 0 && pc == 0;
      if (packedB) packB(b, k, n, transB, pc, kc, jc, nc, pb);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = imin(MC, i1 - ic);
        if (packedA) packA(a, m, k, transA, ic, mc, pc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = imin(NR, nc - jr);
          const bp = packedB ? pb + (<usize>(jr * kc) << 2) : at(b, pc * n + jc + jr);
          const bStep: usize = packedB ? 32 : <usize>n << 2;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = imin(MR, mc - ir);
            const cp = at(c, (ic + ir) * ldc + jc + jr);
            const rb: usize = withBias ? at(bias, ic + ir) : 0;
            const ap = packedA ? pa + (<usize>(ir * kc) << 2) : at(a, pc * m + ic + ir);
            const aStep: usize = packedA ? 16 : <usize>m << 2;
            if (cols <= 4) kernel4x4(ap, aStep, bp, bStep, cp, ldc, kc, acc, rows, cols, rb);
            else if (rows <= 2) kernel2x8(ap, aStep, bp, bStep, cp, ldc, kc, acc, rows, cols, rb);
            else kernel4x8(ap, aStep, bp, bStep, cp, ldc, kc, acc, rows, cols, rb);
          }
        }
      }
    }
  }
}

/*
 * K_GEMM descriptor: 1 a, 2 b, 3 c, 4 m, 5 k, 6 n, 7 transA, 8 transB, 9 mBlock, 10 nBlock, 11 kBlock,
 * 12 gridM, 13 gridN, 14 partial (k-split output base, 0 when not split), 15 scratch, 16 scratch stride,
 * 17 row bias (m floats added to the rows of c; 0: none).
 * Chunk index = (ki·gridM + mi)·gridN + ni. With a k-split, chunk ki writes its partial product to
 * partial + ki·m·n (row stride n); K_GEMM_SUM adds the partials into c afterwards.
 */
export function gemmChunk(d: usize, chunk: i32, tid: i32): void {
  const a = ptr(d, 1), b = ptr(d, 2);
  const m = arg(d, 4), k = arg(d, 5), n = arg(d, 6);
  const transA = arg(d, 7) != 0, transB = arg(d, 8) != 0;
  const mBlock = arg(d, 9), nBlock = arg(d, 10), kBlock = arg(d, 11);
  const gridM = arg(d, 12), gridN = arg(d, 13);
  const partial = ptr(d, 14);
  const scratch = ptr(d, 15) + <usize>tid * <usize>arg(d, 16);
  const ni = chunk % gridN;
  const mi = (chunk / gridN) % gridM;
  const ki = chunk / (gridN * gridM);
  const i0 = mi * mBlock, j0 = ni * nBlock, k0 = ki * kBlock;
  const i1 = imin(m, i0 + mBlock), j1 = imin(n, j0 + nBlock), k1 = imin(k, k0 + kBlock);
  const c = partial != 0 ? partial + (<usize>ki * <usize>(m * n) << 2) : ptr(d, 3);
  const bias = ptr(d, 17);
  if (i0 >= i1 || j0 >= j1) return;
  if (k0 >= k1) {
    // Nothing to multiply (k = 0, never with a bias: the host fills that case): the region is zero.
    for (let i = i0; i < i1; i++) memory.fill(at(c, i * n + j0), 0, <usize>(j1 - j0) << 2);
    return;
  }
  gemmRegion(a, b, c, n, m, k, n, transA, transB, i0, i1, j0, j1, k0, k1, scratch, bias);
}

/*
 * K_GEMM_BATCHED descriptor: 1 a, 2 b, 3 c, 4 m, 5 k, 6 n, 7 transA, 8 transB, 9 batch, 10 aStride,
 * 11 bStride (elements between consecutive matrices; 0: one matrix for every product), 12 products
 * per chunk, 13 scratch, 14 scratch stride, 15 row bias (m floats added to the rows of every product; 0: none). Chunk index c computes products [c·per, (c+1)·per), each
 * whole on this thread (small products: splitting one across threads would cost more than it gives);
 * product i is written to c + i·m·n.
 */
export function gemmBatchedChunk(d: usize, chunk: i32, tid: i32): void {
  const a = ptr(d, 1), b = ptr(d, 2), c = ptr(d, 3);
  const m = arg(d, 4), k = arg(d, 5), n = arg(d, 6);
  const transA = arg(d, 7) != 0, transB = arg(d, 8) != 0;
  const batch = arg(d, 9), aStride = arg(d, 10), bStride = arg(d, 11), per = arg(d, 12);
  const scratch = ptr(d, 13) + <usize>tid * <usize>arg(d, 14);
  const bias = ptr(d, 15);
  const hi = imin(batch, (chunk + 1) * per);
  for (let i = chunk * per; i < hi; i++) {
    const ci = c + (<usize>i * <usize>(m * n) << 2);
    const ai = a + (<usize>i * <usize>aStride << 2);
    const bi = b + (<usize>i * <usize>bStride << 2);
    gemmRegion(ai, bi, ci, n, m, k, n, transA, transB, 0, m, 0, n, 0, k, scratch, bias);
  }
}

/**
 * K_GEMM_SUM descriptor: 1 partial, 2 c, 3 count (m·n), 4 parts, 5 elements per chunk.
 * c[i] = Σ_parts partial[part·count + i].
 */
export function gemmSumChunk(d: usize, chunk: i32): void {
  const partial = ptr(d, 1), c = ptr(d, 2);
  const count = arg(d, 3), parts = arg(d, 4), per = arg(d, 5);
  const lo = chunk * per;
  const hi = imin(count, lo + per);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    let s = v128.load(at(partial, i));
    for (let p = 1; p < parts; p++) s = f32x4.add(s, v128.load(at(partial, p * count + i)));
    v128.store(at(c, i), s);
  }
  for (; i < hi; i++) {
    let s = load<f32>(at(partial, i));
    for (let p = 1; p < parts; p++) s += load<f32>(at(partial, p * count + i));
    store<f32>(at(c, i), s);
  }
}
