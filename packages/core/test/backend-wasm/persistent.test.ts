import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceBackend } from '@tapegrad/core';
import { WasmContext } from '../../src/backend/wasm/context.js';
import { loadRuntime } from '../../src/backend/wasm/runtime.js';
import type { WasmBackend } from '../../src/backend/wasm/index.js';
import { ensureBuilt, threadedBackend, workersJoin } from './helpers.js';

/*
 * Persistent arrays of the wasm context (Backend.stateArray): zero-filled views of wasm memory that
 * outlive backend calls, never overlapped by the per-call arena, given back when garbage-collected; and
 * adamUpdate on them (used in place) gives the same bits as on plain arrays and as the reference.
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage until the context's finalizers have given back its blocks (they run as tasks). */
async function collect(ctx: WasmContext, until: () => boolean): Promise<void> {
  for (let r = 0; r < 50 && !until(); r++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 3);
}

let wasm: WasmBackend;
beforeAll(async () => {
  ensureBuilt();
  wasm = await threadedBackend();
});

describe('persistent arrays of the wasm context', () => {
  it('are zero-filled views of wasm memory that the arena never overwrites', () => {
    const ctx = new WasmContext(loadRuntime({ threads: 1 }));
    const a = ctx.persistentArray(1000);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.every((x) => x === 0)).toBe(true);
    expect(ctx.isPersistent(a)).toBe(true);
    expect(ctx.isPersistent(new Float32Array(1000))).toBe(false);
    a.set(values(1000, 1));
    // the arena starts above it: fill a large arena block with garbage, then allocate more persistent
    // arrays and use the arena again (it moves up past the new ones)
    ctx.reset();
    const p = ctx.alloc(300_000);
    expect(p).toBeGreaterThanOrEqual(a.byteOffset + a.byteLength);
    ctx.zero(p, 300_000);
    const b = ctx.persistentArray(5000);
    b.fill(7);
    ctx.reset();
    const q = ctx.alloc(2_000_000); // grows memory: views stay valid
    expect(q).toBeGreaterThanOrEqual(b.byteOffset + b.byteLength);
    ctx.zero(q, 2_000_000);
    expect(Array.from(a)).toEqual(Array.from(values(1000, 1)));
    expect(b.every((x) => x === 7)).toBe(true);
    expect(ctx.persistentBytes).toBeGreaterThanOrEqual(6000 * 4);
  });

  it('are given back when unreachable, and the space is reused zero-filled', async () => {
    const ctx = new WasmContext(loadRuntime({ threads: 1 }));
    const keep = ctx.persistentArray(100);
    keep.fill(3);
    const used = ctx.persistentBytes;
    (() => {
      for (let i = 0; i < 20; i++) ctx.persistentArray(10_000 + i).fill(1);
    })();
    expect(ctx.persistentBytes).toBeGreaterThan(used + 20 * 40_000);
    await collect(ctx, () => ctx.persistentBytes === used);
    expect(ctx.persistentBytes).toBe(used);
    // the arena moved back down: it starts right above the block still in use
    ctx.reset();
    expect(ctx.alloc(16)).toBeLessThan(keep.byteOffset + keep.byteLength + 128);
    const again = ctx.persistentArray(10_000);
    expect(again.every((x) => x === 0)).toBe(true);
    expect(keep.every((x) => x === 3)).toBe(true);
  });

  it('freePersistent gives a block back at once, and the GC does not give it back a second time', async () => {
    const ctx = new WasmContext(loadRuntime({ threads: 1 }));
    const keep = ctx.persistentArray(100);
    const used = ctx.persistentBytes;
    let freed: Float32Array | null = ctx.persistentArray(20_000, false);
    const at = freed.byteOffset;
    expect(ctx.persistentBytes).toBeGreaterThan(used);
    ctx.freePersistent(freed);
    expect(ctx.isPersistent(freed)).toBe(false);
    expect(ctx.persistentBytes).toBe(used);
    ctx.freePersistent(freed); // a second call is a no-op
    expect(ctx.persistentBytes).toBe(used);
    const next = ctx.persistentArray(20_000);
    expect(next.byteOffset).toBe(at);
    freed = null;
    // were the finalizer of the freed view still registered, it would free `next`'s block now
    const settled = ctx.persistentBytes;
    await collect(ctx, () => false);
    expect(ctx.persistentBytes).toBe(settled);
    expect(ctx.isPersistent(next) && ctx.isPersistent(keep)).toBe(true);
  });

  it('a hole below a live block is reused first, and neighbouring holes merge', async () => {
    const ctx = new WasmContext(loadRuntime({ threads: 1 }));
    let first: Float32Array | null = ctx.persistentArray(4000);
    const firstAt = first.byteOffset;
    const second = ctx.persistentArray(4000);
    let third: Float32Array | null = ctx.persistentArray(4000);
    const live = ctx.persistentArray(10);
    first.fill(5);
    third.fill(5);
    first = null;
    third = null;
    const used = ctx.persistentBytes;
    second.fill(9);
    await collect(ctx, () => ctx.persistentBytes < used - 30_000);
    expect(ctx.persistentBytes).toBeLessThan(used - 30_000);
    const reused = ctx.persistentArray(4000);
    expect(reused.byteOffset).toBe(firstAt);
    expect(reused.every((x) => x === 0)).toBe(true);
    expect(second.every((x) => x === 9)).toBe(true);
    expect(live.length).toBe(10);
  });
});

describe('adamUpdate on persistent moments', () => {
  const h = (t: number) => ({ w: 0.1, beta2: 0.999, eps: 1e-7, stepSize: 0.01 / (1 - 0.9 ** t), bias2Sqrt: Math.sqrt(1 - 0.999 ** t) });

  it('stateArray hands out persistent float32 arrays from a size on, plain ones below and for float64', () => {
    const big = wasm.stateArray('float32', 5000);
    expect(big.every((x) => x === 0)).toBe(true);
    expect(big.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(wasm.stateArray('float32', 10).buffer).toBeInstanceOf(ArrayBuffer);
    expect(wasm.stateArray('float64', 5000)).toBeInstanceOf(Float64Array);
    expect(referenceBackend.stateArray('float32', 5000).buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('the same bits as plain arrays and the reference, with worker threads taking chunks', () => {
    for (const n of [256, 257, 1031, 40_003, 433_890]) {
      const init = values(n, 2);
      const inPlace = { p: init.slice(), m: wasm.stateArray('float32', n) as Float32Array, v: wasm.stateArray('float32', n) as Float32Array };
      const copied = { p: init.slice(), m: new Float32Array(n), v: new Float32Array(n) };
      const ref = { p: init.slice(), m: new Float32Array(n), v: new Float32Array(n) };
      for (let t = 1; t <= 3; t++) {
        const g = values(n, 10 + t).map((x, i) => (i % 7 === 0 ? 0 : x * 10 ** ((i % 5) - 4)));
        wasm.adamUpdate(inPlace.p, g, inPlace.m, inPlace.v, h(t));
        wasm.adamUpdate(copied.p, g, copied.m, copied.v, h(t));
        referenceBackend.adamUpdate(ref.p, g, ref.m, ref.v, h(t));
      }
      for (const k of ['p', 'm', 'v'] as const) {
        const bad = ref[k].findIndex((x, i) => !Object.is(x, inPlace[k][i]) || !Object.is(x, copied[k][i]));
        expect(bad, `n=${n} ${k}[${bad}]`).toBe(-1);
      }
    }
    const n = 433_890;
    const [p, m, v, g] = [values(n, 3), wasm.stateArray('float32', n) as Float32Array, wasm.stateArray('float32', n) as Float32Array, values(n, 4)];
    expect(workersJoin(wasm, () => wasm.adamUpdate(p, g, m, v, h(1)))).toBe(true);
  });
});
