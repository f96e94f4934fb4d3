import { WorkerPool } from './pool.js';
import type { WasmRuntime } from './runtime.js';

const PAGE = 65536;

/** Thrown when a call needs more wasm memory than can be had; the backend then uses the reference. */
export class ArenaFull extends Error {
  constructor(bytes: number) {
    super(`wasm backend: a call needs ${bytes} bytes of WebAssembly memory, more than it can grow to`);
  }
}

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
        try {
          this.rt.memory.grow(Math.ceil((this.top - have) / PAGE));
        } catch {
          throw new ArenaFull(this.top);
        }
      }
      // Views of a shared memory stay valid after growth but keep their old length: renew them.
      this.f32 = new Float32Array(this.rt.memory.buffer);
      this.i32 = new Int32Array(this.rt.memory.buffer);
    }
    return p;
  }

  /** The arena's current top, for `release`: blocks allocated after it can be given back. */
  mark(): number {
    return this.top;
  }

  /** Gives back every block allocated since `mark` was taken. */
  release(mark: number): void {
    this.top = mark;
  }

  /** Copies src[start, start+len) to byte offset p. */
  copyIn(p: number, src: Float32Array, start: number, len: number): void {
    this.f32.set(src.subarray(start, start + len), p / 4);
  }

  /** Copies `len` floats at byte offset p into dst from index `start`. */
  copyOut(p: number, dst: Float32Array, start: number, len: number): void {
    dst.set(this.f32.subarray(p / 4, p / 4 + len), start);
  }

  /** Zeroes `count` floats at byte offset p. */
  zero(p: number, count: number): void {
    this.f32.fill(0, p / 4, p / 4 + count);
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
    this.describe(slots);
    this.pool.execute(this.rt.desc, chunks);
  }

  private describe(slots: readonly number[]): void {
    const base = this.rt.desc / 4;
    // Int32 stores wrap offsets above 2 GiB (and the negative offsets of streaming) modulo 2^32;
    // the kernels read pointer slots as unsigned.
    for (let i = 0; i < slots.length; i++) this.i32[base + i] = slots[i]!;
  }

  /**
   * Runs a job block by block on the main thread, each block small enough to stay in L2: the
   * `streams` slices of a block are copied into fixed arena buffers, chunk `block` of the job runs
   * on them, and the output slices are copied out. A stream's slot is pointed `unit·perUnit`
   * elements before its buffer so that the kernel's global indices land inside the buffer; `perSlot`
   * receives the units per block times `perScale` (for kernels whose chunks count finer units). Each input is read once and each output written once — copying
   * whole arrays in, running, and copying out moves three times the data through memory.
   */
  runStreamed(slots: number[], perSlot: number, units: number, streams: readonly StreamArray[], perScale = 1, blockElements = STREAM_BLOCK): void {
    if (units === 0) return;
    const largest = Math.max(1, ...streams.map((s) => s.perUnit));
    const perBlock = Math.max(1, Math.floor(blockElements / largest));
    const buffers = streams.map((s) => this.alloc(Math.min(units, perBlock) * s.perUnit));
    const i32 = this.i32;
    const f32 = this.f32;
    slots[perSlot] = perBlock * perScale;
    for (let block = 0, u0 = 0; u0 < units; block++, u0 += perBlock) {
      const count = Math.min(perBlock, units - u0);
      for (let k = 0; k < streams.length; k++) {
        const s = streams[k]!;
        const start = u0 * s.perUnit;
        const len = count * s.perUnit;
        if (s.io !== 'out') {
          if (s.data instanceof Float32Array) f32.set(s.data.subarray(start, start + len), buffers[k]! / 4);
          else i32.set(s.data.subarray(start, start + len), buffers[k]! / 4);
        }
        slots[s.slot] = buffers[k]! - start * 4;
      }
      this.describe(slots);
      this.rt.run(this.rt.desc, block, 0);
      for (let k = 0; k < streams.length; k++) {
        const s = streams[k]!;
        if (s.io === 'in') continue;
        const start = u0 * s.perUnit;
        const from = buffers[k]! / 4;
        const len = count * s.perUnit;
        if (s.data instanceof Float32Array) s.data.set(f32.subarray(from, from + len), start);
        else s.data.set(i32.subarray(from, from + len), start);
      }
    }
  }

  /** Byte offset of thread 0's scratch and the stride between threads' scratch. */
  get scratch(): number {
    return this.rt.scratch;
  }
  get scratchStride(): number {
    return this.rt.scratchStride;
  }
}

/** Elements of the largest stream in one block of runStreamed (512 KiB; measured best of 2^14..2^17). */
export const STREAM_BLOCK = 1 << 17;

/** One array of a streamed job: `perUnit` elements per unit of work, its descriptor slot, direction. */
export interface StreamArray {
  readonly data: Float32Array | Int32Array;
  readonly perUnit: number;
  readonly slot: number;
  /** 'in' is copied in, 'out' copied out, 'inout' both (kernels that accumulate into their output). */
  readonly io: 'in' | 'out' | 'inout';
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
