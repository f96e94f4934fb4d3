import type { Backend } from '../backend.js';
import { binary, unary } from './elementwise.js';
import { batchedMatmul, matmul } from './matmul.js';
import { gather, permute, scatterAdd } from './layout.js';
import { reduceMax, reduceSum } from './reduce.js';
import { avgPool2d, avgPool2dBackward, col2im, im2col, maxPool2d } from './window.js';
import { softmaxCrossEntropy } from './loss.js';
import { adamUpdate, stateArray } from './optim.js';
import { conv2dForward } from './conv.js';

/** The plain TypeScript backend: float32 and float64, the oracle every faster backend is tested against. */
export const referenceBackend: Backend = {
  name: 'reference',
  binary,
  unary,
  matmul,
  batchedMatmul,
  permute,
  reduceSum,
  reduceMax,
  gather,
  scatterAdd,
  im2col,
  col2im,
  conv2dForward,
  maxPool2d,
  avgPool2d,
  avgPool2dBackward,
  softmaxCrossEntropy,
  adamUpdate,
  stateArray,
};
