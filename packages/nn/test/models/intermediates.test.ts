import { afterEach, describe, expect, it } from 'vitest';
import { type Tensor, arrayPoolStats, getBackend, listBackends, noGrad, randn, setBackend } from '@tapegrad/core';
import { AlexNet, Adam, LeNet5, Linear, Module, ReLU, Sequential, SimpleConvNet, crossEntropyLoss } from '@tapegrad/nn';
// the pool's test hooks (not public): poison given-back arrays, or turn reuse off
import { clearPool, setPoolEnabled, setPoolPoison } from '../../../core/src/memory/array-pool.js';

/*
 * SimpleConvNet (and LeNet-5, and a Sequential such as AlexNet's halves) marks the activations inside its forward as intermediates, so their arrays are reused
 * once backward is done with them. Training with every given-back array poisoned (NaN) must give the
 * same losses and parameters as training with no reuse at all; and a layer replaced by user code (which
 * might keep what it is given) turns the marking off.
 */

const initial = listBackends().includes('wasm') ? 'wasm' : 'reference';
afterEach(() => {
  setPoolPoison(null);
  setPoolEnabled(true);
  setBackend(initial);
});

function train(steps: number, net: Module = new SimpleConvNet({ seed: 3 })): number[] {
  const opt = new Adam(net.parameters(), { lr: 0.001 });
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    const x = randn([16, 1, 28, 28], { seed: 40 + s });
    const t = Array.from({ length: 16 }, (_, i) => (i + s) % 10);
    opt.zeroGrad();
    const loss = crossEntropyLoss(net.forward(x), t);
    loss.backward();
    opt.step();
    out.push(loss.item());
  }
  return [...out, ...net.parameters().flatMap((p) => Array.from(p.data))];
}

for (const backend of listBackends()) {
  describe(`SimpleConvNet's intermediates (${backend} backend)`, () => {
    it('are reused after backward, with training bit-identical to no reuse', () => {
      setBackend(backend);
      setPoolEnabled(false);
      const plain = train(3);
      setPoolEnabled(true);
      clearPool();
      setPoolPoison(Number.NaN);
      const reused = train(3);
      expect(reused).toEqual(plain);
      expect(reused.every(Number.isFinite)).toBe(true);
    });

    it("LeNet-5's too, the classic one included (sigmoid's VJP reads its own output)", () => {
      setBackend(backend);
      for (const variant of [{}, { activation: 'relu', pooling: 'max' }] as const) {
        setPoolEnabled(false);
        const plain = train(2, new LeNet5({ ...variant, seed: 5 }));
        setPoolEnabled(true);
        clearPool();
        setPoolPoison(Number.NaN);
        const reused = train(2, new LeNet5({ ...variant, seed: 5 }));
        setPoolPoison(null);
        expect(reused).toEqual(plain);
      }
    });

    it("AlexNet's too: its Sequentials of conv, ReLU, LRN, pooling, dropout and linear layers", () => {
      setBackend(backend);
      const alexnet = () => new AlexNet({ inputShape: [1, 28, 28], numClasses: 10, width: 0.125, seed: 7 });
      setPoolEnabled(false);
      const plain = train(2, alexnet());
      setPoolEnabled(true);
      clearPool();
      setPoolPoison(Number.NaN);
      const before = arrayPoolStats().givenBack;
      const reused = train(2, alexnet());
      const givenBack = arrayPoolStats().givenBack - before;
      setPoolPoison(null);
      expect(reused).toEqual(plain);
      expect(reused.every(Number.isFinite)).toBe(true);
      expect(givenBack).toBeGreaterThan(0);
    });
  });
}

describe("SimpleConvNet's intermediates", () => {
  it('with the wasm backend, live in its memory without growing it from step to step; under noGrad, nowhere', () => {
    if (!listBackends().includes('wasm')) return;
    setBackend('wasm');
    const resident = getBackend().resident!;
    const net = new SimpleConvNet({ seed: 3 });
    const inUse: number[] = [];
    const opt = new Adam(net.parameters(), { lr: 0.001 });
    for (let s = 0; s < 8; s++) {
      opt.zeroGrad();
      const logits = net.forward(randn([16, 1, 28, 28], { seed: 60 + s }));
      // the model's output is the caller's: an ordinary array
      expect(resident.has(logits.data)).toBe(false);
      crossEntropyLoss(logits, Array.from({ length: 16 }, (_, i) => i % 10)).backward();
      opt.step();
      inUse.push(resident.bytesInUse());
    }
    expect(inUse[7]).toBe(inUse[2]);
    const before = resident.bytesInUse();
    const outputs = noGrad(() => Array.from({ length: 5 }, (_, i) => net.forward(randn([16, 1, 28, 28], { seed: 80 + i }))));
    expect(outputs.every((o) => !resident.has(o.data))).toBe(true);
    expect(resident.bytesInUse()).toBe(before);
  });

  it('under noGrad (evaluation) are reused batch to batch, with the same logits as no reuse', () => {
    const net = new SimpleConvNet({ seed: 3 });
    const batches = Array.from({ length: 4 }, (_, i) => randn([16, 1, 28, 28], { seed: 90 + i }));
    const logits = () => noGrad(() => batches.map((x) => Array.from(net.forward(x).data)));
    setPoolEnabled(false);
    const plain = logits();
    setPoolEnabled(true);
    clearPool();
    setPoolPoison(Number.NaN);
    const before = arrayPoolStats();
    const reused = logits();
    const after = arrayPoolStats();
    expect(after.givenBack - before.givenBack).toBeGreaterThanOrEqual(4 * 2); // conv and relu outputs, per batch
    expect(after.reused - before.reused).toBeGreaterThan(0);
    expect(reused).toEqual(plain);
    const x = batches[0]!;
    const copy = Array.from(x.data);
    noGrad(() => net.forward(x));
    expect(Array.from(x.data)).toEqual(copy); // the caller's input is never given back
  });

  it("a Sequential's: the layers' outputs in between, never its input or its output", () => {
    // 64 KiB activations at least: smaller arrays are not pooled (memory/array-pool.ts)
    const seq = new Sequential(new Linear(60, 500, { seed: 1 }), new ReLU(), new Linear(500, 400, { seed: 2 }), new ReLU());
    const x = randn([50, 60], { seed: 3 });
    const xCopy = Array.from(x.data);
    const plain = noGrad(() => Array.from(seq.forward(x).data));
    clearPool();
    setPoolPoison(Number.NaN);
    // under noGrad each middle output is given back once the next layer has read it
    const before = arrayPoolStats().givenBack;
    const outs = noGrad(() => [seq.forward(x), seq.forward(x)]);
    expect(arrayPoolStats().givenBack - before).toBeGreaterThanOrEqual(2 * 2);
    for (const out of outs) expect(Array.from(out.data)).toEqual(plain);
    expect(Array.from(x.data)).toEqual(xCopy);
    // with a user's layer inside, nothing is marked
    const kept: Tensor[] = [];
    class Keeping extends Module {
      forward(t: Tensor): Tensor {
        kept.push(t);
        return new ReLU().forward(t);
      }
    }
    const withUser = new Sequential(new Linear(60, 500, { seed: 1 }), new Keeping(), new ReLU());
    const beforeUser = arrayPoolStats().givenBack;
    noGrad(() => [withUser.forward(x), withUser.forward(x)]);
    expect(arrayPoolStats().givenBack).toBe(beforeUser);
    expect(kept.every((t) => Array.from(t.data).every(Number.isFinite))).toBe(true);
  });

  it('are not marked when a layer was replaced by user code, which might keep its input', () => {
    const kept: Tensor[] = [];
    class KeepingReLU extends Module {
      forward(x: Tensor): Tensor {
        kept.push(x);
        return new ReLU().forward(x);
      }
    }
    setPoolPoison(Number.NaN);
    const net = new SimpleConvNet({ seed: 3 });
    (net as unknown as { relu1: Module }).relu1 = new KeepingReLU();
    const before = arrayPoolStats().givenBack;
    train(2, net);
    const copies = kept.map((t) => Array.from(t.data));
    train(1, net);
    // what the replaced layer kept from the first steps was not given back and overwritten
    kept.slice(0, copies.length).forEach((t, i) => expect(Array.from(t.data)).toEqual(copies[i]));
    expect(copies.flat().every(Number.isFinite)).toBe(true);
    expect(arrayPoolStats().givenBack).toBeGreaterThan(before); // backward's own arrays still are
  });
});
