import { GEMM_KC, GEMM_MR, GEMM_NR, K_GEMM, K_GEMM_BATCHED, K_GEMM_SUM, K_PERMUTE } from './jobs.js';
import { type WasmContext, split } from './context.js';

/** A GEMM split into a grid of chunks: blocks of rows × columns × k. */
export interface GemmPlan {
  readonly mBlock: number;
  readonly nBlock: number;
  readonly kBlock: number;
  readonly gridM: number;
  readonly gridN: number;
  readonly gridK: number;
}

/** Below this many multiply-adds one thread does the whole product (waking workers costs ~10-50 µs). */
const PARALLEL_MIN_MACS = 1 << 21;
/** Cost of packing one element, in multiply-adds (measured order of magnitude). */
const PACK_COST = 6;
/** Cost of adding up one partial-product element of a k-split, in multiply-adds (a memory pass). */
const SUM_COST = 8;

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;

/**
 * Chooses the chunk grid: candidates split rows, columns or k (k only with partial sums added
 * afterwards) into at most 2 chunks per thread; each is costed as the padded tile work of its busiest
 * thread plus the packing it repeats (every chunk packs its own panels of A and B) plus any partial
 * sums, plus half a chunk for the wait on the last one (a thread the OS has paused holds its chunk:
 * smaller chunks bound that wait). Small products stay whole.
 */
export function planGemm(m: number, k: number, n: number, threads: number): GemmPlan {
  const whole: GemmPlan = { mBlock: m, nBlock: n, kBlock: k, gridM: 1, gridN: 1, gridK: 1 };
  if (threads <= 1 || m * k * n < PARALLEL_MIN_MACS) return whole;
  let best = whole;
  let bestCost = Infinity;
  const maxChunks = threads * 2;
  for (let gm = 1; gm <= maxChunks; gm++) {
    for (let gn = 1; gm * gn <= maxChunks; gn++) {
      for (let gk = 1; gm * gn * gk <= maxChunks; gk++) {
        const mBlock = roundUp(Math.ceil(m / gm), GEMM_MR);
        const nBlock = roundUp(Math.ceil(n / gn), GEMM_NR);
        const kBlock = gk === 1 ? k : roundUp(Math.ceil(k / gk), Math.min(GEMM_KC, 64));
        const gridM = Math.ceil(m / mBlock);
        const gridN = Math.ceil(n / nBlock);
        const gridK = Math.ceil(k / kBlock);
        const chunks = gridM * gridN * gridK;
        const perChunk = mBlock * nBlock * kBlock + PACK_COST * (mBlock * kBlock + kBlock * nBlock);
        const rounds = Math.ceil(chunks / threads);
        const sums = gridK > 1 ? SUM_COST * m * n * gridK : 0;
        const cost = (rounds + 0.5) * perChunk + sums;
        if (cost < bestCost * 0.98) {
          bestCost = cost;
          best = { mBlock, nBlock, kBlock, gridM, gridN, gridK };
        }
      }
    }
  }
  return best;
}

/** The share of a register-tiled (m,n) output that is real work (edge tiles are computed in full). */
const tileEfficiency = (m: number, n: number) => (m / roundUp(m, GEMM_MR)) * (n / roundUp(n, GEMM_NR));

/** Outputs up to this size may be computed transposed (then transposed back) when that tiles better. */
const SWAP_MAX_OUTPUT = 1 << 16;
/** Above this many elements of A and out together, A (stored (m,k)) is streamed in blocks of rows. */
const STREAM_MIN = 1 << 23;
/** Elements of A and out in one streamed block of rows: 8 MiB, which stays in the last-level cache. */
const STREAM_BLOCK = 1 << 21;

/** out (m,n) = op(a)·op(b) for float32 arrays (see Backend.matmul). */
export function gemm(
  ctx: WasmContext,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    out.fill(0);
    return;
  }
  ctx.reset();
  if (!transA && m * (k + n) > STREAM_MIN && k * n <= STREAM_BLOCK && !ctx.isPersistent(a)) {
    // Very tall A (im2col of a large batch): blocks of rows go in, their rows of out come back, so
    // neither whole matrix is copied through memory twice; B is small and repacked per block. (A
    // persistent A is already in wasm memory: the whole product runs in place below.)
    const pb = ctx.put(b);
    const rowsPerBlock = roundUp(Math.max(256, Math.floor(STREAM_BLOCK / (k + n))), GEMM_MR);
    const pa = ctx.alloc(rowsPerBlock * k);
    const outInPlace = ctx.isPersistent(out);
    const pc = outInPlace ? 0 : ctx.alloc(rowsPerBlock * n);
    const mark = ctx.mark();
    for (let r0 = 0; r0 < m; r0 += rowsPerBlock) {
      const rows = Math.min(rowsPerBlock, m - r0);
      ctx.copyIn(pa, a, r0 * k, rows * k);
      multiply(ctx, pa, pb, outInPlace ? out.byteOffset + r0 * n * 4 : pc, rows, k, n, false, transB);
      ctx.release(mark);
      if (!outInPlace) ctx.copyOut(pc, out, r0 * n, rows * n);
    }
    return;
  }
  const pa = ctx.put(a);
  const pb = ctx.put(b);
  // A small output whose transpose fits the 4×8 tiles better (30×25 → 25×30: 73% → 84% useful
  // work) is computed as outᵀ = op(b)ᵀ·op(a)ᵀ and transposed back.
  const swap = m * n <= SWAP_MAX_OUTPUT && tileEfficiency(n, m) > 1.08 * tileEfficiency(m, n);
  const pc = ctx.output(out);
  if (swap) {
    const pt = ctx.alloc(m * n);
    multiply(ctx, pb, pa, pt, n, k, m, !transB, !transA);
    ctx.run([K_PERMUTE, pt, pc, 1, n, m, 1 << 20], 1);
  } else {
    multiply(ctx, pa, pb, pc, m, k, n, transA, transB);
  }
  ctx.get(pc, out);
}

/**
 * out (batch,m,n) = op(a_i)·op(b_i) for float32 arrays (see Backend.batchedMatmul). Small products
 * (conv2d's per-image filter products) are handed out whole, several per chunk, across the threads;
 * products big enough to split run one after another, each split like a plain GEMM.
 */
export function batchedGemm(
  ctx: WasmContext,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  batch: number,
  aStride: number,
  bStride: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  rowBias: Float32Array | null = null,
): void {
  if (batch === 0 || m === 0 || n === 0) return;
  if (k === 0) {
    for (let i = 0; i < batch * m; i++) out.fill(rowBias === null ? 0 : rowBias[i % m]!, i * n, (i + 1) * n);
    return;
  }
  ctx.reset();
  const pa = ctx.put(a);
  const pb = ctx.put(b);
  // the kernels add rowBias[i] as they store row i of a product: no pass of its own over the output
  const pbias = rowBias === null ? 0 : ctx.put(rowBias);
  const pc = ctx.output(out);
  if (m * k * n >= PARALLEL_MIN_MACS) {
    const mark = ctx.mark();
    for (let i = 0; i < batch; i++) {
      multiply(ctx, pa + i * aStride * 4, pb + i * bStride * 4, pc + i * m * n * 4, m, k, n, transA, transB, pbias);
      ctx.release(mark);
    }
  } else {
    const [chunks, per] = split(batch, Math.ceil(PARALLEL_MIN_MACS / 8 / (m * k * n)), ctx.threads);
    ctx.run([K_GEMM_BATCHED, pa, pb, pc, m, k, n, transA ? 1 : 0, transB ? 1 : 0, batch, aStride, bStride, per, ctx.scratch, ctx.scratchStride, pbias], chunks);
  }
  ctx.get(pc, out);
}

/**
 * Runs the GEMM job (and the partial-sum job of a k-split) on operands already in wasm memory; `pbias`
 * (0: none) points at m floats added to the rows of the output.
 */
function multiply(ctx: WasmContext, pa: number, pb: number, pc: number, m: number, k: number, n: number, transA: boolean, transB: boolean, pbias = 0): void {
  const plan = planGemm(m, k, n, ctx.threads);
  const partial = plan.gridK > 1 ? ctx.alloc(plan.gridK * m * n) : 0;
  ctx.run(
    [
      K_GEMM, pa, pb, pc, m, k, n, transA ? 1 : 0, transB ? 1 : 0,
      plan.mBlock, plan.nBlock, plan.kBlock, plan.gridM, plan.gridN, partial, ctx.scratch, ctx.scratchStride, pbias,
    ],
    plan.gridM * plan.gridN * plan.gridK,
  );
  if (plan.gridK > 1) {
    const [chunks, per] = split(m * n, 1 << 15, ctx.threads);
    ctx.run([K_GEMM_SUM, partial, pc, m * n, plan.gridK, per], chunks);
  }
}
