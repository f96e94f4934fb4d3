import { ShapeError, type Tensor, argError } from '@tapegrad/core';
import { Module } from '../module/module.js';
import { Conv2d } from '../layers/conv2d.js';
import { Linear } from '../layers/linear.js';
import { MaxPool2d } from '../layers/pooling.js';
import { ReLU } from '../layers/activations.js';
import { Flatten } from '../layers/flatten.js';
import { type WeightInitStd, weightInit } from '../init/init.js';
import { type SeedOptions, rngFrom } from '../init/seeding.js';
import { floatDType, nonNegativeInt, optionsOf, positiveInt } from '../layers/checks.js';
import { checkInputShape, checkModelInput } from './input-check.js';
import { layersKeepNothing, runMiddle } from '../layers/intermediates.js';
import { partOf } from '../module/layer-errors.js';

export interface SimpleConvNetOptions extends SeedOptions {
  /** (C, H, W) of one input; default [1, 28, 28]. */
  inputDim?: [number, number, number];
  /** Default { filterNum: 30, filterSize: 5, pad: 0, stride: 1 }. */
  conv?: { filterNum?: number; filterSize?: number; pad?: number; stride?: number };
  /** Default 100. */
  hiddenSize?: number;
  /** Default 10. */
  outputSize?: number;
  /** Std of the Gaussian weights (biases start at 0), or 'relu'/'he', 'sigmoid'/'xavier'; default 0.01. */
  weightInitStd?: WeightInitStd;
  dtype?: 'float32' | 'float64';
}

/**
 * The book's SimpleConvNet: conv1 → ReLU → 2×2 max pool → fc1 → ReLU → fc2, returning logits.
 * Parameters (PyTorch names and layouts): conv1.weight (30,1,5,5), conv1.bias, fc1.weight (100,4320),
 * fc1.bias, fc2.weight (10,100), fc2.bias. Weights are drawn in that order from one seeded generator.
 * @example
 * const net = new SimpleConvNet({ seed: 0 });
 * const loss = crossEntropyLoss(net.forward(x), t); // x (N,1,28,28)
 */
export class SimpleConvNet extends Module {
  // Declared in the order they are assigned, so the child order is the same whether class fields are
  // defined up front (ES2022) or on assignment.
  readonly inputDim: [number, number, number];
  readonly conv1: Conv2d;
  readonly relu1: ReLU;
  readonly pool1: MaxPool2d;
  readonly flatten: Flatten;
  readonly fc1: Linear;
  readonly relu2: ReLU;
  readonly fc2: Linear;

  constructor(options: SimpleConvNetOptions = {}) {
    super();
    const op = 'SimpleConvNet';
    options = optionsOf(op, options);
    const conv = optionsOf(op, options.conv, 'conv');
    const [c, h, w] = (this.inputDim = checkInputShape(op, 'inputDim', options.inputDim ?? [1, 28, 28]));
    const filterNum = positiveInt(op, 'conv.filterNum', conv.filterNum ?? 30);
    const filterSize = positiveInt(op, 'conv.filterSize', conv.filterSize ?? 5);
    const stride = positiveInt(op, 'conv.stride', conv.stride ?? 1);
    const pad = nonNegativeInt(op, 'conv.pad', conv.pad ?? 0);
    const hidden = positiveInt(op, 'hiddenSize', options.hiddenSize ?? 100);
    const outputSize = positiveInt(op, 'outputSize', options.outputSize ?? 10);
    const dtype = floatDType(op, options.dtype);
    const convH = Math.floor((h + 2 * pad - filterSize) / stride) + 1;
    const convW = Math.floor((w + 2 * pad - filterSize) / stride) + 1;
    if (!(convH >= 2 && convW >= 2)) {
      throw argError(ShapeError, op, 'conv', `a filter that leaves at least 2×2 outputs for the 2×2 pool on input ${h}×${w}`, `${convH}×${convW}`);
    }
    const pooled = filterNum * Math.floor(convH / 2) * Math.floor(convW / 2);
    const rng = rngFrom(op, options);
    const init = partOf(op, () => weightInit(options.weightInitStd ?? 0.01));
    this.conv1 = partOf(op, () => new Conv2d(c, filterNum, filterSize, { stride, pad, init, rng, dtype }));
    this.relu1 = new ReLU();
    this.pool1 = new MaxPool2d(2, { stride: 2 });
    this.flatten = new Flatten();
    this.fc1 = partOf(op, () => new Linear(pooled, hidden, { init, rng, dtype }));
    this.relu2 = new ReLU();
    this.fc2 = partOf(op, () => new Linear(hidden, outputSize, { init, rng, dtype }));
  }

  forward(x: Tensor): Tensor {
    checkModelInput(this.conv1, x, this.inputDim);
    // The activations go from layer to layer and nowhere else: marked intermediates, their arrays are
    // reused once backward is done with them (models/intermediates.ts).
    const mark = layersKeepNothing([this.conv1, this.relu1, this.pool1, this.flatten, this.fc1, this.relu2, this.fc2]);
    let y = x;
    for (const layer of [this.conv1, this.relu1, this.pool1, this.flatten, this.fc1, this.relu2]) y = runMiddle(mark, layer, y);
    return this.fc2.forward(y);
  }
}
