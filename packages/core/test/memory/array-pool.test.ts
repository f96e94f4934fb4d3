import { afterEach, describe, expect, it } from 'vitest';
import {
  type DType,
  type Tensor,
  add,
  conv2d,
  customOp,
  getBackend,
  grad,
  listBackends,
  maxPool2d,
  mul,
  randn,
  record,
  relu,
  setBackend,
  sum,
} from '@tapegrad/core';
import { allocateUninitialized } from '../../src/dtype.js';
import { clearPool, giveBack, poolStats, setPoolEnabled, setPoolPoison, takePooled } from '../../src/memory/array-pool.js';
import { smallConvNet } from './small-conv-net.js';

const initial = getBackend().name;
afterEach(() => {
  setBackend(initial);
  setPoolPoison(null);
  setPoolEnabled(true);
});

type FloatDType = 'float32' | 'float64';

const makeNet = (dtype: FloatDType, seed: number) => smallConvNet({ dtype, seed });

/** Runs `steps` training-like steps (backward, then a plain SGD update) and returns every loss and gradient. */
function train(dtype: FloatDType, steps: number) {
  const { params, forward } = makeNet(dtype, 3);
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    const x = randn([8, 3, 20, 20], { seed: 100 + s, dtype, requiresGrad: s % 2 === 1 });
    for (const p of params) p.grad = null;
    const loss = forward(x);
    loss.backward();
    out.push([loss.item(), ...params.flatMap((p) => Array.from(p.grad!.data)), ...(x.grad ? Array.from(x.grad.data) : [])]);
    for (const p of params) {
      const d = p.data;
      const g = p.grad!.data;
      for (let i = 0; i < d.length; i++) d[i] = d[i]! - 0.01 * g[i]!;
    }
  }
  return out;
}

for (const backend of listBackends()) {
  describe(`array pool in backward (${backend} backend)`, () => {
    for (const dtype of ['float32', 'float64'] as FloatDType[]) {
      it(`gives arrays back and reuses them, with results bit-identical to no reuse (${dtype})`, () => {
        setBackend(backend);
        setPoolEnabled(false);
        const plain = train(dtype, 4);
        setPoolEnabled(true);
        clearPool();
        // every array given back is poisoned: a read after release would change a loss or a gradient
        setPoolPoison(Number.NaN);
        const before = poolStats();
        const pooled = train(dtype, 4);
        const after = poolStats();
        expect(after.givenBack - before.givenBack).toBeGreaterThanOrEqual(4 * 3);
        expect(after.reused - before.reused).toBeGreaterThan(0);
        expect(pooled).toEqual(plain);
      });
    }

    it('tensors the caller holds (activations, logits, leaf gradients) keep their values through later steps', () => {
      setBackend(backend);
      setPoolPoison(Number.NaN);
      const { params, forward } = makeNet('float32', 5);
      const x = randn([8, 3, 20, 20], { seed: 1, dtype: 'float32' });
      const held: Tensor[] = [];
      forward(x, held).backward();
      held.push(...params.map((p) => p.grad!));
      const copies = held.map((t) => t.data.slice());
      for (let s = 0; s < 3; s++) {
        for (const p of params) p.grad = null;
        forward(randn([8, 3, 20, 20], { seed: 10 + s, dtype: 'float32' })).backward();
      }
      held.forEach((t, i) => expect(t.data).toEqual(copies[i]));
      expect(copies.every((c) => c.every(Number.isFinite))).toBe(true);
    });

    it('gives nothing back while recording (createGraph); a retained graph (its internal arrays kept) runs twice', () => {
      setBackend(backend);
      setPoolPoison(Number.NaN);
      const { params, forward } = makeNet('float64', 7);
      const x = randn([8, 3, 20, 20], { seed: 2, dtype: 'float64' });
      const loss = forward(x);
      loss.backward(undefined, { retainGraph: true });
      const first = params.map((p) => Array.from(p.grad!.data));
      for (const p of params) p.grad = null;
      loss.backward();
      expect(params.map((p) => Array.from(p.grad!.data))).toEqual(first);

      const w = params[0]!;
      const secondOrder = () => {
        const mark = poolStats().givenBack;
        const gw = grad((v: Tensor) => sum(mul(conv2d(x, v), conv2d(x, v))), { argnums: 0, createGraph: true })(w);
        expect(poolStats().givenBack).toBe(mark);
        w.grad = null;
        sum(mul(gw, gw)).backward();
        return Array.from(w.grad!.data);
      };
      const pooled = secondOrder();
      setPoolEnabled(false);
      expect(secondOrder()).toEqual(pooled);
    });

    it("never reuses what a user's VJP was given or made (customOp and public record)", () => {
      setBackend(backend);
      setPoolPoison(Number.NaN);
      const stash: Tensor[] = [];
      const keepAll = customOp({
        name: 'keepAll',
        forward: (a) => relu(a),
        vjp: (g, { inputs: [a] }) => {
          const made = mul(g, add(mul(a!, 0), 1));
          stash.push(g, made);
          return [made];
        },
      });
      const viaRecord = (a: Tensor) =>
        record('viaRecord', [a], relu(a).detach(), (g) => {
          stash.push(g);
          return [g];
        });
      const w = randn([8, 3, 3, 3], { seed: 9, dtype: 'float32', requiresGrad: true });
      const x = randn([8, 3, 20, 20], { seed: 4, dtype: 'float32' });
      for (let s = 0; s < 3; s++) sum(viaRecord(keepAll(conv2d(x, w)))).backward();
      const copies = stash.map((t) => t.data.slice());
      for (let s = 0; s < 3; s++) sum(relu(conv2d(x, w))).backward();
      stash.forEach((t, i) => expect(t.data).toEqual(copies[i]));
      expect(stash.every((t) => t.data.every(Number.isFinite))).toBe(true);
    });
  });
}

describe('array pool', () => {
  it('an array a VJP passes to two gradients at once is given back once, not twice', () => {
    setPoolPoison(Number.NaN);
    clearPool();
    const x = randn([200, 200], { seed: 1, dtype: 'float32', requiresGrad: true });
    const h = relu(mul(x, 2)); // 160 KB: above the floor
    sum(add(add(h, h), h)).backward(); // add's VJP returns its gradient for both inputs
    expect(poolStats().givenBack).toBeGreaterThan(0);
    const taken = new Set<unknown>();
    for (let i = 0; i < 8; i++) {
      const a = allocateUninitialized('float32', 200 * 200);
      expect(taken.has(a)).toBe(false);
      taken.add(a);
    }
    // d/dx sum(3·relu(2x)) = 6 where x > 0, else 0
    x.grad!.data.forEach((g, i) => expect(g).toBe(x.data[i]! > 0 ? 6 : 0));
  });

  it("maxPool2d's saved window indices go back once backward has freed its node (not with retainGraph)", () => {
    setPoolEnabled(true);
    for (const retainGraph of [true, false]) {
      clearPool();
      const x = randn([4, 8, 64, 64], { seed: 3, dtype: 'float32', requiresGrad: true });
      const y = maxPool2d(x, { kernel: 2 }); // 32,768 indices: 128 KiB of int32
      sum(y).backward(undefined, { retainGraph });
      const indices = takePooled('int32', 4 * 8 * 32 * 32);
      if (retainGraph) expect(indices).toBeUndefined();
      else expect(indices).toBeInstanceOf(Int32Array);
    }
  });

  it('pools only whole, unshared arrays of at least 64 KiB, and matches dtype and length', () => {
    setPoolEnabled(true);
    clearPool();
    const before = poolStats().givenBack;
    giveBack(new Float32Array(100)); // small
    giveBack(new Float32Array(1 << 16).subarray(8)); // a view
    giveBack(new Float32Array(new SharedArrayBuffer(1 << 18))); // shared memory
    expect(poolStats().givenBack).toBe(before);
    const a = new Float32Array(1 << 15);
    giveBack(a);
    expect(takePooled('int32' as DType, 1 << 15)).toBeUndefined();
    expect(takePooled('float32', (1 << 15) - 1)).toBeUndefined();
    expect(takePooled('float32', 1 << 15)).toBe(a);
    expect(takePooled('float32', 1 << 15)).toBeUndefined();
  });

  it('the public clearArrayPool empties the pool that arrayPoolStats reports', async () => {
    const core = await import('@tapegrad/core');
    giveBack(new Float32Array(1 << 15));
    expect(core.arrayPoolStats().pooledBytes).toBeGreaterThan(0);
    core.clearArrayPool();
    expect(core.arrayPoolStats().pooledBytes).toBe(0);
    expect(takePooled('float32', 1 << 15)).toBeUndefined();
  });

  it('zero-filled allocations of a pooled array come back cleared', async () => {
    clearPool();
    const a = new Float64Array(1 << 14).fill(7);
    giveBack(a);
    const { allocate } = await import('../../src/dtype.js');
    const b = allocate('float64', 1 << 14);
    expect(b).toBe(a);
    expect(b.every((v) => v === 0)).toBe(true);
  });
});
