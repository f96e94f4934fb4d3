import type { ResidentMemory } from '../backend/backend.js';
import type { DType, TypedArray } from '../dtype.js';

/**
 * Reuse of large tensor arrays whose last holder is known to be gone — without any dispose call.
 *
 * Tensors are garbage-collected objects, and JavaScript cannot tell a program that an object has died
 * (a FinalizationRegistry callback only runs after the current task, never inside a synchronous training
 * loop). So in general a fresh array is allocated for every op output, and a SimpleConvNet step makes
 * ~61 MB of them: fresh pages, and a GC every ~32 MB of new ArrayBuffer memory. Two kinds of arrays are
 * provably unreachable at a known moment, and only those are given back here:
 *
 * - gradients flowing between nodes in backward (`autograd/engine.ts`): allocated during this backward
 *   by built-in VJPs, never shown to user code (leaf and requested gradients are kept), dropped once the
 *   node they belong to has run its VJP and no pending gradient shares the array;
 * - a composite op's internal tensors (`markGraphPrivate`: conv2d's unfolded input, its GEMM output and
 *   the biased rows), which only the graph's nodes hold: given back when every node that consumed them
 *   has run its VJP and freed its inputs (not with retainGraph or createGraph).
 *
 * The allocation functions in dtype.ts take arrays of the same dtype and length from here first.
 *
 * Because the pool knows when these arrays die, it can also place them in the active backend's own
 * memory (`Backend.resident`: the fast backend's WebAssembly memory), where kernels read and write them
 * without copying them in and out. Every other array (anything user code can hold) stays an ordinary
 * JavaScript array: a resident array the GC has to find would tie its memory up until the next task.
 */

/** Arrays below this size are left to the GC: small typed arrays are cheap to make. */
export const POOL_MIN_BYTES = 1 << 16;
/** Most bytes the pool holds; an array given back beyond it is left to the GC. */
export const POOL_MAX_BYTES = 128 * 1024 * 1024;

/** `TAPEGRAD_ARRAY_POOL=off` in the environment turns reuse off (to compare, or to rule it out). */
let enabled =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TAPEGRAD_ARRAY_POOL !== 'off';

const pools = new Map<string, TypedArray[]>();
let pooledBytes = 0;
const counters = { givenBack: 0, reused: 0 };
/** Test hook: when a number, every array given back is filled with it (reads after release show up). */
let poison: number | null = null;

const keyOf = (dtype: DType, length: number) => `${dtype}:${length}`;

function dtypeOf(a: TypedArray): DType {
  return a instanceof Float32Array ? 'float32' : a instanceof Float64Array ? 'float64' : 'int32';
}

/** A pooled array of `dtype` and `size` elements with unspecified contents, or undefined. */
export function takePooled(dtype: DType, size: number): TypedArray | undefined {
  if (pooledBytes === 0) return undefined;
  const list = pools.get(keyOf(dtype, size));
  const a = list?.pop();
  if (a === undefined) return undefined;
  pooledBytes -= a.byteLength;
  counters.reused++;
  return a;
}

/**
 * Gives `a` back for reuse. The caller guarantees nothing can read or write it any more. Arrays that do
 * not own their whole buffer (views, subarrays, shared wasm memory) are never pooled.
 */
export function giveBack(a: TypedArray): void {
  if (resident?.has(a)) return void keepResident(a as Float32Array);
  if (!enabled) return;
  if (a.byteLength < POOL_MIN_BYTES || pooledBytes + a.byteLength > POOL_MAX_BYTES) return;
  if (a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength || !(a.buffer instanceof ArrayBuffer)) return;
  if (poison !== null) a.fill(a instanceof Int32Array ? -0x80000000 : poison);
  const key = keyOf(dtypeOf(a), a.length);
  let list = pools.get(key);
  if (list === undefined) pools.set(key, (list = []));
  list.push(a);
  pooledBytes += a.byteLength;
  counters.givenBack++;
}

/**
 * Empties the pool (its arrays are left to the GC): the pool keeps up to POOL_MAX_BYTES between
 * steps, which a program that has finished training may want back. Exported as `clearArrayPool`.
 * @example clearArrayPool(); // after training, before a long phase without backward passes
 */
export function clearPool(): void {
  pools.clear();
  pooledBytes = 0;
  for (const list of residentPools.values()) {
    for (const a of list) {
      inResidentPool.delete(a);
      resident?.free(a);
    }
  }
  residentPools.clear();
  residentPooledBytes = 0;
}

/**
 * How many arrays were given back and reused so far, and the bytes held now. Exported as `arrayPoolStats`.
 * @example const { pooledBytes } = arrayPoolStats(); // bytes held for reuse now
 */
export function poolStats(): { givenBack: number; reused: number; pooledBytes: number } {
  return { ...counters, pooledBytes: pooledBytes + residentPooledBytes };
}

/** Turns reuse on or off (off also empties the pool); for tests and comparisons. */
export function setPoolEnabled(on: boolean): void {
  enabled = on;
  if (!on) clearPool();
}

/** Test hook: fill every array given back with `value` (null: off). Not for normal use. */
export function setPoolPoison(value: number | null): void {
  poison = value;
}

// ---- arrays born during a backward pass ----

let births: Set<TypedArray> | null = null;

/**
 * Called by the allocation functions with every new array: notes `a` as born in the backward pass now
 * running, if any; inside withIntermediates, marks a float32 array an intermediate (see there).
 */
export function noteBirth(a: TypedArray): void {
  if (births !== null && a.byteLength >= POOL_MIN_BYTES) births.add(a);
  else if (scopes.intermediate > 0 && a instanceof Float32Array) markGraphPrivate(a, true);
}

/** Starts noting births into `into` (returns the previous set, for nesting); `endBirths` restores it. */
export function beginBirths(into: Set<TypedArray>): Set<TypedArray> | null {
  const previous = births;
  births = into;
  return previous;
}

export function endBirths(previous: Set<TypedArray> | null): void {
  births = previous;
}

/** Runs fn without noting births: arrays it allocates (user code may keep them) are never given back. */
export function withoutBirths<T>(fn: () => T): T {
  const previous = births;
  const previousDepth = scopes.private;
  births = null;
  scopes.private = 0;
  try {
    return fn();
  } finally {
    births = previous;
    scopes.private = previousDepth;
  }
}

/**
 * Gives back the resident arrays still noted in `born` when a backward pass ends: what a built-in VJP
 * made and did not return (its temporaries), and the resident originals of gradients handed to the
 * caller as copies (engine.ts `forUserCode`). Built-in VJPs keep nothing, and with createGraph off nothing
 * records, so nothing else can hold them. Ordinary arrays are left to the GC, as before.
 */
export function releaseResidentBirths(born: ReadonlySet<TypedArray>): void {
  if (resident === null) return;
  for (const a of born) if (resident.has(a)) keepResident(a as Float32Array);
}

// ---- a composite's internal tensors ----

/**
 * Internal arrays of composites (and marked intermediates), with the number of recorded nodes that hold
 * them until backward frees them: the nodes that took them as an input, plus, for an intermediate, the
 * node that produced it (`producer`: its VJP may have saved its output, as sigmoid's does).
 */
const privateArrays = new WeakMap<TypedArray, { consumers: number; producer: boolean }>();
let anyPrivate = false;

/**
 * Marks `data` (a composite op's internal result, never returned to the caller and not a view of
 * anything the caller holds) so that it is given back once every recorded node that consumed it has
 * run its VJP and freed its inputs. Call before the data is passed to the next op. With `producer`,
 * the recorded node that produced it is counted too (see markIntermediate). Returns whether it marked.
 */
export function markGraphPrivate(data: TypedArray, producer = false): boolean {
  if (data.byteLength < POOL_MIN_BYTES || privateArrays.has(data)) return false;
  privateArrays.set(data, { consumers: producer ? 1 : 0, producer });
  anyPrivate = true;
  return true;
}

/** Called when a node is recorded with `data` among its inputs' arrays. */
export function noteConsumer(data: TypedArray): void {
  if (!anyPrivate) return;
  const info = privateArrays.get(data);
  if (info !== undefined) info.consumers++;
}

/** Called when a node that consumed `data` has run its VJP and dropped its inputs. */
export function releaseConsumer(data: TypedArray): void {
  if (!anyPrivate) return;
  const info = privateArrays.get(data);
  if (info === undefined) return;
  if (--info.consumers > 0) return;
  privateArrays.delete(data);
  giveBack(data);
}

/**
 * Called when an op's output turns out not to be recorded: a node that does not exist will not hold
 * it, so an intermediate marked at allocation (withIntermediates) waits for its consumers only.
 */
export function disownOutput(data: TypedArray): void {
  if (!anyPrivate) return;
  const info = privateArrays.get(data);
  if (info === undefined || !info.producer) return;
  info.producer = false;
  info.consumers--;
}

/**
 * Gives back `data` now if it is a marked intermediate that no recorded node holds (its last reader
 * ran unrecorded, under noGrad): for a forward chain whose caller knows nothing will read it again.
 */
export function releaseUnrecordedIntermediate(data: TypedArray): void {
  if (!anyPrivate) return;
  const info = privateArrays.get(data);
  if (info === undefined || info.consumers !== 0 || info.producer) return;
  privateArrays.delete(data);
  giveBack(data);
}

/** Called when the node that produced `data` has run its VJP and been freed. */
export function releaseProducer(data: TypedArray): void {
  if (!anyPrivate) return;
  if (privateArrays.get(data)?.producer === true) releaseConsumer(data);
}

// ---- arrays in the backend's own memory ----

/** Most bytes of resident memory the pool fills (held arrays and its free list together). */
export const RESIDENT_MAX_BYTES = 128 * 1024 * 1024;
let residentLimit = RESIDENT_MAX_BYTES;

/** Test hook: the most resident bytes the pool fills (RESIDENT_MAX_BYTES normally; 0 puts nothing there). */
export function setResidentLimit(bytes: number): void {
  residentLimit = bytes;
}

/** Resident bytes in use (the backend's count, its optimizer state included) and held for reuse; for tests. */
export function residentStats(): { bytesInUse: number; pooledBytes: number } {
  return { bytesInUse: resident?.bytesInUse() ?? 0, pooledBytes: residentPooledBytes };
}

let resident: ResidentMemory | null = null;
/** Given-back resident arrays by length (all float32). */
const residentPools = new Map<number, Float32Array[]>();
/** The arrays in residentPools: a second give-back of one is ignored rather than handing it out twice. */
const inResidentPool = new WeakSet<Float32Array>();
let residentPooledBytes = 0;
/** How deep inside `withPrivateOutputs`, `withOrdinaryArrays` and `withIntermediates` the running code is. */
const scopes = { private: 0, ordinary: 0, intermediate: 0 };

function within<T>(scope: keyof typeof scopes, fn: () => T): T {
  scopes[scope]++;
  try {
    return fn();
  } finally {
    scopes[scope]--;
  }
}

/** Called when the active backend changes: its resident memory, or null (the pool's are given back). */
export function setResidentMemory(memory: ResidentMemory | null): void {
  if (memory === resident) return;
  clearPool();
  resident = memory;
}

/** Whether `a` lies in the active backend's resident memory. */
export function isResident(a: TypedArray): boolean {
  return resident?.has(a) ?? false;
}

/**
 * Runs fn with its ops' large float32 outputs placed in resident memory: for a composite's internal
 * tensors, which it marks with markGraphPrivate (conv2d). Nothing fn returns may reach user code.
 */
export function withPrivateOutputs<T>(fn: () => T): T {
  return within('private', fn);
}

/**
 * Runs fn — ops whose every float32 result is passed on to later ops and never kept — with each such
 * array marked an intermediate as it is allocated (given back once backward has run the op that made
 * it and every op that consumed it) and placed in resident memory when there is room. Only while
 * something is recorded: without a backward to free them, marked arrays would wait for the GC there.
 */
export function withIntermediates<T>(fn: () => T): T {
  return within('intermediate', fn);
}

/**
 * Runs fn with every array it allocates an ordinary one, even during backward: for a VJP whose
 * gradient goes to a leaf's `.grad` (user code), which would otherwise be copied out of resident memory.
 */
export function withOrdinaryArrays<T>(fn: () => T): T {
  return within('ordinary', fn);
}

/**
 * A resident float32 array of `size` elements (zero-filled when asked) when the array being allocated
 * is one whose last holder the pool will know — made during a backward pass (births noted) or inside
 * withPrivateOutputs — and resident memory is available; otherwise undefined.
 */
export function takeResident(size: number, zeroFill: boolean): Float32Array | undefined {
  if (resident === null || !enabled || size * 4 < POOL_MIN_BYTES) return undefined;
  if ((births === null && scopes.private === 0 && scopes.intermediate === 0) || scopes.ordinary > 0) return undefined;
  const a = residentPools.get(size)?.pop();
  if (a !== undefined) {
    inResidentPool.delete(a);
    residentPooledBytes -= a.byteLength;
    counters.reused++;
    if (zeroFill) resident.zero(a);
    return a;
  }
  if (resident.bytesInUse() + size * 4 > residentLimit) return undefined;
  return resident.alloc(size, zeroFill) ?? undefined;
}

/** A given-back resident array: kept for reuse, or freed when the pool already holds enough. */
function keepResident(a: Float32Array): void {
  if (inResidentPool.has(a)) return;
  if (!enabled || residentPooledBytes + a.byteLength > POOL_MAX_BYTES) return void resident!.free(a);
  if (poison !== null) a.fill(poison);
  let list = residentPools.get(a.length);
  if (list === undefined) residentPools.set(a.length, (list = []));
  list.push(a);
  inResidentPool.add(a);
  residentPooledBytes += a.byteLength;
  counters.givenBack++;
}
