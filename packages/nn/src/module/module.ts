import { Tensor, ValueError, argError, formatShape } from '@tapegrad/core';
import { runForward } from './layer-errors.js';
import { booleanOption } from '../layers/checks.js';

/** A model's parameters by dotted name, as copies: what checkpoints store. */
export type StateDict = Record<string, Tensor>;

export interface LoadStateDictOptions {
  /** Missing and unexpected keys are errors (default true). Mis-shaped or mis-typed entries always are. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  /** Keys of the model absent from the state dict (only possible with strict: false). */
  missing: string[];
  /** Keys of the state dict the model does not have (only possible with strict: false). */
  unexpected: string[];
}

/**
 * The base of every layer and model. As in PyTorch, parameters and sub-modules are discovered from the
 * module's own properties, in the order they were defined: a property holding a Tensor is a parameter, a
 * property holding a Module is a child, and names are dotted paths (`conv1.weight`, `features.0.bias`).
 *
 * `forward` is wrapped once per instance so that a tapegrad error raised anywhere inside a model is
 * re-raised naming the layer it came from (`[conv1] x: expected …`).
 * @example
 * class Net extends Module {
 *   fc = new Linear(784, 10);
 *   forward(x: Tensor) { return this.fc.forward(x); }
 * }
 * new Net().namedParameters().map(([n]) => n); // ['fc.weight', 'fc.bias']
 */
export abstract class Module {
  /** True in training mode (the default), false after `eval()`; Dropout reads it. */
  training = true;

  constructor() {
    // `this.forward` is already the subclass's method here (the prototype chain is set before constructors run).
    const forward = (this as unknown as { forward: (x: Tensor) => Tensor }).forward;
    Object.defineProperty(this, 'forward', {
      value: (x: Tensor): Tensor => runForward(this, forward, x),
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }

  /** Computes the output; ops on tensors that require grad are recorded on the tape. */
  abstract forward(x: Tensor): Tensor;

  /** The direct sub-modules by attribute name (Sequential overrides this with `0`, `1`, …). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) if (value instanceof Module) out.push([key, value]);
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module ('' ) and every sub-module below it, depth first, with dotted names. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    const seen = new Set<Module>([this]);
    const stack: [string, Module][] = [];
    const push = (p: string, m: Module) => {
      const kids = m.namedChildren();
      for (let i = kids.length - 1; i >= 0; i--) stack.push([p === '' ? kids[i]![0] : `${p}.${kids[i]![0]}`, kids[i]![1]]);
    };
    push(prefix, this);
    while (stack.length > 0) {
      const [name, m] = stack.pop()!;
      if (seen.has(m)) continue;
      seen.add(m);
      out.push([name, m]);
      push(name, m);
    }
    return out;
  }

  /** The parameters this module holds directly (its Tensor-valued properties). */
  namedOwnParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) if (value instanceof Tensor) out.push([key, value]);
    return out;
  }

  /**
   * Every parameter with its dotted name, own parameters before those of children (PyTorch's order).
   * A tensor shared by two layers is listed once, under its first name.
   */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m.namedOwnParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix === '' ? name : `${prefix}.${name}`, p]);
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** The number of scalar parameters. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode on this module and every sub-module. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: Dropout passes its input through. */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of all parameters. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Copies of the parameters by dotted name (detached; changing them does not change the model). */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, p] of this.namedParameters()) out[name] = p.clone();
    return out;
  }

  /**
   * Copies values into the parameters in place (the tensors keep their identity, so an optimizer holding
   * them still works). Every problem — missing keys, unexpected keys, entries of the wrong shape or dtype —
   * is collected into one ValueError that lists them all; nothing is copied unless all entries fit.
   * @example model.loadStateDict((await loadCheckpoint('ckpt.safetensors')).modelState);
   */
  loadStateDict(stateDict: StateDict, options: LoadStateDictOptions = {}): LoadStateDictResult {
    if (typeof options !== 'object' || options === null) throw argError(ValueError, 'loadStateDict', 'options', 'an object { strict? }', String(options));
    const strict = booleanOption('loadStateDict', 'options.strict', options.strict, true);
    if (typeof stateDict !== 'object' || stateDict === null) {
      throw argError(ValueError, 'loadStateDict', 'stateDict', 'an object of tensors by name', String(stateDict));
    }
    const params = new Map(this.namedParameters());
    const missing = [...params.keys()].filter((k) => !Object.hasOwn(stateDict, k));
    const unexpected = Object.keys(stateDict).filter((k) => !params.has(k));
    const mismatched: string[] = [];
    for (const [name, p] of params) {
      if (!Object.hasOwn(stateDict, name)) continue;
      const src: unknown = stateDict[name];
      if (!(src instanceof Tensor)) {
        mismatched.push(`${name} (expected a Tensor, got ${src === null ? 'null' : typeof src})`);
      } else if (src.dtype !== p.dtype || src.shape.length !== p.shape.length || src.shape.some((d, i) => d !== p.shape[i])) {
        mismatched.push(`${name} (expected ${formatShape(p.shape)} ${p.dtype}, got ${formatShape(src.shape)} ${src.dtype})`);
      }
    }
    const problems: string[] = [];
    if (strict && missing.length > 0) problems.push(`${missing.length} missing: ${missing.join(', ')}`);
    if (strict && unexpected.length > 0) problems.push(`${unexpected.length} unexpected: ${unexpected.join(', ')}`);
    if (mismatched.length > 0) problems.push(`${mismatched.length} mismatched: ${mismatched.join(', ')}`);
    if (problems.length > 0) {
      throw argError(ValueError, 'loadStateDict', 'stateDict', `the model's ${params.size} parameter(s) by name, shape and dtype`, problems.join('; '));
    }
    for (const [name, p] of params) {
      const src = stateDict[name];
      if (src) p.data.set(src.data);
    }
    return { missing, unexpected };
  }
}
