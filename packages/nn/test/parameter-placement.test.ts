import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, listBackends, randn, setBackend } from '@tapegrad/core';
import { Adam, Linear, SimpleConvNet, crossEntropyLoss } from '@tapegrad/nn';

/*
 * On the fast backend, float32 parameters are made in its state memory (Backend.stateArray), where its
 * kernels use them in place. That must change nothing but where they lie: same initial values, same
 * training, ordinary Float32Arrays to user code.
 */

const initial = getBackend().name;
afterEach(() => setBackend(initial));

function trainBits(net: SimpleConvNet): number[] {
  const opt = new Adam(net.parameters(), { lr: 0.001 });
  for (let s = 0; s < 3; s++) {
    opt.zeroGrad();
    crossEntropyLoss(net.forward(randn([8, 1, 28, 28], { seed: 20 + s })), Array.from({ length: 8 }, (_, i) => (i + s) % 10)).backward();
    opt.step();
  }
  return net.parameters().flatMap((p) => Array.from(new Uint32Array(new Float32Array(p.data).buffer)));
}

describe('parameter placement', () => {
  it('the fast backend keeps large float32 parameters in its memory, with the values they would have had', () => {
    if (!listBackends().includes('wasm')) return;
    setBackend('reference');
    const plain = new Linear(4320, 100, { seed: 1 });
    setBackend('wasm');
    const placed = new Linear(4320, 100, { seed: 1 });
    const resident = getBackend().resident!;
    expect(resident.has(plain.weight.data)).toBe(false);
    expect(resident.has(placed.weight.data)).toBe(true);
    expect(placed.weight.data).toBeInstanceOf(Float32Array);
    expect(Array.from(placed.weight.data)).toEqual(Array.from(plain.weight.data));
    expect(placed.weight.requiresGrad && placed.weight.isLeaf).toBe(true);
    // a copy of it is an ordinary array
    expect(placed.weight.clone().data.buffer).toBeInstanceOf(ArrayBuffer);
    // float64 parameters stay ordinary
    expect(resident.has(new Linear(4320, 100, { seed: 1, dtype: 'float64' }).weight.data)).toBe(false);
  });

  it('training with placed parameters is bit-identical to training with ordinary ones', () => {
    if (!listBackends().includes('wasm')) return;
    setBackend('reference');
    const plain = new SimpleConvNet({ seed: 4 });
    setBackend('wasm');
    const placed = new SimpleConvNet({ seed: 4 });
    expect(getBackend().resident!.has(placed.fc1.weight.data)).toBe(true);
    expect(trainBits(placed)).toEqual(trainBits(plain));
  });
});

describe('parameter()', () => {
  it('makes a trainable leaf with the same values, placed like a layer\'s; refuses what is not a float tensor', async () => {
    const { parameter } = await import('@tapegrad/nn');
    const { tensor, mul, ValueError } = await import('@tapegrad/core');
    for (const backend of listBackends()) {
      setBackend(backend);
      const t = randn([300, 100], { seed: 5 });
      const p = parameter(t);
      expect(p.requiresGrad && p.isLeaf).toBe(true);
      expect(Array.from(p.data)).toEqual(Array.from(t.data));
      expect(getBackend().resident?.has(p.data) ?? false).toBe(backend === 'wasm');
      // a tensor with a graph is detached
      const x = tensor([1, 2], [2], { requiresGrad: true });
      const q = parameter(mul(x, x));
      expect(q.isLeaf && q.requiresGrad).toBe(true);
      expect(Array.from(q.data)).toEqual([1, 4]);
      expect(() => parameter(tensor([1], [1], { dtype: 'int32' }))).toThrow(ValueError);
      expect(() => parameter([1, 2] as never)).toThrow(/parameter.*t.*float32 or float64 Tensor/);
    }
  });
});
