import { produce, type Draft, freeze } from 'immer';

/** What one finished epoch adds to the history. */
export interface EpochRecord {
  /** 1-based epoch number. */
  readonly epoch: number;
  /** Accuracy on the training evaluation sample, in [0, 1]. */
  readonly trainAccuracy: number;
  /** Accuracy on the test evaluation sample, in [0, 1]. */
  readonly testAccuracy: number;
  /** Mean of this epoch's batch losses. */
  readonly loss: number;
  /** Number of batches trained in this epoch (its entries in `History.batchLoss`). */
  readonly batches: number;
}

/**
 * The training history, as in the book's `Trainer`: accuracies per epoch and the loss of every batch.
 * It is an immutable (deeply frozen) value; each epoch produces a new one with immer, so a callback
 * that keeps an old history keeps exactly what it saw. Wall-clock times are deliberately not part of
 * it, so a resumed run has a history identical to a straight one.
 */
export interface History {
  readonly epochs: readonly EpochRecord[];
  /** The loss of every training batch, in order, over all epochs. */
  readonly batchLoss: readonly number[];
}

/** The empty history, before any epoch. */
export function emptyHistory(): History {
  return freeze({ epochs: [], batchLoss: [] }, true);
}

/**
 * A new history with one more epoch: its record and its batch losses.
 * @example
 * let h = emptyHistory();
 * h = appendEpoch(h, { epoch: 1, trainAccuracy: 0.9, testAccuracy: 0.88, loss: 0.3, batches: 2 }, [0.4, 0.2]);
 */
export function appendEpoch(history: History, record: EpochRecord, batchLoss: readonly number[]): History {
  return produce(history, (draft: Draft<History>) => {
    draft.epochs.push({ ...record });
    draft.batchLoss.push(...batchLoss);
  });
}

/**
 * Checks that a value read back from a checkpoint's metadata is a well-formed history, and returns it
 * frozen. Throws a TypeError naming what is wrong.
 */
export function parseHistory(value: unknown): History {
  const fail = (what: string): never => {
    throw new TypeError(`[History] metadata.history: expected { epochs: EpochRecord[], batchLoss: number[] }, got ${what}`);
  };
  if (value === null || typeof value !== 'object') return fail(String(value));
  const { epochs, batchLoss } = value as { epochs?: unknown; batchLoss?: unknown };
  if (!Array.isArray(epochs)) return fail('no epochs array');
  // JSON writes NaN (a diverged loss) as null; read it back as NaN.
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : v === null ? NaN : undefined);
  if (!Array.isArray(batchLoss) || batchLoss.some((v) => num(v) === undefined)) return fail('no numeric batchLoss array');
  const keys = ['epoch', 'trainAccuracy', 'testAccuracy', 'loss', 'batches'] as const;
  const records: EpochRecord[] = epochs.map((e: unknown, i) => {
    if (e === null || typeof e !== 'object') return fail(`epochs[${i}] = ${String(e)}`);
    const r = e as Record<string, unknown>;
    for (const k of keys) if (num(r[k]) === undefined) fail(`epochs[${i}].${k} = ${JSON.stringify(r[k])}`);
    const get = (k: (typeof keys)[number]): number => num(r[k])!;
    return { epoch: get('epoch'), trainAccuracy: get('trainAccuracy'), testAccuracy: get('testAccuracy'), loss: get('loss'), batches: get('batches') };
  });
  const total = records.reduce((s, r) => s + r.batches, 0);
  if (total !== batchLoss.length) fail(`${batchLoss.length} batch losses for ${total} batches in the epochs`);
  return freeze({ epochs: records, batchLoss: batchLoss.map((v) => num(v)!) }, true);
}
