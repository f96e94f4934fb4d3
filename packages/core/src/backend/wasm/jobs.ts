/*
 * The contract with the AssemblyScript kernels (packages/core/wasm/assembly): job kinds, op codes and
 * descriptor slot layouts. Keep in step with assembly/common.ts and the descriptor comments there.
 */
import type { BinaryOp, UnaryOp } from '../backend.js';

export const K_GEMM = 1;
export const K_GEMM_SUM = 2;
export const K_IM2COL = 3;
export const K_COL2IM = 4;
export const K_MAXPOOL = 5;
export const K_AVGPOOL = 6;
export const K_AVGPOOL_BWD = 7;
export const K_UNARY = 8;
export const K_BINARY = 9;
export const K_REDUCE_SUM = 10;
export const K_PERMUTE = 11;
export const K_SCATTER_ADD = 12;
export const K_CONV2D = 13;
export const K_ADAM = 14;
export const K_GEMM_BATCHED = 15;

/** Unary op codes: the order of the UnaryOp union. */
export const UNARY_CODE: Record<UnaryOp, number> = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  tanh: 4,
  sigmoid: 5,
  relu: 6,
  step: 7,
  abs: 8,
  square: 9,
};

/**
 * Binary op codes; pow has no wasm kernel (it goes to the reference backend), nor has any op missing
 * here. Keyed by name rather than by BinaryOp so that ops added to the interface later simply fall back.
 */
export const BINARY_CODE: Readonly<Record<string, number | undefined>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 5,
  gt: 6,
  eq: 7,
  mulStep: 8, // a · (b > 0 ? 1 : 0), relu's VJP
};

/** GEMM register tile (rows × columns) and k slab; chunk blocks are rounded to these. */
export const GEMM_MR = 4;
export const GEMM_NR = 8;
export const GEMM_KC = 256;

/** Largest chunk count of one job: the claim word keeps the next chunk index in 16 bits. */
export const MAX_CHUNKS = 4096;
