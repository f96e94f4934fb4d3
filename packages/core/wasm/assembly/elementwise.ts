// Elementwise kernels. Op codes follow the order of the UnaryOp / BinaryOp unions in backend/backend.ts
// (mirrored in src/backend/wasm/jobs.ts). Each op gets its own loop: the op switch is outside, and the
// @inline helpers are specialised per constant op by the optimizer.
import { arg, ptr, imin, at } from './common';
import { vexp, vlog, vtanh, vsigmoid } from './vmath';

export const U_NEG: i32 = 0;
export const U_EXP: i32 = 1;
export const U_LOG: i32 = 2;
export const U_SQRT: i32 = 3;
export const U_TANH: i32 = 4;
export const U_SIGMOID: i32 = 5;
export const U_RELU: i32 = 6;
export const U_STEP: i32 = 7;
export const U_ABS: i32 = 8;
export const U_SQUARE: i32 = 9;

export const B_ADD: i32 = 0;
export const B_SUB: i32 = 1;
export const B_MUL: i32 = 2;
export const B_DIV: i32 = 3;
// 4 is pow: not implemented here (delegated to the reference backend).
export const B_MAXIMUM: i32 = 5;
export const B_GT: i32 = 6;
export const B_EQ: i32 = 7;
export const B_MULSTEP: i32 = 8;

// @ts-ignore: decorator
@inline function unaryV(op: i32, x: v128): v128 {
  switch (op) {
    case U_NEG: return f32x4.neg(x);
    case U_EXP: return vexp(x);
    case U_LOG: return vlog(x);
    case U_SQRT: return f32x4.sqrt(x);
    case U_TANH: return vtanh(x);
    case U_SIGMOID: return vsigmoid(x);
    // x > 0 ? x : 0 — NaN and -0 give +0, exactly as the reference.
    case U_RELU: return v128.and(x, f32x4.gt(x, f32x4.splat(0)));
    case U_STEP: return v128.and(f32x4.splat(1), f32x4.gt(x, f32x4.splat(0)));
    case U_ABS: return f32x4.abs(x);
    default: return f32x4.mul(x, x);
  }
}

// @ts-ignore: decorator
@inline function unaryLoop(op: i32, x: usize, out: usize, lo: i32, hi: i32): void {
  let i = lo;
  for (; i + 4 <= hi; i += 4) v128.store(at(out, i), unaryV(op, v128.load(at(x, i))));
  if (i == hi) return;
  if (hi - lo >= 4) {
    // Ragged end: redo the last four (out never aliases x, so recomputing is harmless).
    v128.store(at(out, hi - 4), unaryV(op, v128.load(at(x, hi - 4))));
    return;
  }
  for (; i < hi; i++) {
    // Fewer than four in all: lane 0 of the same vector function.
    const v = unaryV(op, f32x4.splat(load<f32>(at(x, i))));
    store<f32>(at(out, i), f32x4.extract_lane(v, 0));
  }
}

/** K_UNARY descriptor: 1 op, 2 x, 3 out, 4 n, 5 elements per chunk. */
export function unaryChunk(d: usize, chunk: i32): void {
  const op = arg(d, 1), x = ptr(d, 2), out = ptr(d, 3), n = arg(d, 4), per = arg(d, 5);
  const lo = chunk * per, hi = imin(n, lo + per);
  switch (op) {
    case U_NEG: unaryLoop(U_NEG, x, out, lo, hi); break;
    case U_EXP: unaryLoop(U_EXP, x, out, lo, hi); break;
    case U_LOG: unaryLoop(U_LOG, x, out, lo, hi); break;
    case U_SQRT: unaryLoop(U_SQRT, x, out, lo, hi); break;
    case U_TANH: unaryLoop(U_TANH, x, out, lo, hi); break;
    case U_SIGMOID: unaryLoop(U_SIGMOID, x, out, lo, hi); break;
    case U_RELU: unaryLoop(U_RELU, x, out, lo, hi); break;
    case U_STEP: unaryLoop(U_STEP, x, out, lo, hi); break;
    case U_ABS: unaryLoop(U_ABS, x, out, lo, hi); break;
    default: unaryLoop(U_SQUARE, x, out, lo, hi); break;
  }
}

// @ts-ignore: decorator
@inline function binaryV(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case B_ADD: return f32x4.add(x, y);
    case B_SUB: return f32x4.sub(x, y);
    case B_MUL: return f32x4.mul(x, y);
    case B_DIV: return f32x4.div(x, y);
    // x >= y || x is NaN ? x : y — NaN-propagating, first operand on ties (as the reference).
    case B_MAXIMUM: return v128.bitselect(x, y, v128.or(f32x4.ge(x, y), f32x4.ne(x, x)));
    case B_GT: return v128.and(f32x4.splat(1), f32x4.gt(x, y));
    case B_EQ: return v128.and(f32x4.splat(1), f32x4.eq(x, y));
    // x · (y > 0 ? 1 : 0), relu's VJP: a real multiply, so ∞·0 and NaN·0 stay NaN as in the reference.
    default: return f32x4.mul(x, v128.and(f32x4.splat(1), f32x4.gt(y, f32x4.splat(0))));
  }
}

/**
 * One output row of `len` elements: a advances by sa (0 or 1) and b by sb per element. The four stride
 * patterns get their own vector loops; a ragged end redoes the row's last four elements (out never
 * aliases a or b); rows shorter than four go lane by lane through the same vector op.
 */
// @ts-ignore: decorator
@inline function binaryRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, len: i32): void {
  if (len < 4) {
    for (let i = 0; i < len; i++) {
      const v = binaryV(op, f32x4.splat(load<f32>(at(a, i * sa))), f32x4.splat(load<f32>(at(b, i * sb))));
      store<f32>(at(out, i), f32x4.extract_lane(v, 0));
    }
    return;
  }
  const last = len - 4;
  if (sa == 1 && sb == 1) {
    for (let i = 0; i < len; i += 4) {
      const j = i < last ? i : last;
      v128.store(at(out, j), binaryV(op, v128.load(at(a, j)), v128.load(at(b, j))));
    }
  } else if (sa == 1) {
    const y = v128.load32_splat(b);
    for (let i = 0; i < len; i += 4) {
      const j = i < last ? i : last;
      v128.store(at(out, j), binaryV(op, v128.load(at(a, j)), y));
    }
  } else if (sb == 1) {
    const x = v128.load32_splat(a);
    for (let i = 0; i < len; i += 4) {
      const j = i < last ? i : last;
      v128.store(at(out, j), binaryV(op, x, v128.load(at(b, j))));
    }
  } else {
    const v = binaryV(op, v128.load32_splat(a), v128.load32_splat(b));
    for (let i = 0; i < len; i += 4) v128.store(at(out, i < last ? i : last), v);
  }
}

/**
 * The broadcast walk: the output is viewed as 4 dims (d0,d1,d2,d3) (collapsed and left-padded with 1s
 * by the caller); a and b have per-dim element strides (0 where broadcast). Chunks are runs of rows of
 * the (d0·d1·d2, d3) view; an odometer carries the operand offsets from row to row.
 */
// @ts-ignore: decorator
@inline function binaryWalk(op: i32, d: usize, chunk: i32): void {
  const a = ptr(d, 2), b = ptr(d, 3), out = ptr(d, 4);
  const d1 = arg(d, 6), d2 = arg(d, 7), d3 = arg(d, 8);
  const a0 = arg(d, 9), a1 = arg(d, 10), a2 = arg(d, 11), a3 = arg(d, 12);
  const b0 = arg(d, 13), b1 = arg(d, 14), b2 = arg(d, 15), b3 = arg(d, 16);
  const per = arg(d, 17);
  const rows = arg(d, 5) * d1 * d2;
  const r0 = chunk * per, r1 = imin(rows, r0 + per);
  let i2 = r0 % d2;
  let i1 = (r0 / d2) % d1;
  const i0 = r0 / (d2 * d1);
  let ao = i0 * a0 + i1 * a1 + i2 * a2;
  let bo = i0 * b0 + i1 * b1 + i2 * b2;
  let o = at(out, r0 * d3);
  const rowBytes = <usize>d3 << 2;
  for (let r = r0; r < r1; r++) {
    binaryRow(op, at(a, ao), a3, at(b, bo), b3, o, d3);
    o += rowBytes;
    ao += a2;
    bo += b2;
    if (++i2 == d2) {
      i2 = 0;
      ao += a1 - a2 * d2;
      bo += b1 - b2 * d2;
      if (++i1 == d1) {
        i1 = 0;
        ao += a0 - a1 * d1;
        bo += b0 - b1 * d1;
      }
    }
  }
}

/** K_BINARY descriptor: 1 op, 2 a, 3 b, 4 out, 5..8 dims, 9..12 a strides, 13..16 b strides, 17 rows per chunk. */
export function binaryChunk(d: usize, chunk: i32): void {
  switch (arg(d, 1)) {
    case B_ADD: binaryWalk(B_ADD, d, chunk); break;
    case B_SUB: binaryWalk(B_SUB, d, chunk); break;
    case B_MUL: binaryWalk(B_MUL, d, chunk); break;
    case B_DIV: binaryWalk(B_DIV, d, chunk); break;
    case B_MAXIMUM: binaryWalk(B_MAXIMUM, d, chunk); break;
    case B_GT: binaryWalk(B_GT, d, chunk); break;
    case B_EQ: binaryWalk(B_EQ, d, chunk); break;
    default: binaryWalk(B_MULSTEP, d, chunk); break;
  }
}
