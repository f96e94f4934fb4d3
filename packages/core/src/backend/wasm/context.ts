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
 *
 * Below the arena lie persistent blocks: arrays that live across calls — an optimizer's moments
 * (Backend.stateArray) and the arrays the array pool places here (Backend.resident: conv2d's internals,
 * backward's gradients). They are handed out as Float32Array views and given back by `freePersistent`
 * or, failing that, when the view is garbage-collected; the arena starts above the highest one, so the
 * two never overlap. Kernels use a persistent operand where it lies (`put`, `output`, `get` and
 * `runStreamed` skip its copies).
 */
export class WasmContext {
  readonly pool: WorkerPool;
  private top: number;
  private f32: Float32Array;
  private i32: Int32Array;
  private f64: Float64Array;
  /** Where the arena starts: rt.arenaBase plus the persistent blocks. */
  private base: number;
  /** Freed persistent blocks below `base` (byte offset and size), sorted by offset, never adjacent. */
  private readonly holes: { p: number; bytes: number }[] = [];
  /** Each live persistent view's block; also the FinalizationRegistry's unregister token. */
  private readonly persistent = new WeakMap<Float32Array, { p: number; bytes: number }>();
  private readonly reclaim = new FinalizationRegistry<{ p: number; bytes: number }>((b) => this.freeBlock(b.p, b.bytes));

  constructor(readonly rt: WasmRuntime) {
    this.pool = new WorkerPool(rt);
    this.base = rt.arenaBase;
    this.top = rt.arenaBase;
    this.f32 = new Float32Array(rt.memory.buffer);
    this.i32 = new Int32Array(rt.memory.buffer);
    this.f64 = new Float64Array(rt.memory.buffer);
  }

  /** Threads available to a job. */
  get threads(): number {
    return this.rt.threads;
  }

  /** Frees the whole arena: call once at the start of every backend entry point. */
  reset(): void {
    this.top = this.base;
  }

  /**
   * Reserves `count` 4-byte elements (64-byte aligned) and returns the byte offset. Blocks are followed
   * by at least 64 spare bytes: kernels reading an operand in place may load a vector past its end
   * (lanes that are never used).
   */
  alloc(count: number): number {
    const p = Math.ceil(this.top / 64) * 64;
    this.top = p + count * 4 + 64;
    this.ensure(this.top);
    return p;
  }

  /** Grows memory to at least `end` bytes (ArenaFull where it cannot) and renews the views. */
  private ensure(end: number): void {
    const have = this.rt.memory.buffer.byteLength;
    if (end > have) {
      // Grow by at least an eighth of the current size so a sequence of growing calls stays cheap.
      const pages = Math.max(Math.ceil((end - have) / PAGE), Math.ceil(have / PAGE / 8));
      try {
        this.rt.memory.grow(pages);
      } catch {
        try {
          this.rt.memory.grow(Math.ceil((end - have) / PAGE));
        } catch {
          throw new ArenaFull(end);
        }
      }
      // Views of a shared memory stay valid after growth but keep their old length: renew them.
      this.f32 = new Float32Array(this.rt.memory.buffer);
      this.i32 = new Int32Array(this.rt.memory.buffer);
      this.f64 = new Float64Array(this.rt.memory.buffer);
    }
  }

  /**
   * A zero-filled float32 array of `count` elements in wasm memory that outlives backend calls (a view
   * of the shared memory: it stays valid as memory grows). Its block is given back once the view is
   * unreachable — so a subarray must not outlive it. Never call this during a backend call: the arena
   * moves up above a new block. Throws ArenaFull where memory cannot grow.
   */
  persistentArray(count: number, zeroFill = true): Float32Array {
    // whole 64-byte lines, with the spare line kernels may read past an operand
    const bytes = Math.ceil((count * 4 + 64) / 64) * 64;
    let p = -1;
    const i = this.holes.findIndex((h) => h.bytes >= bytes);
    if (i >= 0) {
      const h = this.holes[i]!;
      p = h.p;
      if (h.bytes === bytes) this.holes.splice(i, 1);
      else this.holes[i] = { p: h.p + bytes, bytes: h.bytes - bytes };
    } else {
      this.ensure(this.base + bytes);
      p = this.base;
      this.base += bytes;
      this.top = this.base;
    }
    const view = new Float32Array(this.rt.memory.buffer, p, count);
    if (zeroFill) this.zero(p, count);
    const block = { p, bytes };
    this.persistent.set(view, block);
    this.reclaim.register(view, block, view);
    return view;
  }

  /**
   * Gives a persistent array's block back now, before the GC would. The caller guarantees that nothing
   * reads or writes the view any more. Not during a backend call.
   */
  freePersistent(view: Float32Array): void {
    const block = this.persistent.get(view);
    if (block === undefined) return;
    this.persistent.delete(view);
    this.reclaim.unregister(view);
    this.freeBlock(block.p, block.bytes);
  }

  /** Whether `a` is one of this context's persistent arrays (then its byteOffset is its address). */
  isPersistent(a: Float32Array | Int32Array): boolean {
    return a instanceof Float32Array && this.persistent.has(a);
  }

  /** Blocks allocated since the context started that are still in use, in bytes (for tests). */
  get persistentBytes(): number {
    return this.base - this.rt.arenaBase - this.holes.reduce((s, h) => s + h.bytes, 0);
  }

  /** Returns a persistent block: merged with free neighbours; the arena moves down when it was the highest. */
  private freeBlock(p: number, bytes: number): void {
    let i = this.holes.findIndex((h) => h.p > p);
    if (i < 0) i = this.holes.length;
    this.holes.splice(i, 0, { p, bytes });
    const next = this.holes[i + 1];
    if (next && p + bytes === next.p) {
      this.holes[i] = { p, bytes: bytes + next.bytes };
      this.holes.splice(i + 1, 1);
    }
    const prev = this.holes[i - 1];
    if (prev && prev.p + prev.bytes === this.holes[i]!.p) {
      this.holes[i - 1] = { p: prev.p, bytes: prev.bytes + this.holes[i]!.bytes };
      this.holes.splice(i, 1);
    }
    const last = this.holes[this.holes.length - 1];
    if (last && last.p + last.bytes === this.base) {
      // Finalizers run between calls, never inside one: the arena holds nothing live here.
      this.base = last.p;
      this.top = this.base;
      this.holes.pop();
    }
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
    this.rt.zero(p, count * 4);
  }

  /**
   * Copies a float32 or int32 array into a fresh arena block; returns its byte offset. A persistent
   * array is not copied: its own address is returned, so callers must only read from the block.
   */
  put(src: Float32Array | Int32Array): number {
    if (this.isPersistent(src)) return src.byteOffset;
    const p = this.alloc(src.length);
    if (src instanceof Float32Array) this.f32.set(src, p / 4);
    else this.i32.set(src, p / 4);
    return p;
  }

  /** Copies float64 scalars (a kernel's parameters) into a fresh 64-byte aligned block; returns its byte offset. */
  putFloat64(values: readonly number[]): number {
    const p = this.alloc(values.length * 2);
    this.f64.set(values, p / 8);
    return p;
  }

  /**
   * Where a kernel should write `dst`: its own address when it is a persistent array (then `get` has
   * nothing to copy), else a fresh arena block.
   */
  output(dst: Float32Array | Int32Array): number {
    return this.isPersistent(dst) ? dst.byteOffset : this.alloc(dst.length);
  }

  /** Copies `dst.length` elements at byte offset `p` out into dst (nothing when p is dst itself). */
  get(p: number, dst: Float32Array | Int32Array): void {
    if (p === dst.byteOffset && this.isPersistent(dst)) return;
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
   * receives the units per block times `perScale` (for kernels whose chunks count finer units). Each
   * input is read once and each output written once — copying whole arrays in, running, and copying
   * out moves three times the data through memory — but on one thread. So a job big enough to split
   * is split across the threads instead (unless `serial`: kernels whose chunks may write the same
   * element, like scatterAdd): persistent arrays are used where they lie, other inputs copied in whole
   * and other outputs copied out whole. Streaming remains for small jobs, accumulating outputs, and
   * jobs whose copies would exceed WHOLE_COPY_MAX_BYTES (the arena would grow to hold them: 1,000
   * images through relu would take 138 MB of it).
   */
  runStreamed(slots: number[], perSlot: number, units: number, streams: readonly StreamArray[], options: StreamOptions = {}): void {
    if (units === 0) return;
    const { perScale = 1, blockElements = STREAM_BLOCK, serial = false } = options;
    const largest = Math.max(1, ...streams.map((s) => s.perUnit));
    const [chunks, per] = split(units, Math.ceil(PARALLEL_MIN_ELEMENTS / largest), this.threads);
    const copied = streams.filter((s) => !this.isPersistent(s.data));
    const copiedBytes = copied.reduce((sum, s) => sum + units * s.perUnit * 4, 0);
    if (!serial && this.threads > 1 && chunks > 1 && copiedBytes <= WHOLE_COPY_MAX_BYTES && copied.every((s) => s.io === 'in' || s.io === 'out')) {
      // Split across the threads: operands in wasm memory are used where they lie, other inputs are
      // copied in whole and other outputs copied out whole afterwards (on the main thread; measured
      // faster than streaming them through one thread: relu of 1.7M floats 1.01 -> 0.79-0.90 ms).
      const outs: { s: StreamArray; p: number }[] = [];
      for (const s of streams) {
        if (this.isPersistent(s.data)) slots[s.slot] = s.data.byteOffset;
        else if (s.io === 'in') slots[s.slot] = this.put(s.data);
        else outs.push({ s, p: (slots[s.slot] = this.alloc(units * s.perUnit)) });
      }
      slots[perSlot] = per * perScale;
      this.run(slots, chunks);
      for (const { s, p } of outs) {
        const last = p / 4 + units * s.perUnit;
        if (s.data instanceof Float32Array) s.data.set(this.f32.subarray(p / 4, last));
        else s.data.set(this.i32.subarray(p / 4, last));
      }
      return;
    }
    const perBlock = Math.max(1, Math.floor(blockElements / largest));
    // A persistent array is used where it lies: no block buffer, no copies (-1 marks it).
    const buffers = streams.map((s) => (this.isPersistent(s.data) ? -1 : this.alloc(Math.min(units, perBlock) * s.perUnit)));
    const i32 = this.i32;
    const f32 = this.f32;
    slots[perSlot] = perBlock * perScale;
    for (let block = 0, u0 = 0; u0 < units; block++, u0 += perBlock) {
      const count = Math.min(perBlock, units - u0);
      for (let k = 0; k < streams.length; k++) {
        const s = streams[k]!;
        if (buffers[k] === -1) {
          slots[s.slot] = s.data.byteOffset;
          continue;
        }
        const start = u0 * s.perUnit;
        const len = count * s.perUnit;
        if (s.io === 'in' || s.io === 'inout') {
          if (s.data instanceof Float32Array) f32.set(s.data.subarray(start, start + len), buffers[k]! / 4);
          else i32.set(s.data.subarray(start, start + len), buffers[k]! / 4);
        }
        slots[s.slot] = buffers[k]! - start * 4;
      }
      this.describe(slots);
      this.rt.run(this.rt.desc, block, 0);
      for (let k = 0; k < streams.length; k++) {
        const s = streams[k]!;
        if (s.io === 'in' || s.io === 'scratch' || buffers[k] === -1) continue;
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

/** Most bytes runStreamed copies in and out whole to split a job across threads (a training batch's activations). */
const WHOLE_COPY_MAX_BYTES = 32 * 1024 * 1024;

/** Elements of the largest stream per chunk, at least, when runStreamed splits a job across threads. */
const PARALLEL_MIN_ELEMENTS = 1 << 16;

export interface StreamOptions {
  /** Multiplies the units per chunk written to the descriptor (kernels whose chunks count finer units). */
  readonly perScale?: number;
  /** Elements of the largest stream per block when streaming (default STREAM_BLOCK). */
  readonly blockElements?: number;
  /** Never split across threads: chunks of the kernel may write the same element. */
  readonly serial?: boolean;
}

/** One array of a streamed job: `perUnit` elements per unit of work, its descriptor slot, direction. */
export interface StreamArray {
  readonly data: Float32Array | Int32Array;
  readonly perUnit: number;
  readonly slot: number;
  /**
   * 'in' is copied in, 'out' copied out, 'inout' both (kernels that accumulate into their output);
   * 'scratch' is neither: a block buffer for output nobody reads (data may be empty).
   */
  readonly io: 'in' | 'out' | 'inout' | 'scratch';
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
