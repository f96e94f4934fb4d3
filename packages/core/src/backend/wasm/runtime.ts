import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { type WasmMemory, type WasmModule, wasmApi } from './wasm-api.js';

/**
 * Loads the float32 kernels: picks the relaxed-SIMD build where the runtime validates relaxed SIMD
 * (feature detection on a tiny module, never a flag), compiles it synchronously (ops keep a sync API),
 * and instantiates it on a shared memory that the worker threads will share.
 *
 * Memory layout (bytes): [0, heapBase) the module's own; one 256-byte job descriptor; per-thread
 * scratch (GEMM packing buffers, reduction accumulators); then the arena, a bump allocator reset at
 * the start of every backend call, grown on demand.
 */

/** The .wasm files live in packages/core/wasm/build; this file is src/backend/wasm or dist/backend/wasm. */
const BUILD_DIR = new URL('../../../wasm/build/', import.meta.url);
/** The worker entry, plain JavaScript beside the AssemblyScript sources. */
export const WORKER_URL = new URL('../../../wasm/worker.mjs', import.meta.url);

const PAGE = 65536;

// (module (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0))))
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
  0x03, 0x02, 0x01, 0x00, // func 0: type 0
  0x0a, 0x3d, 0x01, 0x3b, 0x00, // code: 1 body of 59 bytes, no locals
  0xfd, 0x0c, ...new Array<number>(16).fill(0), // v128.const 0
  0xfd, 0x0c, ...new Array<number>(16).fill(0), // v128.const 0
  0xfd, 0x0c, ...new Array<number>(16).fill(0), // v128.const 0
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd (0x105)
  0x0b, // end
]);

/** Whether this runtime validates relaxed-SIMD instructions (f32x4.relaxed_madd). */
export function hasRelaxedSimd(): boolean {
  try {
    return wasmApi?.validate(RELAXED_PROBE) ?? false;
  } catch {
    return false;
  }
}

export interface WasmRuntime {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  /** Runs chunk `chunk` of the job at `desc` as thread `tid` (0 is the main thread). */
  readonly run: (desc: number, chunk: number, tid: number) => void;
  /** Zeroes `bytes` bytes at byte offset `p` (in wasm: a JavaScript fill of shared memory is slow). */
  readonly zero: (p: number, bytes: number) => void;
  readonly relaxed: boolean;
  /** Threads that may run chunks: the main thread plus the workers it may start. */
  readonly threads: number;
  /** Byte offset of the job descriptor. */
  readonly desc: number;
  /** Byte offset of thread 0's scratch and the distance between two threads' scratch. */
  readonly scratch: number;
  readonly scratchStride: number;
  /** Where the arena starts. */
  readonly arenaBase: number;
}

function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** How many threads to use: TAPEGRAD_THREADS if set (≥ 1), else every available core. */
function threadCount(requested?: number): number {
  if (requested !== undefined) return Math.max(1, Math.min(64, Math.floor(requested)));
  const env = Number(process.env['TAPEGRAD_THREADS']);
  if (Number.isInteger(env) && env >= 1) return Math.min(env, 64);
  return Math.max(1, availableParallelism());
}

export interface RuntimeOptions {
  /** Threads, the main one included (default: TAPEGRAD_THREADS, else os.availableParallelism()). */
  threads?: number;
  /** Folder holding the built .wasm files (default: packages/core/wasm/build). */
  buildDir?: URL;
  /** Largest memory in 64 KiB pages (default 65536 = 4 GiB, less where that cannot be reserved). */
  maximumPages?: number;
}

/** Loads and instantiates the kernels; throws (with the reason) where they cannot load. */
export function loadRuntime(options: RuntimeOptions = {}): WasmRuntime {
  const wa = wasmApi;
  if (!wa) throw new Error('this runtime has no WebAssembly');
  const relaxed = hasRelaxedSimd();
  const file = new URL(relaxed ? 'tapegrad-relaxed.wasm' : 'tapegrad-simd.wasm', options.buildDir ?? BUILD_DIR);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new Error(`${fileURLToPath(file)} not found (build it with \`pnpm build\`)`);
  }
  const module = new wa.Module(bytes);
  const threads = threadCount(options.threads);
  let memory: WasmMemory | null = null;
  let lastError: unknown = null;
  for (const maximum of options.maximumPages ? [options.maximumPages] : [65536, 32768, 16384]) {
    try {
      memory = new wa.Memory({ initial: 64, maximum, shared: true });
      break;
    } catch (e) {
      lastError = e;
    }
  }
  if (!memory) throw new Error(`cannot create a shared WebAssembly.Memory: ${String(lastError)}`);
  const exports = new wa.Instance(module, { env: { memory } }).exports as unknown as {
    run: (desc: number, chunk: number, tid: number) => void;
    zero: (p: number, bytes: number) => void;
    heapBase: () => number;
    gemmScratchBytes: () => number;
    reduceScratchBytes: () => number;
  };
  const desc = alignUp(exports.heapBase(), 64);
  const scratch = desc + 256;
  const scratchStride = alignUp(Math.max(exports.gemmScratchBytes(), exports.reduceScratchBytes()), 64);
  const arenaBase = alignUp(scratch + threads * scratchStride, PAGE);
  const have = memory.buffer.byteLength;
  const want = arenaBase + 16 * 1024 * 1024;
  if (want > have) memory.grow(Math.ceil((want - have) / PAGE));
  return { module, memory, run: exports.run, zero: exports.zero, relaxed, threads, desc, scratch, scratchStride, arenaBase };
}
