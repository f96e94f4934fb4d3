import { type TypedArray, Rng, ShapeError, Tensor, ValueError, argError, formatShape } from '@tapegrad/core';

export interface DataLoaderOptions {
  /** Examples per batch, a positive integer. */
  batchSize: number;
  /** Draw a new permutation of the examples at the start of every epoch (default false). */
  shuffle?: boolean;
  /** Seed of the loader's own Rng (default 0): the same seed gives the same sequence of epochs. */
  seed?: number;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
}

/** One batch: the rows of `x` and `t` at the same example indices. */
export interface Batch {
  x: Tensor;
  t: Tensor;
}

/** What a checkpoint needs to resume a loader at an epoch boundary. */
export interface DataLoaderState {
  /** Epochs begun so far. */
  epoch: number;
  /** The shuffling Rng's four uint32 words. */
  rng: number[];
}

const OPTION_KEYS = new Set(['batchSize', 'shuffle', 'seed', 'dropLast']);

function checkBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw argError(ValueError, 'DataLoader', name, 'a boolean', JSON.stringify(value) ?? typeof value);
  return value;
}

function allocateLike(src: TypedArray, length: number): TypedArray {
  if (src instanceof Float32Array) return new Float32Array(length);
  if (src instanceof Float64Array) return new Float64Array(length);
  return new Int32Array(length);
}

/** Copies the rows `order[start..end)` of a (N, ...) tensor into a new (end-start, ...) tensor. */
function gatherRows(src: Tensor, order: Int32Array, start: number, end: number): Tensor {
  const n = src.shape[0]!;
  const rowSize = n === 0 ? 0 : src.size / n;
  const out = allocateLike(src.data, (end - start) * rowSize);
  if (rowSize === 1) {
    for (let i = start; i < end; i++) out[i - start] = src.data[order[i]!]!;
  } else {
    for (let i = start; i < end; i++) {
      const r = order[i]!;
      out.set(src.data.subarray(r * rowSize, (r + 1) * rowSize), (i - start) * rowSize);
    }
  }
  return new Tensor(out, [end - start, ...src.shape.slice(1)], src.dtype);
}

/**
 * Batches of paired examples `(x[i], t[i])` along the first dimension. Iterating it runs one epoch; with
 * `shuffle`, each epoch visits the examples in a new order drawn from the loader's seeded Rng, so the
 * same seed gives the same epochs. `getState()`/`setState()` save and restore the epoch counter and the
 * Rng, so a resumed run sees the very epochs it would have seen. Batches are fresh copies of the rows.
 * @example
 * const loader = new DataLoader(images, labels, { batchSize: 100, shuffle: true, seed: 1 });
 * for (const { x, t } of loader) { const loss = softmaxCrossEntropy(model.forward(x), t); ... }
 */
export class DataLoader implements Iterable<Batch> {
  readonly x: Tensor;
  readonly t: Tensor;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly rng: Rng;
  private epochCount = 0;

  constructor(x: Tensor, t: Tensor, options: DataLoaderOptions) {
    if (!(x instanceof Tensor)) throw argError(ValueError, 'DataLoader', 'x', 'a Tensor', typeof x);
    if (!(t instanceof Tensor)) throw argError(ValueError, 'DataLoader', 't', 'a Tensor', typeof t);
    if (x.ndim === 0) throw argError(ShapeError, 'DataLoader', 'x', 'at least 1-D (N, ...)', `shape ${formatShape(x.shape)}`);
    if (t.ndim === 0) throw argError(ShapeError, 'DataLoader', 't', 'at least 1-D (N, ...)', `shape ${formatShape(t.shape)}`);
    if (x.shape[0] !== t.shape[0]) {
      throw argError(ShapeError, 'DataLoader', 't', `first dimension ${x.shape[0]} to match x ${formatShape(x.shape)}`, `shape ${formatShape(t.shape)}`);
    }
    if (x.shape[0] === 0) throw argError(ShapeError, 'DataLoader', 'x', 'at least one example', `shape ${formatShape(x.shape)}`);
    if (options === null || typeof options !== 'object') {
      throw argError(ValueError, 'DataLoader', 'options', 'an object like { batchSize: 100 }', String(options));
    }
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) {
        throw argError(ValueError, 'DataLoader', 'options', `only ${[...OPTION_KEYS].join(', ')}`, `unknown option '${key}'`);
      }
    }
    const { batchSize, seed = 0 } = options;
    if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1) {
      throw argError(ValueError, 'DataLoader', 'batchSize', 'a positive integer', String(batchSize));
    }
    if (typeof seed !== 'number' || !Number.isInteger(seed)) {
      throw argError(ValueError, 'DataLoader', 'seed', 'an integer', String(seed));
    }
    this.x = x;
    this.t = t;
    this.batchSize = batchSize;
    this.shuffle = checkBoolean('shuffle', options.shuffle, false);
    this.dropLast = checkBoolean('dropLast', options.dropLast, false);
    this.rng = new Rng(seed);
  }

  /** Number of examples. */
  get size(): number {
    return this.x.shape[0]!;
  }

  /** Number of batches per epoch. */
  get length(): number {
    return this.dropLast ? Math.floor(this.size / this.batchSize) : Math.ceil(this.size / this.batchSize);
  }

  /** Epochs begun so far (each iteration of the loader begins one). */
  get epoch(): number {
    return this.epochCount;
  }

  /**
   * Begins an epoch. The order is drawn here, eagerly, not at the first `next()`, so the loader's state
   * after starting an epoch does not depend on how far the caller iterates.
   */
  [Symbol.iterator](): Iterator<Batch> {
    const n = this.size;
    let order: Int32Array;
    if (this.shuffle) {
      order = this.rng.permutation(n);
    } else {
      order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
    }
    this.epochCount++;
    return this.batches(order);
  }

  private *batches(order: Int32Array): Generator<Batch> {
    const n = order.length;
    const count = this.length;
    for (let b = 0; b < count; b++) {
      const start = b * this.batchSize;
      const end = Math.min(start + this.batchSize, n);
      yield { x: gatherRows(this.x, order, start, end), t: gatherRows(this.t, order, start, end) };
    }
  }

  /** The epoch counter and Rng state; restoring it makes the next epoch the one that would have come next. */
  getState(): DataLoaderState {
    return { epoch: this.epochCount, rng: this.rng.getState() };
  }

  /** Restores a state from `getState()` (typically from a checkpoint). */
  setState(state: DataLoaderState): void {
    if (state === null || typeof state !== 'object') {
      throw argError(ValueError, 'DataLoader.setState', 'state', '{ epoch, rng }', String(state));
    }
    const { epoch, rng } = state;
    if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) {
      throw argError(ValueError, 'DataLoader.setState', 'epoch', 'a non-negative integer', String(epoch));
    }
    if (!Array.isArray(rng) || rng.length !== 4 || rng.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw argError(ValueError, 'DataLoader.setState', 'rng', 'four uint32 values', JSON.stringify(rng) ?? String(rng));
    }
    this.rng.setState(rng);
    this.epochCount = epoch;
  }
}
