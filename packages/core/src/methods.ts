/**
 * Method forms of the ops (`x.add(y)`, `x.reshape([N, -1])`), attached to Tensor's prototype here so
 * tensor.ts does not import every op. Each method is the function of the same name with `this` first.
 */
import { Tensor } from './tensor.js';
import { add } from './ops/add.js';
import { mul } from './ops/mul.js';
import { sum } from './ops/sum.js';
import { reshape } from './ops/reshape.js';
import { broadcastTo } from './ops/broadcast-to.js';
import { im2col } from './ops/im2col.js';
import { col2im } from './ops/col2im.js';
import { maxPool2d } from './ops/max-pool2d.js';
import { type AvgPoolOptions, avgPool2d } from './ops/avg-pool2d.js';
import { type Conv2dOptions, conv2d } from './ops/conv2d.js';
import { type Labels, softmaxCrossEntropy } from './ops/softmax-cross-entropy.js';
import type { PoolOptions, WindowOptions } from './ops/window-geometry.js';

declare module './tensor.js' {
  interface Tensor {
    add(other: Tensor | number): Tensor;
    mul(other: Tensor | number): Tensor;
    sum(axis?: number | readonly number[], keepdims?: boolean): Tensor;
    reshape(shape: readonly number[]): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    im2col(options: WindowOptions): Tensor;
    col2im(xShape: readonly number[], options: WindowOptions): Tensor;
    maxPool2d(options: PoolOptions): Tensor;
    avgPool2d(options: AvgPoolOptions): Tensor;
    conv2d(w: Tensor, b?: Tensor | null, options?: Conv2dOptions): Tensor;
    softmaxCrossEntropy(labels: Labels): Tensor;
  }
}

const methods: Partial<Record<keyof Tensor, (this: Tensor, ...args: never[]) => unknown>> = {
  add(this: Tensor, other: Tensor | number) {
    return add(this, other);
  },
  mul(this: Tensor, other: Tensor | number) {
    return mul(this, other);
  },
  sum(this: Tensor, axis?: number | readonly number[], keepdims?: boolean) {
    return sum(this, axis, keepdims);
  },
  reshape(this: Tensor, shape: readonly number[]) {
    return reshape(this, shape);
  },
  broadcastTo(this: Tensor, shape: readonly number[]) {
    return broadcastTo(this, shape);
  },
  im2col(this: Tensor, options: WindowOptions) {
    return im2col(this, options);
  },
  col2im(this: Tensor, xShape: readonly number[], options: WindowOptions) {
    return col2im(this, xShape, options);
  },
  maxPool2d(this: Tensor, options: PoolOptions) {
    return maxPool2d(this, options);
  },
  avgPool2d(this: Tensor, options: AvgPoolOptions) {
    return avgPool2d(this, options);
  },
  conv2d(this: Tensor, w: Tensor, b?: Tensor | null, options?: Conv2dOptions) {
    return conv2d(this, w, b, options);
  },
  softmaxCrossEntropy(this: Tensor, labels: Labels) {
    return softmaxCrossEntropy(this, labels);
  },
};
Object.assign(Tensor.prototype, methods);
