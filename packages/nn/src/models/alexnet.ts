import { Rng, ShapeError, type Tensor, ValueError, argError } from '@tapegrad/core';
import { Module } from '../module/module.js';
import { Sequential } from '../module/sequential.js';
import { Conv2d } from '../layers/conv2d.js';
import { Linear } from '../layers/linear.js';
import { MaxPool2d } from '../layers/pooling.js';
import { ReLU } from '../layers/activations.js';
import { Flatten } from '../layers/flatten.js';
import { Dropout } from '../layers/dropout.js';
import { LocalResponseNorm } from '../layers/local-response-norm.js';
import { type Initializer, he } from '../init/init.js';
import { type SeedOptions, rngFrom } from '../init/seeding.js';
import { booleanOption, floatDType, optionsOf, positiveInt } from '../layers/checks.js';
import { checkInputShape, checkModelInput } from './input-check.js';
import { partOf } from '../module/layer-errors.js';

export interface AlexNetOptions extends SeedOptions {
  /** (C, H, W); default [3, 224, 224]. H and W must be at least 7. */
  inputShape?: [number, number, number];
  /** Default 1000. */
  numClasses?: number;
  /** Multiplies every channel count and the hidden FC size (rounded, at least 1); default 1. */
  width?: number;
  /** Dropout probability before fc1 and fc2; default 0.5. */
  dropout?: number;
  /** Local response normalization after the first two ReLUs (default true). */
  lrn?: boolean;
  /** Stride of the 11×11 first convolution (pad 2); default 4 (the original), 2 for inputs under 64×64. */
  conv1Stride?: number;
  /** Weight initializer for convs and linears; default he (biases 0). */
  init?: Initializer;
  dtype?: 'float32' | 'float64';
}

/** Output size of a k×k window with stride s and pad p over n cells. */
const outSize = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;

/** The 3×3/2 max pool, with one cell of −∞ padding when the map is smaller than the window (tiny inputs). */
const poolPad = (n: number) => (n < 3 ? 1 : 0);

/**
 * AlexNet with torchvision's layer sizes (the single-tower "one weird trick" variant: 64, 192, 384, 256,
 * 256 channels; 4096-4096 classifier) plus the original paper's local response normalization
 * ({ size: 5, alpha: 1e-4, beta: 0.75, k: 2 }) after the first two ReLUs. LRN has no parameters, so with
 * inputShape [3,224,224] and 1000 classes the parameter count is torchvision's: 61,100,840 (the original
 * two-tower Krizhevsky net has 96/256/384/384/256 channels and ~60.9M). With `lrn: false` the layer
 * indices and forward pass are torchvision's too (`features.0`, `features.3`, …, `classifier.6`; its
 * adaptive average pool is the identity at 224×224 and is left out). A reduced `width` and a 1×28×28
 * input give a net that trains on MNIST: for inputs under 64×64 the 11×11 first convolution strides by 2
 * instead of 4 (28 → 14 → pooled 6; with stride 4 the map would be 2×2 after the first pool and the net
 * learns far slower — override with `conv1Stride`), and the pools pad when a map gets smaller than 3×3.
 * @example const small = new AlexNet({ inputShape: [1, 28, 28], numClasses: 10, width: 0.25, seed: 0 });
 */
export class AlexNet extends Module {
  readonly inputShape: [number, number, number];
  readonly features: Sequential;
  readonly flatten: Flatten;
  readonly classifier: Sequential;

  constructor(options: AlexNetOptions = {}) {
    super();
    const op = 'AlexNet';
    options = optionsOf(op, options);
    const [c, h, w] = (this.inputShape = checkInputShape(op, 'inputShape', options.inputShape ?? [3, 224, 224]));
    if (h < 7 || w < 7) throw argError(ShapeError, op, 'inputShape', 'H and W of at least 7 (the 11×11/4 first convolution with pad 2)', `[${c},${h},${w}]`);
    const numClasses = positiveInt(op, 'numClasses', options.numClasses ?? 1000);
    const width = options.width ?? 1;
    if (typeof width !== 'number' || !Number.isFinite(width) || width <= 0) throw argError(ValueError, op, 'width', 'a finite number > 0', String(width));
    const p = options.dropout ?? 0.5;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw argError(ValueError, op, 'dropout', 'a probability in [0, 1]', String(p));
    const dtype = floatDType(op, options.dtype);
    const rng = rngFrom(op, options);
    const init = options.init ?? he;
    const ch = (n: number) => Math.max(1, Math.round(n * width));
    const [c1, c2, c3, c4, c5, hidden] = [ch(64), ch(192), ch(384), ch(256), ch(256), ch(4096)];
    const conv = (i: number, o: number, k: number, stride: number, pad: number) => partOf(op, () => new Conv2d(i, o, k, { stride, pad, init, rng, dtype }));
    const linear = (i: number, o: number) => partOf(op, () => new Linear(i, o, { init, rng, dtype }));
    const withLrn = booleanOption(op, 'lrn', options.lrn, true);
    const lrn = () => (!withLrn ? [] : [new LocalResponseNorm({ size: 5, alpha: 1e-4, beta: 0.75, k: 2 })]);

    // spatial sizes through the feature extractor
    const s1 = positiveInt(op, 'conv1Stride', options.conv1Stride ?? (Math.min(h, w) < 64 ? 2 : 4));
    let [sh, sw] = [outSize(h, 11, s1, 2), outSize(w, 11, s1, 2)];
    const pool = () => {
      const pad: [number, number] = [poolPad(sh), poolPad(sw)];
      [sh, sw] = [outSize(sh, 3, 2, pad[0]), outSize(sw, 3, 2, pad[1])];
      return new MaxPool2d(3, { stride: 2, pad });
    };
    const layers: Module[] = [conv(c, c1, 11, s1, 2), new ReLU(), ...lrn(), pool()];
    layers.push(conv(c1, c2, 5, 1, 2), new ReLU(), ...lrn(), pool());
    layers.push(conv(c2, c3, 3, 1, 1), new ReLU(), conv(c3, c4, 3, 1, 1), new ReLU(), conv(c4, c5, 3, 1, 1), new ReLU(), pool());
    this.features = new Sequential(...layers);
    this.flatten = new Flatten();
    // each Dropout draws its masks from its own generator, seeded from the model's
    const drop = () => new Dropout(p, { rng: new Rng(rng.nextUint32()) });
    this.classifier = new Sequential(
      drop(),
      linear(c5 * sh * sw, hidden),
      new ReLU(),
      drop(),
      linear(hidden, hidden),
      new ReLU(),
      linear(hidden, numClasses),
    );
  }

  forward(x: Tensor): Tensor {
    checkModelInput(this.features.at(0), x, this.inputShape);
    return this.classifier.forward(this.flatten.forward(this.features.forward(x)));
  }
}
