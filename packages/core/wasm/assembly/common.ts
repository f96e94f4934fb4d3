// Shared helpers of the kernels. Every kernel reads its parameters from a job descriptor: a block of i32
// slots in linear memory written by the TypeScript side (src/backend/wasm/jobs.ts mirrors the layouts).
// Pointers are byte offsets into the one shared memory; sizes are element counts.

/** Job kinds: slot 0 of every descriptor. Mirrored in src/backend/wasm/jobs.ts. */
export const K_GEMM: i32 = 1;
export const K_GEMM_SUM: i32 = 2;
export const K_IM2COL: i32 = 3;
export const K_COL2IM: i32 = 4;
export const K_MAXPOOL: i32 = 5;
export const K_AVGPOOL: i32 = 6;
export const K_AVGPOOL_BWD: i32 = 7;
export const K_UNARY: i32 = 8;
export const K_BINARY: i32 = 9;
export const K_REDUCE_SUM: i32 = 10;
export const K_PERMUTE: i32 = 11;
export const K_SCATTER_ADD: i32 = 12;
export const K_CONV2D: i32 = 13;
export const K_ADAM: i32 = 14;
export const K_GEMM_BATCHED: i32 = 15;

/** i32 slot `i` of the descriptor at `d`. */
// @ts-ignore: decorator
@inline export function arg(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

/** A pointer slot. */
// @ts-ignore: decorator
@inline export function ptr(d: usize, i: i32): usize {
  return <usize>load<u32>(d + (<usize>i << 2));
}

/** c + a·b, fused where the relaxed-SIMD build allows it (the choice is made at compile time). */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline export function imin(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

// @ts-ignore: decorator
@inline export function imax(a: i32, b: i32): i32 {
  return a > b ? a : b;
}

/** Byte address of float element `i` of the array at `base`. */
// @ts-ignore: decorator
@inline export function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}
