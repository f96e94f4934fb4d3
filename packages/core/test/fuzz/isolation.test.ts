import { describe, expect, it } from 'vitest';
import {
  GraphError,
  Rng,
  type Tensor,
  affine,
  conv2d,
  flatten,
  maxPool2d,
  noGrad,
  randn,
  relu,
  softmaxCrossEntropy,
  tanh,
} from '@tapegrad/core';

/*
 * Two independent models built from core ops, each with its own parameters, trained alternately in one
 * process: neither may see the other's recorded graph. Every step's loss, every gradient and the final
 * parameters must be bit-identical to training each model alone — however the two models' forward and
 * backward passes are interleaved.
 */

interface Model {
  readonly params: Tensor[];
  /** The loss of one batch (recorded on the tape). */
  loss(step: number): Tensor;
}

/** A batch of `n` inputs and labels for step `step`, the same in every run. */
function batch(seed: number, step: number, shape: number[], classes: number): { x: Tensor; labels: Int32Array } {
  const x = randn(shape, { seed: seed * 1000 + step });
  const rng = new Rng(seed * 7919 + step);
  return { x, labels: Int32Array.from({ length: shape[0]! }, () => rng.nextInt(classes)) };
}

/** A two-layer perceptron: affine – tanh – affine – softmax cross-entropy. */
function mlp(seed: number): Model {
  const w1 = randn([6, 8], { seed, std: 0.5, requiresGrad: true });
  const b1 = randn([8], { seed: seed + 1, std: 0.1, requiresGrad: true });
  const w2 = randn([8, 3], { seed: seed + 2, std: 0.5, requiresGrad: true });
  const b2 = randn([3], { seed: seed + 3, std: 0.1, requiresGrad: true });
  return {
    params: [w1, b1, w2, b2],
    loss(step) {
      const { x, labels } = batch(seed, step, [5, 6], 3);
      return softmaxCrossEntropy(affine(tanh(affine(x, w1, b1)), w2, b2), labels);
    },
  };
}

/** A small conv net: conv 3×3 pad 1 – relu – max pool 2 – affine – softmax cross-entropy. */
function convNet(seed: number): Model {
  const w = randn([4, 1, 3, 3], { seed, std: 0.3, requiresGrad: true });
  const b = randn([4], { seed: seed + 1, std: 0.1, requiresGrad: true });
  const w2 = randn([36, 3], { seed: seed + 2, std: 0.2, requiresGrad: true });
  const b2 = randn([3], { seed: seed + 3, std: 0.1, requiresGrad: true });
  return {
    params: [w, b, w2, b2],
    loss(step) {
      const { x, labels } = batch(seed, step, [4, 1, 6, 6], 3);
      const h = maxPool2d(relu(conv2d(x, w, b, { pad: 1 })), { kernel: 2 });
      return softmaxCrossEntropy(affine(flatten(h), w2, b2), labels);
    },
  };
}

/** What one model's training produced: per step the loss bits and gradient bits, and the final parameters. */
interface Trace {
  losses: number[];
  grads: Float32Array[][];
  params: Float32Array[];
}

const newTrace = (): Trace => ({ losses: [], grads: [], params: [] });

/** Records the gradients, then applies plain SGD in place and clears them. */
function update(m: Model, trace: Trace, loss: Tensor): void {
  trace.losses.push(loss.item());
  trace.grads.push(m.params.map((p) => Float32Array.from(p.grad!.data)));
  for (const p of m.params) {
    const g = p.grad!.data;
    for (let i = 0; i < p.data.length; i++) p.data[i]! -= 0.1 * g[i]!;
    p.grad = null;
  }
}

const STEPS = 6;

function trainAlone(make: () => Model): Trace {
  const m = make();
  const trace = newTrace();
  for (let step = 0; step < STEPS; step++) {
    const loss = m.loss(step);
    loss.backward();
    update(m, trace, loss);
  }
  trace.params = m.params.map((p) => Float32Array.from(p.data));
  return trace;
}

/** Bit-for-bit equality of two traces (Float32 values compared as stored, NaN payloads and -0 included). */
function expectSameBits(actual: Trace, expected: Trace, what: string): void {
  const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
  expect(actual.losses.map((v) => Object.is(v, -0) ? '-0' : String(v)), `${what}: losses`).toEqual(expected.losses.map((v) => Object.is(v, -0) ? '-0' : String(v)));
  expect(actual.grads.length, what).toBe(expected.grads.length);
  actual.grads.forEach((step, s) => step.forEach((g, i) => expect(bits(g), `${what}: step ${s}, gradient of parameter ${i}`).toEqual(bits(expected.grads[s]![i]!))));
  actual.params.forEach((p, i) => expect(bits(p), `${what}: final parameter ${i}`).toEqual(bits(expected.params[i]!)));
}

describe('two models trained alternately do not see each other’s graphs', () => {
  const aloneA = trainAlone(() => mlp(11));
  const aloneB = trainAlone(() => convNet(23));

  it('training alone is reproducible and actually learns something (a non-trivial baseline)', () => {
    expectSameBits(trainAlone(() => mlp(11)), aloneA, 'A twice');
    expect(aloneA.params[0]!.some((v, i) => v !== mlp(11).params[0]!.data[i])).toBe(true);
    expect(aloneB.grads[0]!.every((g) => g.some((v) => v !== 0))).toBe(true);
  });

  it('step by step, one model after the other', () => {
    const [a, b] = [mlp(11), convNet(23)];
    const [ta, tb] = [newTrace(), newTrace()];
    for (let step = 0; step < STEPS; step++) {
      for (const [m, t] of [[a, ta], [b, tb]] as const) {
        const loss = m.loss(step);
        loss.backward();
        update(m, t, loss);
      }
    }
    ta.params = a.params.map((p) => Float32Array.from(p.data));
    tb.params = b.params.map((p) => Float32Array.from(p.data));
    expectSameBits(ta, aloneA, 'A');
    expectSameBits(tb, aloneB, 'B');
  });

  it('interleaved inside a step: both graphs recorded, B backpropagated and updated before A', () => {
    const [a, b] = [mlp(11), convNet(23)];
    const [ta, tb] = [newTrace(), newTrace()];
    for (let step = 0; step < STEPS; step++) {
      const lossA = a.loss(step);
      const lossB = b.loss(step);
      lossB.backward();
      // B's backward reached none of A's parameters
      for (const p of a.params) expect(p.grad).toBeNull();
      update(b, tb, lossB);
      // an evaluation of B, with and without recording, between A's forward and backward
      noGrad(() => b.loss(step + 100));
      b.loss(step + 200);
      lossA.backward();
      for (const p of b.params) expect(p.grad).toBeNull();
      update(a, ta, lossA);
      // each graph was freed by its own backward, and only that one
      expect(() => lossA.backward()).toThrow(GraphError);
      expect(() => lossB.backward()).toThrow(GraphError);
    }
    ta.params = a.params.map((p) => Float32Array.from(p.data));
    tb.params = b.params.map((p) => Float32Array.from(p.data));
    expectSameBits(ta, aloneA, 'A');
    expectSameBits(tb, aloneB, 'B');
  });
});
