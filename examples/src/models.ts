import type { Tensor } from '@tapegrad/core';
import { AlexNet, Conv2d, LeNet5, SimpleConvNet, type AlexNetOptions, type LeNet5Options, type Module, type SimpleConvNetOptions } from '@tapegrad/nn';

/** A model by name and constructor options: stored in checkpoints so `predict` can rebuild it. */
export type ModelSpec =
  | { name: 'SimpleConvNet'; options: SimpleConvNetOptions }
  | { name: 'LeNet5'; options: LeNet5Options }
  | { name: 'AlexNet'; options: AlexNetOptions };

/** Builds the model a spec describes. */
export function buildModel(spec: ModelSpec): Module {
  switch (spec.name) {
    case 'SimpleConvNet':
      return new SimpleConvNet(spec.options);
    case 'LeNet5':
      return new LeNet5(spec.options);
    case 'AlexNet':
      return new AlexNet(spec.options);
    default:
      throw new Error(`unknown model ${JSON.stringify((spec as { name: unknown }).name)}`);
  }
}

/** The weight of the model's first convolution (FN,C,FH,FW), the one whose filters are pictured. */
export function firstConvWeight(model: Module): Tensor | undefined {
  for (const [, m] of model.namedModules()) if (m instanceof Conv2d) return m.weight;
  return undefined;
}
