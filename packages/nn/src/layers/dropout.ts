import { type Rng, type Tensor, ValueError, argError, dropout } from '@tapegrad/core';
import { Module } from '../module/module.js';
import { type SeedOptions, rngFrom } from '../init/seeding.js';
import { checkLayerInput, optionsOf } from './checks.js';

/**
 * Inverted dropout: in training mode zeroes each element with probability p and scales the rest by
 * 1/(1−p); in eval mode passes x through. Masks come from the layer's own seeded generator, so a run
 * replays exactly; the mask is a constant of the recorded graph (core's `dropout`).
 * @example const drop = new Dropout(0.5, { seed: 0 }); model.train(); drop.forward(h); model.eval();
 */
export class Dropout extends Module {
  readonly p: number;
  /** The generator the masks are drawn from; save `rng.getState()` to resume a run exactly. */
  readonly rng: Rng;

  constructor(p = 0.5, options: SeedOptions = {}) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw argError(ValueError, 'Dropout', 'p', 'a probability in [0, 1]', String(p));
    this.p = p;
    this.rng = rngFrom('Dropout', optionsOf('Dropout', options));
  }

  forward(x: Tensor): Tensor {
    checkLayerInput('Dropout', x, { minRank: 0, layout: '(…)' });
    return dropout(x, this.p, { rng: this.rng, training: this.training });
  }
}
