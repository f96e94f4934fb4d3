import { ValueError, argError } from '@tapegrad/core';
import { optionsOf, positiveInt, shown } from '../layers/checks.js';
import { hyper, nonNegative, positive } from './optimizer.js';

/** What a scheduler drives: any optimizer (its `lr` is read once, as the base rate, then set). */
export interface ScheduledOptimizer {
  lr: number;
}

/**
 * A learning-rate schedule stepped once per epoch, as PyTorch's `torch.optim.lr_scheduler`: the rate of
 * epoch e (counted from 0) is `lrAt(e)`, a closed form of the optimizer's rate when the scheduler was
 * made (`baseLr`), so a resumed run (`setEpoch`) gets exactly the rates an uninterrupted one would.
 * @example const s = new CosineAnnealingLR(opt, { tMax: 20 }); for (...) { trainOneEpoch(); s.step(); }
 */
export abstract class LRScheduler {
  readonly optimizer: ScheduledOptimizer;
  /** The optimizer's learning rate when the scheduler was made: the rate of epoch 0. */
  readonly baseLr: number;
  private epochsDone = 0;

  constructor(type: string, optimizer: ScheduledOptimizer) {
    if (optimizer === null || typeof optimizer !== 'object' || typeof optimizer.lr !== 'number' || !Number.isFinite(optimizer.lr) || optimizer.lr < 0) {
      throw argError(ValueError, type, 'optimizer', 'an optimizer with a finite lr ≥ 0', optimizer === null || typeof optimizer !== 'object' ? shown(optimizer) : `lr ${shown(optimizer.lr)}`);
    }
    this.optimizer = optimizer;
    this.baseLr = optimizer.lr;
  }

  /** The learning rate of epoch `epoch` (0 for the first). */
  abstract lrAt(epoch: number): number;

  /** Epochs stepped so far: the optimizer's rate is `lrAt(lastEpoch)`. */
  get lastEpoch(): number {
    return this.epochsDone;
  }

  /** Ends an epoch: sets the optimizer's rate to the next epoch's. */
  step(): void {
    this.setEpoch(this.epochsDone + 1);
  }

  /** Jumps to after `epoch` epochs (a resumed run): sets the optimizer's rate to `lrAt(epoch)`. */
  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0) throw argError(ValueError, 'LRScheduler.setEpoch', 'epoch', 'an integer ≥ 0', shown(epoch));
    this.epochsDone = epoch;
    this.optimizer.lr = this.lrAt(epoch);
  }
}

export interface CosineAnnealingOptions {
  /** Epochs from the base rate down to `etaMin` (half a cosine period). */
  tMax: number;
  /** The lowest rate (default 0). */
  etaMin?: number;
}

/**
 * PyTorch's `CosineAnnealingLR` (closed form): `etaMin + (baseLr − etaMin)·(1 + cos(π·e/tMax))/2`, from
 * the base rate at epoch 0 down to `etaMin` at epoch `tMax` (and, as in PyTorch, back up after it).
 * @example new CosineAnnealingLR(adam, { tMax: 20 }) // 20 epochs from adam.lr down to 0
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: ScheduledOptimizer, options: CosineAnnealingOptions) {
    super('CosineAnnealingLR', optimizer);
    const o = optionsOf('CosineAnnealingLR', options);
    this.tMax = positiveInt('CosineAnnealingLR', 'tMax', o.tMax);
    this.etaMin = hyper('CosineAnnealingLR', 'etaMin', o.etaMin ?? 0, nonNegative, 'a finite number ≥ 0');
  }

  lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

export interface StepLROptions {
  /** Epochs between two decays. */
  stepSize: number;
  /** Factor of each decay (default 0.1). */
  gamma?: number;
}

/**
 * PyTorch's `StepLR`: `baseLr · gamma^⌊e/stepSize⌋`.
 * @example new StepLR(sgd, { stepSize: 10, gamma: 0.5 }) // halves the rate every 10 epochs
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: ScheduledOptimizer, options: StepLROptions) {
    super('StepLR', optimizer);
    const o = optionsOf('StepLR', options);
    this.stepSize = positiveInt('StepLR', 'stepSize', o.stepSize);
    this.gamma = hyper('StepLR', 'gamma', o.gamma ?? 0.1, positive, 'a finite number > 0');
  }

  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}
