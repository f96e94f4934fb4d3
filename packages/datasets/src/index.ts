// @tapegrad/datasets — the one public entry.
export { IDX_MAX_HEADER, readIdx, readIdxHeader, type IdxFile, type IdxHeader } from './idx.js';
export { loadMnist, type Mnist, type MnistOptions, type MnistSplit } from './mnist.js';
export { DataLoader, type Batch, type DataLoaderOptions, type DataLoaderState } from './data-loader.js';
