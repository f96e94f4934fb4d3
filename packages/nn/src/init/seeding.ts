import { Rng, ValueError, argError } from '@tapegrad/core';

/** Where a layer draws its initial weights from: a generator to share, or a seed for a fresh one. */
export interface SeedOptions {
  /** A generator to draw from (its state advances, so layers built in turn get different weights). */
  rng?: Rng;
  /** A seed for a fresh generator. */
  seed?: number;
}

let globalRng = new Rng(0);

/**
 * Reseeds the generator that layers use when given neither `rng` nor `seed` (like `torch.manual_seed`).
 * It starts seeded with 0, so a program that builds the same layers in the same order gets the same weights.
 * @example manualSeed(42); const fc = new Linear(10, 2);
 */
export function manualSeed(seed: number): void {
  globalRng = new Rng(seed);
}

/** The generator described by `options`, falling back to the global one. */
export function rngFrom(op: string, options: SeedOptions = {}): Rng {
  if (options.rng !== undefined) {
    if (!(options.rng instanceof Rng)) throw argError(ValueError, op, 'rng', 'an Rng', typeof options.rng);
    return options.rng;
  }
  if (options.seed !== undefined) {
    if (!Number.isInteger(options.seed)) throw argError(ValueError, op, 'seed', 'an integer', String(options.seed));
    return new Rng(options.seed);
  }
  return globalRng;
}
