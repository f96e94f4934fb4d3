import { Rng, ShapeError, Tensor, ValueError, argError, formatShape, type TypedArray } from '@tapegrad/core';

/** The part of a batcher's state a checkpoint needs to replay the following epochs exactly. */
export interface BatcherState {
  /** Epochs begun so far. */
  epoch: number;
  /** The shuffling Rng's four uint32 words. */
  rng: number[];
}

function allocateLike(src: TypedArray, length: number): TypedArray {
  if (src instanceof Float32Array) return new Float32Array(length);
  if (src instanceof Float64Array) return new Float64Array(length);
  return new Int32Array(length);
}

/** Rows `order[start..end)` of a (N, ...) tensor, copied into a new (end-start, ...) tensor. */
export function gatherRows(src: Tensor, order: Int32Array | null, start: number, end: number): Tensor {
  const rowSize = src.size / src.shape[0]!;
  const out = allocateLike(src.data, (end - start) * rowSize);
  for (let i = start; i < end; i++) {
    const r = order === null ? i : order[i]!;
    out.set(src.data.subarray(r * rowSize, (r + 1) * rowSize), (i - start) * rowSize);
  }
  return new Tensor(out, [end - start, ...src.shape.slice(1)], src.dtype);
}

/**
 * The Trainer's epoch batches: a fresh seeded permutation of the examples each epoch, cut into
 * batches of `batchSize` (the last one smaller when N is not a multiple). It follows the
 * DataLoader's rules (@tapegrad/datasets) but lives here because nn does not depend on datasets.
 * `getState()`/`setState()` save and restore the Rng, so a resumed run draws the same epochs.
 * @example
 * const b = new ShuffledBatches(x, t, 100, 0);
 * for (const { x, t } of b.epoch()) { ... }
 */
export class ShuffledBatches {
  private readonly rng: Rng;
  private epochs = 0;

  constructor(
    readonly x: Tensor,
    readonly t: Tensor,
    readonly batchSize: number,
    seed: number,
  ) {
    if (x.ndim === 0 || t.ndim === 0 || x.shape[0] !== t.shape[0] || x.shape[0] === 0) {
      throw argError(ShapeError, 'Trainer', 'train', 'x and t with the same non-zero first dimension N', `x ${formatShape(x.shape)}, t ${formatShape(t.shape)}`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1) throw argError(ValueError, 'Trainer', 'batchSize', 'a positive integer', String(batchSize));
    this.rng = new Rng(seed);
  }

  get size(): number {
    return this.x.shape[0]!;
  }

  /** Batches per epoch. */
  get length(): number {
    return Math.ceil(this.size / this.batchSize);
  }

  /** Draws the next epoch's order now (eagerly) and yields its batches. */
  epoch(): Generator<{ x: Tensor; t: Tensor }> {
    const order = this.rng.permutation(this.size);
    this.epochs++;
    return this.batches(order);
  }

  private *batches(order: Int32Array): Generator<{ x: Tensor; t: Tensor }> {
    for (let start = 0; start < order.length; start += this.batchSize) {
      const end = Math.min(start + this.batchSize, order.length);
      yield { x: gatherRows(this.x, order, start, end), t: gatherRows(this.t, order, start, end) };
    }
  }

  getState(): BatcherState {
    return { epoch: this.epochs, rng: this.rng.getState() };
  }

  setState(state: BatcherState): void {
    if (state === null || typeof state !== 'object' || !Number.isInteger(state.epoch) || state.epoch < 0) {
      throw argError(ValueError, 'Trainer', 'loader state', '{ epoch, rng }', JSON.stringify(state));
    }
    this.rng.setState(state.rng);
    this.epochs = state.epoch;
  }
}
