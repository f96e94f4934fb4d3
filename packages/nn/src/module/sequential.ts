import { Tensor, ValueError, argError } from '@tapegrad/core';
import { layersKeepNothing, runMiddle } from '../layers/intermediates.js';
import { Module } from './module.js';

/**
 * Runs its layers one after the other. Children are named by position, as in PyTorch:
 * `features.0.weight`, `features.3.bias`.
 * @example const mlp = new Sequential(new Linear(784, 100), new ReLU(), new Linear(100, 10));
 */
export class Sequential extends Module {
  private readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((layer, i) => {
      if (!(layer instanceof Module)) throw argError(ValueError, 'Sequential', `layers[${i}]`, 'a Module', layer === null ? 'null' : typeof layer);
    });
    this.layers = Object.freeze([...layers]);
  }

  get length(): number {
    return this.layers.length;
  }

  /** The layer at `index`. */
  at(index: number): Module {
    const layer = this.layers[index];
    if (layer === undefined) throw argError(ValueError, 'Sequential.at', 'index', `an index in [0, ${this.layers.length - 1}]`, String(index));
    return layer;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.layers[Symbol.iterator]();
  }

  override namedChildren(): [string, Module][] {
    return this.layers.map((layer, i) => [String(i), layer]);
  }

  forward(x: Tensor): Tensor {
    // checked here too: an empty Sequential would hand back whatever it was given
    if (!(x instanceof Tensor)) throw argError(ValueError, 'Sequential', 'x', 'a Tensor', x === null ? 'null' : typeof x);
    // Between its layers an activation goes from one to the next and nowhere else: while every layer is
    // a built-in one that keeps nothing, those are marked intermediates (layers/intermediates.ts). The
    // last layer's output is the caller's, and so is x.
    const mark = layersKeepNothing(this.layers);
    const last = this.layers.length - 1;
    let y = x;
    this.layers.forEach((layer, i) => {
      y = i < last ? runMiddle(mark, layer, y) : layer.forward(y);
    });
    return y;
  }
}
