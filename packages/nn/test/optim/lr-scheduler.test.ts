import { describe, expect, it } from 'vitest';
import { ValueError, zeros } from '@tapegrad/core';
import { Adam, CosineAnnealingLR, SGD, StepLR } from '@tapegrad/nn';

const adam = (lr: number) => new Adam([zeros([2], { requiresGrad: true })], { lr });

/**
 * PyTorch's recursive ("chainable") form of cosine annealing, an independent statement of the same
 * schedule: lr_t = (1 + cos(πt/T)) / (1 + cos(π(t−1)/T)) · (lr_{t−1} − η) + η, for t ≤ T.
 */
function chainedCosine(base: number, tMax: number, etaMin: number, epochs: number): number[] {
  const out = [base];
  for (let t = 1; t <= epochs; t++) {
    out.push(((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (out[t - 1]! - etaMin) + etaMin);
  }
  return out;
}

describe('CosineAnnealingLR', () => {
  it('steps the optimizer through the cosine from its rate down to etaMin, as the recursive form does', () => {
    for (const [base, tMax, etaMin] of [[0.001, 20, 0], [0.1, 7, 0.001], [0.5, 1, 0.05]] as const) {
      const opt = adam(base);
      const s = new CosineAnnealingLR(opt, { tMax, etaMin });
      const seen = [opt.lr];
      for (let e = 0; e < tMax; e++) {
        s.step();
        seen.push(opt.lr);
      }
      const want = chainedCosine(base, tMax, etaMin, tMax);
      seen.forEach((lr, e) => expect(lr, `epoch ${e}`).toBeCloseTo(want[e]!, 12));
      expect(s.lastEpoch).toBe(tMax);
      expect(opt.lr).toBeCloseTo(etaMin, 15);
      expect(s.lrAt(tMax / 2)).toBeCloseTo((base + etaMin) / 2, 15);
    }
  });

  it('setEpoch jumps to the rate a run stepped that far has (a resumed run)', () => {
    const stepped = adam(0.01);
    const s1 = new CosineAnnealingLR(stepped, { tMax: 10 });
    for (let e = 0; e < 6; e++) s1.step();
    const resumed = adam(0.01);
    const s2 = new CosineAnnealingLR(resumed, { tMax: 10 });
    s2.setEpoch(6);
    expect(resumed.lr).toBe(stepped.lr);
    expect(s2.lastEpoch).toBe(6);
    s1.step();
    s2.step();
    expect(resumed.lr).toBe(stepped.lr);
  });

  it('rejects bad options and optimizers, naming the argument', () => {
    expect(() => new CosineAnnealingLR(adam(0.1), { tMax: 0 })).toThrow(/CosineAnnealingLR.*tMax.*a positive integer.*0/);
    expect(() => new CosineAnnealingLR(adam(0.1), { tMax: 2.5 })).toThrow(ValueError);
    expect(() => new CosineAnnealingLR(adam(0.1), {} as { tMax: number })).toThrow(/tMax/);
    expect(() => new CosineAnnealingLR(adam(0.1), { tMax: 3, etaMin: -1 })).toThrow(/etaMin/);
    expect(() => new CosineAnnealingLR({} as { lr: number }, { tMax: 3 })).toThrow(/optimizer/);
    expect(() => new CosineAnnealingLR(adam(0.1), { tMax: 3 }).setEpoch(-1)).toThrow(/epoch/);
  });
});

describe('StepLR', () => {
  it('multiplies the rate by gamma every stepSize epochs', () => {
    const opt = new SGD([zeros([1], { requiresGrad: true })], { lr: 0.8 });
    const s = new StepLR(opt, { stepSize: 3, gamma: 0.5 });
    const seen = [opt.lr];
    for (let e = 0; e < 7; e++) {
      s.step();
      seen.push(opt.lr);
    }
    expect(seen).toEqual([0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2]);
    expect(new StepLR(adam(1), { stepSize: 1 }).lrAt(2)).toBeCloseTo(0.01, 15);
    expect(() => new StepLR(opt, { stepSize: 2, gamma: 0 })).toThrow(/gamma/);
  });
});
