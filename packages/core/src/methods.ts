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

declare module './tensor.js' {
  interface Tensor {
    add(other: Tensor | number): Tensor;
    mul(other: Tensor | number): Tensor;
    sum(axis?: number | readonly number[], keepdims?: boolean): Tensor;
    reshape(shape: readonly number[]): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
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
};
Object.assign(Tensor.prototype, methods);
