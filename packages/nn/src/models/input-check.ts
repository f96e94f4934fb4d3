import { ShapeError, Tensor, ValueError, argError, formatShape } from '@tapegrad/core';
import type { Module } from '../module/module.js';
import { throwFromLayer } from '../module/layer-errors.js';
import { shown } from '../layers/checks.js';

/**
 * Checks a model's input against its configured (C,H,W) before anything runs, and reports a mismatch as
 * an error of the first layer, which the model re-raises as `[conv1] x: expected 4-D (N,1,28,28), got …`.
 */
export function checkModelInput(first: Module, x: unknown, chw: readonly number[]): asserts x is Tensor {
  const layer = first.constructor.name;
  if (!(x instanceof Tensor)) throwFromLayer(first, argError(ValueError, layer, 'x', 'a Tensor', x === null ? 'null' : typeof x));
  if (x.ndim !== 4 || x.shape[1] !== chw[0] || x.shape[2] !== chw[1] || x.shape[3] !== chw[2]) {
    throwFromLayer(first, argError(ShapeError, layer, 'x', `4-D (N,${chw.join(',')})`, `shape ${formatShape(x.shape)}`));
  }
}

/** Checks a (C,H,W) input shape option. */
export function checkInputShape(model: string, arg: string, v: unknown): [number, number, number] {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((d) => Number.isInteger(d) && d >= 1)) {
    throw argError(ValueError, model, arg, 'a [C, H, W] list of positive integers', shown(v));
  }
  return v as [number, number, number];
}
