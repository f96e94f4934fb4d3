import { describe, expect, it } from 'vitest';
import { GradCheckError, GraphError, type Tensor, ValueError, customOp, gradCheck, mul, randn, reshape, sum, tensor } from '@tapegrad/core';

/** Elementwise map over a tensor's data with a plain JS loop: the "own kernel" of a user's op. */
function map(x: Tensor, f: (v: number) => number): Tensor {
  const out = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) out[i] = f(x.data[i]!);
  return tensor(out, x.shape, { dtype: x.dtype });
}

const softplusValue = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
const logistic = (v: number) => 1 / (1 + Math.exp(-v));

/** softplus(x) = log(1 + eˣ), its VJP grad·σ(x) (σ computed by a loop: fine for first derivatives). */
const softplus = customOp({
  name: 'softplus',
  forward: (x) => map(x, softplusValue),
  vjp: (grad, { inputs: [x] }) => [mul(grad, map(x!, logistic))],
});

describe('customOp', () => {
  it('records one node named after the op, with the right values and gradients', () => {
    const x = tensor([-2, 0, 3], undefined, { dtype: 'float64', requiresGrad: true });
    const y = softplus(x);
    expect(y.node!.op).toBe('softplus');
    expect(y.node!.inputs[0]).toBe(x);
    expect(Array.from(y.data)).toEqual([-2, 0, 3].map(softplusValue));
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([-2, 0, 3].map(logistic));
  });

  it('records nothing when no input requires grad', () => {
    const y = softplus(tensor([1, 2], undefined, { dtype: 'float64' }));
    expect(y.node).toBeNull();
    expect(y.requiresGrad).toBe(false);
  });

  it('passes gradCheck in one call, also composed and with a non-scalar output', () => {
    const x = randn([3, 4], { seed: 0, dtype: 'float64' });
    expect(gradCheck((x) => softplus(x), [x])).toBe(true);
    const w = randn([4], { seed: 1, dtype: 'float64' });
    expect(gradCheck((x, w) => sum(mul(softplus(mul(x, w)), x)), [x, w])).toBe(true);
  });

  it('has its broadcast gradients un-broadcast by the engine', () => {
    // scaleBy(x, s) = x·s with s of shape [1]; the VJP returns grad·x of x's full shape for s
    const scaleBy = customOp({
      name: 'scaleBy',
      forward: (x, s) => mul(x, s),
      vjp: (grad, { inputs: [x, s] }) => [mul(grad, s!), mul(grad, x!)],
    });
    const x = randn([2, 3], { seed: 2, dtype: 'float64' });
    const s = tensor([1.5], undefined, { dtype: 'float64' });
    expect(gradCheck(scaleBy, [x, s])).toBe(true);
  });

  it('a wrong VJP is caught by gradCheck with a message naming input and worst index', () => {
    const wrong = customOp({
      name: 'softplusWrong',
      forward: (x) => map(x, softplusValue),
      vjp: (grad, { inputs: [x] }) => [mul(grad, map(x!, (v) => logistic(2 * v)))], // σ(2x) instead of σ(x)
    });
    const x = tensor([[0.5, -1], [2, 0]], undefined, { dtype: 'float64' });
    // |σ(2x) − σ(x)| is largest at x = −1 (index [0,1], flat 1): σ(−1) = 0.268941 vs σ(−2) = 0.119203
    expect(() => gradCheck((x) => sum(wrong(x)), [x])).toThrow(GradCheckError);
    expect(() => gradCheck((x) => sum(wrong(x)), [x])).toThrow(
      /^\[gradCheck\] input 0 \(shape \[2,2\]\), output 0 \(shape \[\]\): worst at \[0,1\] \(flat 1\): numerical 0\.268941 vs analytical 0\.119203, max difference 0\.149738 /,
    );
  });

  it('a VJP returning the wrong shape is a GraphError naming the op', () => {
    const badShape = customOp({
      name: 'badShape',
      forward: (x) => map(x, (v) => 2 * v),
      vjp: (grad) => [reshape(grad, [grad.size, 1])], // (3,) input, (3,1) gradient: does not un-broadcast to (3,)
    });
    const x = tensor([1, 2, 3], undefined, { dtype: 'float64', requiresGrad: true });
    expect(() => sum(badShape(x)).backward()).toThrow(GraphError);
    expect(() => sum(badShape(x)).backward()).toThrow(/^\[badShape\] vjp: expected the gradient of input 0 to have shape \[3\] .*got \[3,1\]/);
  });

  it('a VJP returning the wrong number of gradients or the wrong dtype is a GraphError naming the op', () => {
    const x = tensor([1, 2], undefined, { dtype: 'float64', requiresGrad: true });
    const twoGrads = customOp({ name: 'twoGrads', forward: (x) => map(x, (v) => v), vjp: (g) => [g, g] });
    expect(() => sum(twoGrads(x)).backward()).toThrow(/^\[twoGrads\] vjp: expected an array of 1 gradients .*got an array of length 2/);
    const float32Grad = customOp({ name: 'float32Grad', forward: (x) => map(x, (v) => v), vjp: (g) => [tensor(Array.from(g.data), g.shape)] });
    expect(() => sum(float32Grad(x)).backward()).toThrow(/^\[float32Grad\] vjp: expected the gradient of input 0 to have dtype float64, got float32/);
  });

  it('a forward returning an input does not turn that input into a node', () => {
    const identity = customOp({ name: 'identity', forward: (x) => x, vjp: (g) => [g] });
    const x = tensor([1, 2], undefined, { dtype: 'float64', requiresGrad: true });
    const y = identity(x);
    expect(y).not.toBe(x);
    expect(x.isLeaf).toBe(true);
    sum(mul(y, y)).backward();
    expect(Array.from(x.grad!.data)).toEqual([2, 4]);
  });

  it('rejects a malformed spec and non-tensor inputs', () => {
    expect(() => customOp({ name: '', forward: (x) => x, vjp: (g) => [g] })).toThrow(ValueError);
    expect(() => customOp({ name: 'f', forward: 3 as never, vjp: (g) => [g] })).toThrow(/\[customOp\] forward: expected a function/);
    expect(() => softplus(3 as unknown as Tensor)).toThrow(/\[softplus\] inputs\[0\]: expected a Tensor, got number/);
    const notTensor = customOp({ name: 'notTensor', forward: () => 1 as unknown as Tensor, vjp: (g) => [g] });
    expect(() => notTensor(tensor([1]))).toThrow(/\[notTensor\] forward: expected a function returning a Tensor, got number/);
  });
});
