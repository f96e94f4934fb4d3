import { TapegradError } from '@tapegrad/core';
import type { Module } from './module.js';

/**
 * Re-raises errors from inside a model under the failing layer's dotted name, so
 * `model.forward(x)` reports `[conv1] x: expected …` or `[features.0 (conv2d)] w: expected …` instead of a
 * bare core message. Modules whose forward is running form a stack; the innermost one where a tapegrad
 * error surfaced is remembered, and when the error leaves the outermost module it is rewritten once,
 * naming the layer relative to that outermost module.
 */
const running: Module[] = [];
const origin = new WeakMap<TapegradError, Module>();

type Forward = (x: never) => unknown;

/** Runs `forward` as `module`'s forward with layer-naming of errors. */
export function runForward<F extends Forward>(module: Module, forward: F, x: Parameters<F>[0]): ReturnType<F> {
  running.push(module);
  try {
    return forward.call(module, x) as ReturnType<F>;
  } catch (e) {
    if (e instanceof TapegradError && !origin.has(e)) origin.set(e, module);
    if (running.length === 1 && e instanceof TapegradError) throw renamed(e, module);
    throw e;
  } finally {
    running.pop();
  }
}

/** The error with its op replaced by the failing layer's name; the original is kept as `cause`. */
function renamed(e: TapegradError, root: Module): TapegradError {
  const failing = origin.get(e) ?? root;
  const name = nameOf(failing, root);
  const ownCheck = e.op === failing.constructor.name;
  if (name === '' && ownCheck) return e; // a layer called on its own: its message already names it
  const label = name === '' ? failing.constructor.name : name;
  const rest = e.message.startsWith(`[${e.op}] `) ? e.message.slice(e.op.length + 3) : e.message;
  const Cls = e.constructor as new (op: string, message: string) => TapegradError;
  const out = new Cls(label, rest);
  if (!ownCheck) out.message = `[${label} (${e.op})] ${rest}`;
  Object.defineProperty(out, 'cause', { value: e, enumerable: false, configurable: true, writable: true });
  return out;
}

/** The dotted name of `target` inside `root` ('' for the root itself or a module not registered in it). */
function nameOf(target: Module, root: Module): string {
  if (target === root) return '';
  for (const [name, m] of root.namedModules()) if (m === target) return name;
  return '';
}

/**
 * Runs part of a model's constructor that builds its layers: a tapegrad error raised there (a weight too
 * large to allocate, a bad initializer) is re-raised naming the model, `[AlexNet (Conv2d)] parameters: …`,
 * as a model's forward names its failing layer.
 */
export function partOf<T>(model: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof TapegradError) || e.op === model) throw e;
    const rest = e.message.startsWith(`[${e.op}] `) ? e.message.slice(e.op.length + 3) : e.message;
    const Cls = e.constructor as new (op: string, message: string) => TapegradError;
    const out = new Cls(model, rest);
    out.message = `[${model} (${e.op})] ${rest}`;
    Object.defineProperty(out, 'cause', { value: e, enumerable: false, configurable: true, writable: true });
    throw out;
  }
}

/**
 * Throws `error` as if it came from inside `layer` (a model checking its input before running its first
 * layer uses this, so the message names that layer: `[conv1] x: expected …`).
 */
export function throwFromLayer(layer: Module, error: TapegradError): never {
  origin.set(error, layer);
  throw error;
}
