import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, type Tensor, ValueError, tensor, zeros } from '@tapegrad/core';
import { AdaGrad, Adam, Momentum, Nesterov, type Optimizer, RMSprop, SGD } from '@tapegrad/nn';

interface Golden {
  p0: number[];
  q0: number[];
  steps: { t: number; gradP: number[]; gradQ: number[] | null }[];
  cases: { optimizer: string; options: Record<string, number>; trace: { p: number[]; q: number[] }[] }[];
}

const fixture = fileURLToPath(new URL('../fixtures/optimizer-golden.json', import.meta.url));
const script = fileURLToPath(new URL('../../scripts/optimizer_golden.py', import.meta.url));
const golden = JSON.parse(readFileSync(fixture, 'utf8')) as Golden;

const make: Record<string, (params: Tensor[], options: Record<string, number>) => Optimizer> = {
  Adam: (p, o) => new Adam(p, o),
  SGD: (p, o) => new SGD(p, o),
  Momentum: (p, o) => new Momentum(p, o),
  Nesterov: (p, o) => new Nesterov(p, o),
  AdaGrad: (p, o) => new AdaGrad(p, o),
  RMSprop: (p, o) => new RMSprop(p, o),
};

function expectClose(actual: ArrayLike<number>, expected: readonly number[], rel: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.max(1, Math.abs(expected[i]!));
    expect(Math.abs(actual[i]! - expected[i]!), `${label} [${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

/** Runs the golden scenario: p has a gradient every step, q only on the steps listed. */
function runScenario(name: string, options: Record<string, number>, dtype: 'float32' | 'float64', steps = golden.steps.length) {
  const p = tensor(golden.p0, undefined, { dtype, requiresGrad: true });
  const q = tensor(golden.q0, undefined, { dtype, requiresGrad: true });
  const opt = make[name]!([p, q], options);
  const trace: { p: number[]; q: number[] }[] = [];
  for (const s of golden.steps.slice(0, steps)) {
    p.grad = tensor(s.gradP, undefined, { dtype });
    q.grad = s.gradQ ? tensor(s.gradQ, undefined, { dtype }) : null;
    opt.step();
    trace.push({ p: Array.from(p.data), q: Array.from(q.data) });
  }
  return { p, q, opt, trace };
}

describe('optimizers against golden values from packages/nn/scripts/optimizer_golden.py', () => {
  it('the committed fixture is exactly what the script produces (python3 required)', () => {
    let out: string;
    try {
      out = execFileSync('python3', [script], { encoding: 'utf8' });
    } catch (e) {
      throw new Error(`python3 is needed to regenerate the optimizer golden values (${script}): ${(e as Error).message}`);
    }
    expect(JSON.parse(out)).toEqual(golden);
  });

  for (const c of golden.cases) {
    it(`${c.optimizer} ${JSON.stringify(c.options)}: ${golden.steps.length} steps in float64 (gradients 0, 1e-9, 100, changing; q skipped on some steps)`, () => {
      const { trace } = runScenario(c.optimizer, c.options, 'float64');
      trace.forEach((s, t) => {
        expectClose(s.p, c.trace[t]!.p, 1e-12, `step ${t + 1} p`);
        expectClose(s.q, c.trace[t]!.q, 1e-12, `step ${t + 1} q`);
      });
    });

    it(`${c.optimizer} ${JSON.stringify(c.options)}: float32 parameters follow within float32 rounding`, () => {
      const { trace } = runScenario(c.optimizer, c.options, 'float32');
      trace.forEach((s, t) => expectClose(s.p, c.trace[t]!.p, 1e-5, `step ${t + 1} p`));
    });
  }

  it('Adam: a gradient of 1e-9 moves the parameter by lr/(1 + eps/1e-9) per step (eps added to the corrected √v̂)', () => {
    const adam = golden.cases.find((c) => c.optimizer === 'Adam' && Object.keys(c.options).length === 0)!;
    // constant g: m̂ = g and √v̂ = |g| exactly, so each step is lr·g/(g + eps) = 0.001/11
    expect(adam.trace[0]!.p[1]! - golden.p0[1]!).toBeCloseTo(-0.001 / 11, 15);
    expect(adam.trace[0]!.p[0]).toBe(golden.p0[0]); // zero gradient: no move
    expect(adam.trace[0]!.p[2]! - golden.p0[2]!).toBeCloseTo(-0.001 * (100 / (100 + 1e-8)), 15);
  });
});

describe('optimizer state', () => {
  for (const c of golden.cases) {
    it(`${c.optimizer}: save after 3 steps, restore into a fresh optimizer, continue: identical to running straight`, () => {
      const straight = runScenario(c.optimizer, c.options, 'float32');
      const first = runScenario(c.optimizer, c.options, 'float32', 3);
      const state = first.opt.stateDict();
      const p = first.p.clone();
      const q = first.q.clone();
      p.requiresGrad = true;
      q.requiresGrad = true;
      const resumed = make[c.optimizer]!([p, q], { lr: 123 }); // hyperparameters come back from the state
      resumed.loadStateDict(state);
      for (const s of golden.steps.slice(3)) {
        p.grad = tensor(s.gradP);
        q.grad = s.gradQ ? tensor(s.gradQ) : null;
        resumed.step();
      }
      expect(Array.from(p.data)).toEqual(Array.from(straight.p.data));
      expect(Array.from(q.data)).toEqual(Array.from(straight.q.data));
    });
  }

  it('stateDict holds copies of the buffers, the hyperparameters and per-parameter step counts', () => {
    const { opt } = runScenario('Adam', { lr: 0.01 }, 'float64', 3);
    const s = opt.stateDict();
    expect(Object.keys(s.tensors)).toEqual(['exp_avg.0', 'exp_avg.1', 'exp_avg_sq.0', 'exp_avg_sq.1']);
    expect(s.scalars).toEqual({ type: 'Adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, 'step.0': 3, 'step.1': 2 });
    s.tensors['exp_avg.0']!.data[0] = 999;
    expect(opt.stateDict().tensors['exp_avg.0']!.data[0]).not.toBe(999);
  });

  it('loadStateDict lists every mismatch in one error and changes nothing', () => {
    const { opt } = runScenario('Adam', {}, 'float64', 2);
    const before = JSON.stringify(opt.stateDict().scalars);
    const bad = opt.stateDict();
    delete bad.tensors['exp_avg.1'];
    bad.tensors['exp_avg_sq.0'] = zeros([4], { dtype: 'float64' });
    bad.tensors['junk.0'] = zeros([1]);
    bad.scalars.beta1 = 'x';
    bad.scalars.lr = 0.5;
    let err: unknown;
    try {
      opt.loadStateDict(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValueError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^\[Adam\.loadStateDict\] state: expected the state of this Adam over 2 parameter\(s\), got /);
    expect(msg).toContain('scalar beta1: bad value "x"');
    expect(msg).toContain('missing tensor exp_avg.1');
    expect(msg).toContain('tensor exp_avg_sq.0: expected [5] float64, got [4] float64');
    expect(msg).toContain('unexpected tensor junk.0');
    expect(JSON.stringify(opt.stateDict().scalars)).toBe(before);
    const sgd = new SGD([tensor([1], undefined, { requiresGrad: true })]);
    expect(() => sgd.loadStateDict(new Adam([tensor([1])]).stateDict())).toThrow(/type "Adam" \(expected "SGD"\)/);
  });
});

describe('optimizer behaviour', () => {
  it('updates param.data in place (same tensor, same array) and skips parameters without a gradient', () => {
    const w = tensor([1, 2], undefined, { requiresGrad: true });
    const b = tensor([3], undefined, { requiresGrad: true });
    const data = w.data;
    const opt = new SGD([w, b], { lr: 0.5 });
    w.grad = tensor([2, -2]);
    opt.step();
    expect(w.data).toBe(data);
    expect(Array.from(w.data)).toEqual([0, 3]);
    expect(Array.from(b.data)).toEqual([3]);
  });

  it('zeroGrad sets every gradient to null', () => {
    const w = tensor([1, 2], undefined, { requiresGrad: true });
    w.grad = tensor([1, 1]);
    const opt = new Momentum([w]);
    opt.zeroGrad();
    expect(w.grad).toBeNull();
  });

  it('lr can be changed between steps', () => {
    const w = tensor([1], undefined, { requiresGrad: true });
    const opt = new SGD([w], { lr: 1 });
    w.grad = tensor([1]);
    opt.step();
    opt.lr = 0.5;
    opt.step();
    expect(w.data[0]).toBe(-0.5);
  });

  it('rejects bad parameters, hyperparameters and gradients with clear errors', () => {
    const w = tensor([1], undefined, { requiresGrad: true });
    expect(() => new Adam([])).toThrow(/^\[Adam\] params: expected at least one parameter, got an empty list$/);
    expect(() => new Adam([w, w])).toThrow(/^\[Adam\] params\[1\]: expected each parameter once, got a tensor already listed$/);
    expect(() => new SGD([zeros([2], { dtype: 'int32' })])).toThrow(DTypeError);
    expect(() => new SGD([w], { lr: -1 })).toThrow(/^\[SGD\] lr: expected a finite number ≥ 0, got -1$/);
    expect(() => new Adam([w], { beta1: 1 })).toThrow(/^\[Adam\] beta1: expected a number in \[0, 1\), got 1$/);
    expect(() => new Momentum([w], { momentum: NaN })).toThrow(ValueError);
    expect(() => new RMSprop([w], { eps: -1e-8 })).toThrow(/eps: expected a finite number > 0/);
    const opt = new Adam([w]);
    w.grad = tensor([1, 2]);
    expect(() => opt.step()).toThrow(ShapeError);
    expect(() => opt.step()).toThrow(/^\[Adam\.step\] params\[0\]\.grad: expected \[1\] float32 like the parameter, got \[2\] float32$/);
  });
});
