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
import { sub } from './ops/sub.js';
import { div } from './ops/div.js';
import { neg } from './ops/neg.js';
import { exp } from './ops/exp.js';
import { log } from './ops/log.js';
import { sqrt } from './ops/sqrt.js';
import { pow } from './ops/pow.js';
import { tanh } from './ops/tanh.js';
import { sigmoid } from './ops/sigmoid.js';
import { relu } from './ops/relu.js';
import { cast } from './ops/cast.js';
import { matmul } from './ops/matmul.js';
import { permute } from './ops/permute.js';
import { transpose } from './ops/transpose.js';
import { max } from './ops/max.js';
import { argmax } from './ops/argmax.js';
import { mean } from './ops/mean.js';
import { softmax } from './ops/softmax.js';
import { logSoftmax } from './ops/log-softmax.js';
import { flatten } from './ops/flatten.js';
import { maximum } from './ops/maximum.js';
import { minimum } from './ops/minimum.js';
import { im2col } from './ops/im2col.js';
import { col2im } from './ops/col2im.js';
import { maxPool2d } from './ops/max-pool2d.js';
import { type AvgPoolOptions, avgPool2d } from './ops/avg-pool2d.js';
import { type Conv2dOptions, conv2d } from './ops/conv2d.js';
import { type Labels, softmaxCrossEntropy } from './ops/softmax-cross-entropy.js';
import type { PoolOptions, WindowOptions } from './ops/window-geometry.js';
import type { DType } from './dtype.js';

declare module './tensor.js' {
  interface Tensor {
    add(other: Tensor | number): Tensor;
    mul(other: Tensor | number): Tensor;
    sum(axis?: number | readonly number[], keepdims?: boolean): Tensor;
    reshape(shape: readonly number[]): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    sub(other: Tensor | number): Tensor;
    div(other: Tensor | number): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    pow(exponent: Tensor | number): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    /** Explicit dtype conversion (`cast`). */
    to(dtype: DType): Tensor;
    matmul(other: Tensor): Tensor;
    permute(axes: readonly number[]): Tensor;
    transpose(axes?: readonly number[]): Tensor;
    max(axis?: number | readonly number[], keepdims?: boolean): Tensor;
    argmax(axis?: number, keepdims?: boolean): Tensor;
    mean(axis?: number | readonly number[], keepdims?: boolean): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    flatten(): Tensor;
    maximum(other: Tensor | number): Tensor;
    minimum(other: Tensor | number): Tensor;
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
  sub(this: Tensor, other: Tensor | number) {
    return sub(this, other);
  },
  div(this: Tensor, other: Tensor | number) {
    return div(this, other);
  },
  neg(this: Tensor) {
    return neg(this);
  },
  exp(this: Tensor) {
    return exp(this);
  },
  log(this: Tensor) {
    return log(this);
  },
  sqrt(this: Tensor) {
    return sqrt(this);
  },
  pow(this: Tensor, exponent: Tensor | number) {
    return pow(this, exponent);
  },
  tanh(this: Tensor) {
    return tanh(this);
  },
  sigmoid(this: Tensor) {
    return sigmoid(this);
  },
  relu(this: Tensor) {
    return relu(this);
  },
  to(this: Tensor, dtype: DType) {
    return cast(this, dtype);
  },
  matmul(this: Tensor, other: Tensor) {
    return matmul(this, other);
  },
  permute(this: Tensor, axes: readonly number[]) {
    return permute(this, axes);
  },
  transpose(this: Tensor, axes?: readonly number[]) {
    return transpose(this, axes);
  },
  max(this: Tensor, axis?: number | readonly number[], keepdims?: boolean) {
    return max(this, axis, keepdims);
  },
  argmax(this: Tensor, axis?: number, keepdims?: boolean) {
    return argmax(this, axis, keepdims);
  },
  mean(this: Tensor, axis?: number | readonly number[], keepdims?: boolean) {
    return mean(this, axis, keepdims);
  },
  softmax(this: Tensor, axis?: number) {
    return softmax(this, axis);
  },
  logSoftmax(this: Tensor, axis?: number) {
    return logSoftmax(this, axis);
  },
  flatten(this: Tensor) {
    return flatten(this);
  },
  maximum(this: Tensor, other: Tensor | number) {
    return maximum(this, other);
  },
  minimum(this: Tensor, other: Tensor | number) {
    return minimum(this, other);
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
