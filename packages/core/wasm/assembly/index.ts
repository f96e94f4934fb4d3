// The tapegrad float32 kernels. One entry point, `run(desc, chunk, tid)`, executes chunk `chunk` of the
// job described at `desc`; the main thread and every worker call it with their own thread id `tid`
// (which selects the thread's scratch). The module keeps no state: memory is imported and shared.
import {
  K_GEMM, K_GEMM_SUM, K_IM2COL, K_COL2IM, K_MAXPOOL, K_AVGPOOL, K_AVGPOOL_BWD, K_UNARY, K_BINARY,
  K_REDUCE_SUM, K_PERMUTE, K_SCATTER_ADD, K_CONV2D, K_ADAM, K_GEMM_BATCHED, arg,
} from './common';
import { gemmBatchedChunk, gemmChunk, gemmSumChunk } from './gemm';
import { im2colChunk, col2imChunk, maxPoolChunk, avgPoolChunk, avgPoolBackwardChunk } from './window';
import { unaryChunk, binaryChunk } from './elementwise';
import { reduceSumChunk, transposeChunk, scatterAddChunk } from './layout';
import { conv2dChunk } from './conv';
import { adamChunk } from './optim';

export { gemmScratchBytes } from './gemm';
export { reduceScratchBytes } from './layout';

export function run(desc: usize, chunk: i32, tid: i32): void {
  switch (arg(desc, 0)) {
    case K_GEMM: gemmChunk(desc, chunk, tid); break;
    case K_GEMM_SUM: gemmSumChunk(desc, chunk); break;
    case K_IM2COL: im2colChunk(desc, chunk); break;
    case K_COL2IM: col2imChunk(desc, chunk); break;
    case K_MAXPOOL: maxPoolChunk(desc, chunk); break;
    case K_AVGPOOL: avgPoolChunk(desc, chunk); break;
    case K_AVGPOOL_BWD: avgPoolBackwardChunk(desc, chunk); break;
    case K_UNARY: unaryChunk(desc, chunk); break;
    case K_BINARY: binaryChunk(desc, chunk); break;
    case K_REDUCE_SUM: reduceSumChunk(desc, chunk, tid); break;
    case K_PERMUTE: transposeChunk(desc, chunk); break;
    case K_SCATTER_ADD: scatterAddChunk(desc, chunk); break;
    case K_CONV2D: conv2dChunk(desc, chunk, tid); break;
    case K_ADAM: adamChunk(desc, chunk); break;
    case K_GEMM_BATCHED: gemmBatchedChunk(desc, chunk, tid); break;
    default: unreachable();
  }
}

/** Zeroes `bytes` bytes at `ptr` (bulk memory.fill: a plain memset, where a JavaScript fill of shared memory is ~8× slower). */
export function zero(ptr: usize, bytes: usize): void {
  memory.fill(ptr, 0, bytes);
}

/** First free byte after the module's static data: the TypeScript side lays out memory from here. */
export function heapBase(): usize {
  return __heap_base;
}
