import { Tensor, ValueError, argError } from '@tapegrad/core';
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
    let y = x;
    for (const layer of this.layers) y = layer.forward(y);
    return y;
  }
}
