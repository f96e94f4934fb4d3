import { type Tensor, markIntermediate } from '@tapegrad/core';
import type { Module } from '../module/module.js';
import { ReLU, Sigmoid, Tanh } from '../layers/activations.js';
import { Conv2d } from '../layers/conv2d.js';
import { Flatten } from '../layers/flatten.js';
import { Linear } from '../layers/linear.js';
import { AvgPool2d, MaxPool2d } from '../layers/pooling.js';

/** Layer classes whose forward keeps no reference to its input or its output (they only call ops). */
const KEEP_NOTHING: ReadonlySet<unknown> = new Set([Conv2d, Linear, ReLU, Sigmoid, Tanh, MaxPool2d, AvgPool2d, Flatten]);

/**
 * A built-in model's forward passes each activation from one layer to the next and keeps none, so it
 * may mark them intermediates (core's markIntermediate: their arrays are reused once backward is
 * done with them, not left to the garbage collector). Only while every layer is one of the classes
 * above, exactly: a layer replaced by user code might keep what it is given.
 */
export function layersKeepNothing(layers: readonly Module[]): boolean {
  return layers.every((layer) => KEEP_NOTHING.has(layer.constructor));
}

/**
 * `out` (a layer's result computed from `input`) marked an intermediate when `mark`, unless it shares
 * `input`'s array (a view, such as Flatten's, of an array its caller may hold).
 */
export function passOn(mark: boolean, input: Tensor, out: Tensor): Tensor {
  return mark && out.data !== input.data ? markIntermediate(out) : out;
}
