// Shared by the wasm backend tests: a backend instance with worker threads started, seeded data, and an
// elementwise comparison that names the worst element.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';

const wasmDir = new URL('../../wasm/', import.meta.url);

/** Builds the .wasm files when they are missing (a fresh checkout that ran `vitest` before `pnpm build`). */
export function ensureBuilt(): void {
  const built = ['tapegrad-simd.wasm', 'tapegrad-relaxed.wasm'].every((f) => existsSync(new URL(`build/${f}`, wasmDir)));
  if (!built) execFileSync(process.execPath, [fileURLToPath(new URL('build.mjs', wasmDir))], { stdio: 'inherit' });
}

let shared: WasmBackend | null = null;

/**
 * Runs `job` (checking its own results) until a worker thread has taken at least one of its chunks,
 * at most `rounds` times; returns whether one did. Chunks are claimed dynamically, so on a busy machine
 * the main thread may legitimately finish a short job before a worker wakes up: one round is not enough.
 */
export function workersJoin(wasm: WasmBackend, job: () => void, rounds = 200): boolean {
  const before = wasm.workerChunks();
  for (let r = 0; r < rounds && wasm.workerChunks() === before; r++) job();
  return wasm.workerChunks() > before;
}

/**
 * One backend per test file with 3 threads (main + 2 workers, more than the cores of a small machine
 * on purpose, so chunks really are split across threads), its workers started and ready.
 */
export async function threadedBackend(): Promise<WasmBackend> {
  if (!shared) {
    ensureBuilt();
    shared = createWasmBackend({ threads: 3 });
    await shared.startWorkers();
  }
  return shared;
}

/** mulberry32: a tiny seeded generator for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n floats uniform in [lo, hi). */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** n small integers in [0, levels): many exact ties, for max pooling's first-maximum rule. */
export function levels(n: number, seed: number, count: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * count);
  return out;
}

/**
 * null when |actual - expected| <= atol + rtol·max(|expected|, scale) everywhere (NaN matches NaN,
 * infinities must match exactly); otherwise a message naming the worst element. `scale` (per element)
 * is the magnitude of the terms that were summed, for sums whose value can cancel to near zero.
 */
export function mismatch(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 1e-4, atol = 1e-5, scale }: { rtol?: number; atol?: number; scale?: ArrayLike<number> } = {},
): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} vs ${expected.length}`;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) return `[${i}] ${a} vs ${e}`;
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) return `[${i}] ${a} vs ${e}`;
      continue;
    }
    const excess = Math.abs(a - e) - (atol + rtol * Math.max(Math.abs(e), scale ? scale[i]! : 0));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  return worst < 0 ? null : `[${worst}] ${actual[worst]} vs ${expected[worst]} (of ${actual.length})`;
}

/** null when two integer arrays are identical, else the first differing index and values. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `[${i}] ${a[i]} vs ${b[i]}`;
  return null;
}

/** null when every pair is the same value (Object.is: -0 ≠ +0) or both NaN; else the first difference. */
export function firstValueDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) return `[${i}] ${Object.is(x, -0) ? '-0' : x} vs ${Object.is(y, -0) ? '-0' : y}`;
  }
  return null;
}
