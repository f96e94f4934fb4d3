import { ShapeError, type Tensor, ValueError, argError } from '@tapegrad/core';
import { Module } from '../module/module.js';
import { Conv2d } from '../layers/conv2d.js';
import { Linear } from '../layers/linear.js';
import { AvgPool2d, MaxPool2d } from '../layers/pooling.js';
import { ReLU, Sigmoid } from '../layers/activations.js';
import { Flatten } from '../layers/flatten.js';
import { he, xavier } from '../init/init.js';
import { type SeedOptions, rngFrom } from '../init/seeding.js';
import { floatDType, optionsOf, positiveInt, shown } from '../layers/checks.js';
import { checkInputShape, checkModelInput } from './input-check.js';
import { partOf } from '../module/layer-errors.js';
import { layersKeepNothing, runMiddle } from '../layers/intermediates.js';

export interface LeNet5Options extends SeedOptions {
  /** 'sigmoid' (the classic, default) or 'relu'. */
  activation?: 'sigmoid' | 'relu';
  /** 'avg' (the classic subsampling, default) or 'max'. */
  pooling?: 'avg' | 'max';
  /** (C, H, W); default [1, 28, 28]. */
  inputShape?: [number, number, number];
  /** Default 10. */
  numClasses?: number;
  dtype?: 'float32' | 'float64';
}

/**
 * LeNet-5 in the layout of LeCun et al. (1998) adapted to 28×28 input (as d2l.ai): conv1 6@5×5 pad 2 →
 * act → 2×2 subsample → conv2 16@5×5 → act → 2×2 subsample → fc1 120 → act → fc2 84 → act → fc3 10.
 * Like every modern re-implementation, conv2 connects to all 6 maps (the paper's C3 uses a partial
 * connection table) and the output is a plain linear layer (not RBF units): 61,706 parameters for
 * 1×28×28 input and 10 classes. Weights: xavier (√(1/fanIn)) for sigmoid, he for ReLU; biases 0.
 * @example const classic = new LeNet5({ seed: 0 }); const modern = new LeNet5({ activation: 'relu', pooling: 'max', seed: 0 });
 */
export class LeNet5 extends Module {
  readonly inputShape: [number, number, number];
  readonly conv1: Conv2d;
  readonly act1: Module;
  readonly pool1: Module;
  readonly conv2: Conv2d;
  readonly act2: Module;
  readonly pool2: Module;
  readonly flatten: Flatten;
  readonly fc1: Linear;
  readonly act3: Module;
  readonly fc2: Linear;
  readonly act4: Module;
  readonly fc3: Linear;

  constructor(options: LeNet5Options = {}) {
    super();
    const op = 'LeNet5';
    options = optionsOf(op, options);
    const activation = options.activation ?? 'sigmoid';
    const pooling = options.pooling ?? 'avg';
    if (activation !== 'sigmoid' && activation !== 'relu') throw argError(ValueError, op, 'activation', "'sigmoid' or 'relu'", shown(activation));
    if (pooling !== 'avg' && pooling !== 'max') throw argError(ValueError, op, 'pooling', "'avg' or 'max'", shown(pooling));
    const [c, h, w] = (this.inputShape = checkInputShape(op, 'inputShape', options.inputShape ?? [1, 28, 28]));
    const numClasses = positiveInt(op, 'numClasses', options.numClasses ?? 10);
    const dtype = floatDType(op, options.dtype);
    // conv1 keeps the size (pad 2), each pool halves it, conv2 (no pad) takes 4 off
    const side = (n: number) => Math.floor((Math.floor(n / 2) - 4) / 2);
    if (side(h) < 1 || side(w) < 1) {
      throw argError(ShapeError, op, 'inputShape', 'H and W of at least 12 (so the second subsampling has an output)', `[${c},${h},${w}]`);
    }
    const rng = rngFrom(op, options);
    const init = activation === 'sigmoid' ? xavier : he;
    const act = () => (activation === 'sigmoid' ? new Sigmoid() : new ReLU());
    const pool = () => (pooling === 'avg' ? new AvgPool2d(2) : new MaxPool2d(2));
    this.conv1 = partOf(op, () => new Conv2d(c, 6, 5, { pad: 2, init, rng, dtype }));
    this.act1 = act();
    this.pool1 = pool();
    this.conv2 = new Conv2d(6, 16, 5, { init, rng, dtype });
    this.act2 = act();
    this.pool2 = pool();
    this.flatten = new Flatten();
    this.fc1 = partOf(op, () => new Linear(16 * side(h) * side(w), 120, { init, rng, dtype }));
    this.act3 = act();
    this.fc2 = new Linear(120, 84, { init, rng, dtype });
    this.act4 = act();
    this.fc3 = partOf(op, () => new Linear(84, numClasses, { init, rng, dtype }));
  }

  forward(x: Tensor): Tensor {
    checkModelInput(this.conv1, x, this.inputShape);
    // Each activation goes to the next layer only: marked intermediates (models/intermediates.ts).
    const layers = [this.conv1, this.act1, this.pool1, this.conv2, this.act2, this.pool2, this.flatten, this.fc1, this.act3, this.fc2, this.act4];
    const mark = layersKeepNothing([...layers, this.fc3]);
    let y = x;
    for (const layer of layers) y = runMiddle(mark, layer, y);
    return this.fc3.forward(y);
  }
}
