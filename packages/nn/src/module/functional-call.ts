import { Tensor, ValueError, argError, formatShape } from '@tapegrad/core';
import type { Module } from './module.js';

/**
 * Runs `module.forward(x)` with its parameters temporarily replaced by `parameters` (by dotted name, or
 * in `namedParameters()` order; a name left out keeps the module's own tensor), then puts the originals
 * back — like torch.func.functional_call. This turns a model into a function of its parameters, e.g. to
 * gradient-check a whole network.
 * @example
 * const net = new SimpleConvNet({ dtype: 'float64', seed: 0 });
 * gradCheck((x, ...ps) => crossEntropyLoss(functionalCall(net, ps, x), t), [x, ...net.parameters()]);
 */
export function functionalCall(module: Module, parameters: readonly Tensor[] | Record<string, Tensor>, x: Tensor): Tensor {
  const named = module.namedParameters();
  if (Array.isArray(parameters) && parameters.length !== named.length) {
    throw argError(ValueError, 'functionalCall', 'parameters', `${named.length} tensors (one per parameter)`, `${parameters.length}`);
  }
  // original tensor → its stand-in (a tensor shared by two layers is one parameter, replaced everywhere)
  const standIn = new Map<Tensor, Tensor>();
  named.forEach(([name, original], i) => {
    const t: unknown = Array.isArray(parameters) ? parameters[i] : (parameters as Record<string, Tensor>)[name];
    if (t === undefined) return;
    if (!(t instanceof Tensor) || t.shape.length !== original.shape.length || t.shape.some((d, k) => d !== original.shape[k])) {
      throw argError(ValueError, 'functionalCall', `parameters["${name}"]`, `a tensor of shape ${formatShape(original.shape)}`, t instanceof Tensor ? formatShape(t.shape) : typeof t);
    }
    standIn.set(original, t);
  });
  const slots: { owner: Record<string, unknown>; key: string; original: Tensor }[] = [];
  for (const [, m] of module.namedModules()) {
    for (const [key, p] of m.namedOwnParameters()) slots.push({ owner: m as unknown as Record<string, unknown>, key, original: p });
  }
  try {
    for (const s of slots) s.owner[s.key] = standIn.get(s.original) ?? s.original;
    return module.forward(x);
  } finally {
    for (const s of slots) s.owner[s.key] = s.original;
  }
}
