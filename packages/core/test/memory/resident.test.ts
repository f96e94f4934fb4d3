import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Tensor,
  conv2d,
  customOp,
  getBackend,
  grad,
  randn,
  relu,
  setBackend,
  sigmoid,
} from '@tapegrad/core';
import { smallConvNet } from './small-conv-net.js';
import { clearPool, isResident, residentStats, setPoolPoison, setResidentLimit, RESIDENT_MAX_BYTES } from '../../src/memory/array-pool.js';

/*
 * The array pool places the arrays whose last holder it knows (conv2d's internal tensors, gradients
 * made during backward) in the wasm backend's own memory, where kernels use them without copies.
 * Nothing user code can reach may lie there: these tests hold the net's activations, leaf and
 * requested gradients and what a customOp's VJP sees, and check that none is resident, that resident
 * memory does not grow from step to step, and that results equal those of a run with nothing resident.
 */

const initial = getBackend().name;
beforeEach(() => {
  setBackend('wasm');
  clearPool();
});
afterEach(() => {
  setPoolPoison(null);
  setResidentLimit(RESIDENT_MAX_BYTES);
  setBackend(initial);
});

const makeNet = (seed: number, activation?: (t: Tensor) => Tensor) =>
  smallConvNet({ dtype: 'float32', seed, classes: 32, ...(activation ? { activation } : {}) });

/** `steps` SGD steps; returns every loss and gradient, and the activations of each step. */
function train(steps: number, activation?: (t: Tensor) => Tensor) {
  const { params, forward } = makeNet(3, activation);
  const values: number[][] = [];
  const held: Tensor[] = [];
  const inUse: number[] = [];
  for (let s = 0; s < steps; s++) {
    const x = randn([8, 3, 20, 20], { seed: 100 + s, dtype: 'float32', requiresGrad: s % 2 === 1 });
    for (const p of params) p.grad = null;
    const loss = forward(x, held);
    loss.backward();
    held.push(...params.map((p) => p.grad!), ...(x.grad ? [x.grad] : []));
    values.push([loss.item(), ...params.flatMap((p) => Array.from(p.grad!.data)), ...(x.grad ? Array.from(x.grad.data) : [])]);
    for (const p of params) {
      const d = p.data;
      const g = p.grad!.data;
      for (let i = 0; i < d.length; i++) d[i] = d[i]! - 0.01 * g[i]!;
    }
    inUse.push(residentStats().bytesInUse);
  }
  return { values, held, inUse };
}

describe('arrays in wasm memory (the array pool with the wasm backend)', () => {
  it('holds conv2d internals and backward gradients there, with the same bits as a run with none there', () => {
    setResidentLimit(0);
    const plain = train(4).values;
    setResidentLimit(RESIDENT_MAX_BYTES);
    clearPool();
    setPoolPoison(Number.NaN); // a read after a resident array went back would change a value
    const before = residentStats().bytesInUse;
    const run = train(4);
    expect(residentStats().bytesInUse).toBeGreaterThan(before); // something did go there
    expect(residentStats().pooledBytes).toBeGreaterThan(0);
    expect(run.values).toEqual(plain);
  });

  it('never gives user code a resident array: activations, leaf gradients, input gradients', () => {
    const { held } = train(3);
    expect(held.some((t) => t.size * 4 > 1 << 16 && t.requiresGrad === false && t.shape[1] === 32)).toBe(true); // w2's gradient
    for (const t of held) {
      expect(isResident(t.data)).toBe(false);
      expect(t.data.buffer).toBeInstanceOf(ArrayBuffer);
    }
  });

  it('requested gradients (grad) and what a customOp VJP sees are ordinary arrays', () => {
    const seen: Tensor[] = [];
    const identity = customOp({
      name: 'identityKeep',
      forward: (a) => relu(a),
      vjp: (g) => {
        seen.push(g);
        return [g.mul(1)];
      },
    });
    // inputs that do not require grad: grad() then records no graph of the gradients (createGraph
    // false), the case in which gradients may lie in wasm memory; x's gradient is 154 KB
    const w = randn([8, 3, 3, 3], { seed: 9, dtype: 'float32' });
    const x = randn([8, 3, 40, 40], { seed: 4, dtype: 'float32' });
    const [gx, gw] = grad((xi: Tensor, wi: Tensor) => identity(relu(conv2d(xi, wi))).sum(), { argnums: [0, 1] })(x, w) as Tensor[];
    expect(seen.length).toBe(1);
    expect(seen[0]!.size * 4).toBeGreaterThan(1 << 16);
    for (const t of [...seen, gx!, gw!]) {
      expect(isResident(t.data)).toBe(false);
      expect(t.data.buffer).toBeInstanceOf(ArrayBuffer);
    }
  });

  it('resident memory does not grow from step to step, VJP temporaries included (sigmoid)', () => {
    for (const activation of [relu, sigmoid]) {
      const { inUse } = train(12, activation);
      expect(inUse[11]).toBe(inUse[3]);
    }
  });

  it("conv2d's backward products are made there, with a bias leaf as with none", () => {
    // A VJP with a leaf among its inputs makes ordinary arrays; conv2d hands its product only views of
    // w and b, so the filter and window gradients it makes (the stacked (N,FN,C·FH·FW) one is 2.3 MB
    // here) stay in wasm memory.
    const backend = getBackend();
    const original = backend.batchedMatmul;
    for (const withBias of [false, true]) {
      const outputs: boolean[] = [];
      backend.batchedMatmul = (...args: Parameters<typeof original>) => {
        outputs.push(isResident(args[2] as Float32Array));
        return original.apply(backend, args);
      };
      try {
        const x = randn([16, 4, 12, 12], { seed: 1, requiresGrad: true });
        const w = randn([40, 4, 3, 3], { seed: 2, requiresGrad: true });
        const b = withBias ? randn([40], { seed: 3, requiresGrad: true }) : null;
        relu(conv2d(x, w, b)).sum().backward();
      } finally {
        backend.batchedMatmul = original;
      }
      // the forward product is the op's output (ordinary); backward's two products lie in wasm memory
      expect(outputs, withBias ? 'with a bias' : 'without').toEqual([false, true, true]);
    }
  });
});

