import { type Tensor, intermediates, isGradEnabled, markIntermediate } from '@tapegrad/core';
import type { Module } from '../module/module.js';
import { ReLU, Sigmoid, Tanh } from './activations.js';
import { Conv2d } from './conv2d.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import { Linear } from './linear.js';
import { LocalResponseNorm } from './local-response-norm.js';
import { AvgPool2d, MaxPool2d } from './pooling.js';

/** Layer classes whose forward keeps no reference to its input or its output (they only call ops). */
const KEEP_NOTHING: ReadonlySet<unknown> = new Set([Conv2d, Linear, ReLU, Sigmoid, Tanh, MaxPool2d, AvgPool2d, Flatten, Dropout, LocalResponseNorm]);

/**
 * A built-in model's (or a Sequential's) forward passes each activation from one layer to the next and keeps none, so it
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

/**
 * `layer.forward(input)` for a layer in the middle of a built-in model's forward, when `mark`: if the
 * layer will be recorded, inside core's `intermediates` (its arrays marked from allocation and placed
 * in the backend's memory, released by backward); under noGrad, its output marked and its input reused
 * as soon as the layer has run.
 */
export function runMiddle(mark: boolean, layer: Module, input: Tensor): Tensor {
  if (!mark) return layer.forward(input);
  const recorded = isGradEnabled() && (input.requiresGrad || layer.parameters().some((p) => p.requiresGrad));
  if (recorded) return intermediates(() => layer.forward(input));
  // Not recorded: the output is marked. Under noGrad (evaluation) the input — the previous layer's
  // marked output, which only this layer reads — is also reused at once (an unmarked input is left alone).
  const out = isGradEnabled() ? layer.forward(input) : intermediates(() => layer.forward(input), input);
  return passOn(true, input, out);
}
