import type { Tensor } from '@tapegrad/core';
import { Conv2d, SimpleConvNet, type Module } from '@tapegrad/nn';

/** A model by name and constructor options: stored in checkpoints so `predict` can rebuild it. */
export type ModelSpec = { name: 'SimpleConvNet'; options: NonNullable<ConstructorParameters<typeof SimpleConvNet>[0]> };

/** Builds the model a spec describes. */
export function buildModel(spec: ModelSpec): Module {
  switch (spec.name) {
    case 'SimpleConvNet':
      return new SimpleConvNet(spec.options);
    default:
      throw new Error(`unknown model ${JSON.stringify((spec as { name: unknown }).name)}`);
  }
}

/** The weight of the model's first convolution (FN,C,FH,FW), the one whose filters are pictured. */
export function firstConvWeight(model: Module): Tensor | undefined {
  for (const [, m] of model.namedModules()) if (m instanceof Conv2d) return m.weight;
  return undefined;
}
