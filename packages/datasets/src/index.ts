// @tapegrad/datasets — the one public entry.
export { readIdx, type IdxFile } from './idx.js';
export { loadMnist, type Mnist, type MnistOptions, type MnistSplit } from './mnist.js';
export { DataLoader, type Batch, type DataLoaderOptions, type DataLoaderState } from './data-loader.js';
