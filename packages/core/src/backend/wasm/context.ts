import { WorkerPool } from './pool.js';
import type { WasmRuntime } from './runtime.js';

const PAGE = 65536;

/**
 * What every wasm kernel wrapper needs: the runtime, the pool, and an arena in linear memory. Inputs
 * are copied in, the job runs, outputs are copied out; the arena is reset at the start of each backend
 * call (nothing outlives a call), and memory grows when a call needs more.
 */
export class WasmContext {
  readonly pool: WorkerPool;
  private top: number;
  private f32: Float32Array;
  private i32: Int32Array;

  constructor(readonly rt: WasmRuntime) {
    this.pool = new WorkerPool(rt);
    this.top = rt.arenaBase;
    this.f32 = new Float32Array(rt.memory.buffer);
    this.i32 = new Int32Array(rt.memory.buffer);
  }

  /** Threads available to a job. */
  get threads(): number {
    return this.rt.threads;
  }

  /** Frees the whole arena: call once at the start of every backend entry point. */
  reset(): void {
    this.top = this.rt.arenaBase;
  }

  /**
   * Reserves `count` 4-byte elements (64-byte aligned) and returns the byte offset. Blocks are followed
   * by at least 64 spare bytes: kernels reading an operand in place may load a vector past its end
   * (lanes that are never used).
   */
  alloc(count: number): number {
    const p = Math.ceil(this.top / 64) * 64;
    this.top = p + count * 4 + 64;
    const have = this.rt.memory.buffer.byteLength;
    if (this.top > have) {
      // Grow by at least an eighth of the current size so a sequence of growing calls stays cheap.
      const pages = Math.max(Math.ceil((this.top - have) / PAGE), Math.ceil(have / PAGE / 8));
      try {
        this.rt.memory.grow(pages);
      } catch {
        this.rt.memory.grow(Math.ceil((this.top - have) / PAGE));
      }
      // Views of a shared memory stay valid after growth but keep their old length: renew them.
      this.f32 = new Float32Array(this.rt.memory.buffer);
      this.i32 = new Int32Array(this.rt.memory.buffer);
    }
    return p;
  }

  /** Copies a float32 or int32 array into a fresh arena block; returns its byte offset. */
  put(src: Float32Array | Int32Array): number {
    const p = this.alloc(src.length);
    if (src instanceof Float32Array) this.f32.set(src, p / 4);
    else this.i32.set(src, p / 4);
    return p;
  }

  /** Copies `dst.length` elements at byte offset `p` out into dst. */
  get(p: number, dst: Float32Array | Int32Array): void {
    const i = p / 4;
    if (dst instanceof Float32Array) dst.set(this.f32.subarray(i, i + dst.length));
    else dst.set(this.i32.subarray(i, i + dst.length));
  }

  /** Writes a job descriptor (slot 0 is the kind) and runs its chunks across the pool. */
  run(slots: readonly number[], chunks: number): void {
    const base = this.rt.desc / 4;
    for (let i = 0; i < slots.length; i++) this.i32[base + i] = slots[i]!;
    this.pool.execute(this.rt.desc, chunks);
  }

  /** Byte offset of thread 0's scratch and the stride between threads' scratch. */
  get scratch(): number {
    return this.rt.scratch;
  }
  get scratchStride(): number {
    return this.rt.scratchStride;
  }
}

/**
 * Splits `units` of work into chunks of at least `minUnits`, at most about 2 per thread (dynamic
 * claiming balances them), returning [chunks, unitsPerChunk]. Small jobs get one chunk: the main
 * thread runs them alone, with no synchronisation.
 */
export function split(units: number, minUnits: number, threads: number): [number, number] {
  if (units <= 0) return [0, 1];
  const chunks = Math.max(1, Math.min(threads * 2, Math.floor(units / Math.max(1, minUnits))));
  const per = Math.ceil(units / chunks);
  return [Math.ceil(units / per), per];
}
