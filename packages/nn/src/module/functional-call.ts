import { Tensor, ValueError, argError, formatShape } from '@tapegrad/core';
import { Module } from './module.js';

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
  if (!(module instanceof Module)) throw argError(ValueError, 'functionalCall', 'module', 'a Module', module === null ? 'null' : typeof module);
  if (typeof parameters !== 'object' || parameters === null) {
    throw argError(ValueError, 'functionalCall', 'parameters', 'an array of tensors or an object of tensors by name', parameters === null ? 'null' : typeof parameters);
  }
  const named = module.namedParameters();
  if (Array.isArray(parameters) && parameters.length !== named.length) {
    throw argError(ValueError, 'functionalCall', 'parameters', `${named.length} tensors (one per parameter)`, `${parameters.length}`);
  }
  if (!Array.isArray(parameters)) {
    // a misspelt name would otherwise be ignored silently, the module's own tensor used in its place
    const known = new Set(named.map(([name]) => name));
    const unknown = Object.keys(parameters).filter((k) => !known.has(k));
    if (unknown.length > 0) throw argError(ValueError, 'functionalCall', 'parameters', "names among the module's parameters", unknown.join(', '));
  }
  // original tensor → its stand-in (a tensor shared by two layers is one parameter, replaced everywhere)
  const standIn = new Map<Tensor, Tensor>();
  named.forEach(([name, original], i) => {
    const t: unknown = Array.isArray(parameters) ? parameters[i] : (parameters as Record<string, Tensor>)[name];
    if (t === undefined) return;
    if (!(t instanceof Tensor) || t.dtype !== original.dtype || t.shape.length !== original.shape.length || t.shape.some((d, k) => d !== original.shape[k])) {
      const got = t instanceof Tensor ? `${formatShape(t.shape)} ${t.dtype}` : t === null ? 'null' : typeof t;
      throw argError(ValueError, 'functionalCall', `parameters["${name}"]`, `a ${original.dtype} tensor of shape ${formatShape(original.shape)}`, got);
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
