import { Tensor, ValueError, argError, formatShape } from '@tapegrad/core';
import type { Module } from './module.js';

/**
 * Runs `module.forward(x)` with its parameters temporarily replaced by `parameters` (by dotted name, or
 * in `namedParameters()` order), then puts the originals back — like torch.func.functional_call. This
 * turns a model into a function of its parameters, e.g. to gradient-check a whole network:
 * @example
 * const net = new SimpleConvNet({ dtype: 'float64', seed: 0, ... });
 * gradCheck((x, ...ps) => crossEntropyLoss(functionalCall(net, ps, x), t), [x, ...net.parameters()]);
 */
export function functionalCall(module: Module, parameters: readonly Tensor[] | Record<string, Tensor>, x: Tensor): Tensor {
  const slots: { owner: Record<string, unknown>; key: string; name: string; original: Tensor }[] = [];
  const seen = new Set<Tensor>();
  for (const [prefix, m] of module.namedModules()) {
    for (const [key, p] of m.namedOwnParameters()) {
      if (seen.has(p)) continue; // a shared tensor is one parameter
      seen.add(p);
      slots.push({ owner: m as unknown as Record<string, unknown>, key, name: prefix === '' ? key : `${prefix}.${key}`, original: p });
    }
  }
  const replacement = (i: number, name: string): Tensor | undefined => (Array.isArray(parameters) ? parameters[i] : (parameters as Record<string, Tensor>)[name]);
  if (Array.isArray(parameters) && parameters.length !== slots.length) {
    throw argError(ValueError, 'functionalCall', 'parameters', `${slots.length} tensors (one per parameter)`, `${parameters.length}`);
  }
  slots.forEach(({ name, original }, i) => {
    const t = replacement(i, name);
    if (t === undefined) return; // a missing name keeps the module's own tensor
    if (!(t instanceof Tensor) || t.shape.length !== original.shape.length || t.shape.some((d, k) => d !== original.shape[k])) {
      throw argError(ValueError, 'functionalCall', `parameters["${name}"]`, `a tensor of shape ${formatShape(original.shape)}`, t instanceof Tensor ? formatShape(t.shape) : typeof t);
    }
  });
  // keys of every slot, including shared tensors appearing under a second name
  const all: { owner: Record<string, unknown>; key: string; original: Tensor }[] = [];
  for (const [, m] of module.namedModules()) for (const [key, p] of m.namedOwnParameters()) all.push({ owner: m as unknown as Record<string, unknown>, key, original: p });
  const byOriginal = new Map(slots.map((s, i) => [s.original, replacement(i, s.name) ?? s.original]));
  try {
    for (const s of all) s.owner[s.key] = byOriginal.get(s.original);
    return module.forward(x);
  } finally {
    for (const s of all) s.owner[s.key] = s.original;
  }
}
