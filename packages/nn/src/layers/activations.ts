import { type Tensor, relu, sigmoid, tanh } from '@tapegrad/core';
import { Module } from '../module/module.js';

/** max(x, 0) elementwise. @example new Sequential(new Linear(784, 100), new ReLU()) */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** 1 / (1 + e^−x) elementwise. @example new Sigmoid().forward(x) */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** tanh(x) elementwise. @example new Tanh().forward(x) */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}
