import { type FloatArray, DTypeError, ShapeError, Tensor, ValueError, argError, formatShape, getBackend, zerosLike } from '@tapegrad/core';
import { shown } from '../layers/checks.js';

/** An optimizer's saved state: per-parameter buffers (`exp_avg.0`, …) and scalars (hyperparameters, step counts). */
export interface OptimizerState {
  tensors: Record<string, Tensor>;
  scalars: Record<string, number | string>;
}

/** Checks a hyperparameter: a finite number accepted by `ok`. */
export function hyper(op: string, arg: string, v: unknown, ok: (v: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw argError(ValueError, op, arg, what, String(v));
  return v;
}

export const nonNegative = (v: number) => v >= 0;
/** For eps: 0 would make a zero gradient's update 0/0 = NaN. */
export const positive = (v: number) => v > 0;
export const unitInterval = (v: number) => v >= 0 && v < 1;

/**
 * The shared part of every optimizer: the parameter list, `step()` over the parameters that have a
 * gradient (the others are skipped, their state untouched), `zeroGrad()`, and state that can be saved
 * and restored exactly. Updates write into `param.data` in place, so the tensors a model holds keep
 * their identity. Subclasses implement `update` for one parameter (values computed in float64, stored in
 * the parameter's dtype).
 */
export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** Learning rate; may be changed between steps (schedules). */
  lr: number;
  /** Per-parameter step counts (how many updates each parameter has had). */
  protected readonly steps: number[];
  /** Per-parameter buffers by name, each a tensor shaped like its parameter. */
  protected readonly buffers: Record<string, Tensor[]> = {};
  private readonly type: string;

  constructor(type: string, params: Iterable<Tensor>, lr: number) {
    this.type = type;
    if (params === null || typeof (params as Iterable<Tensor>)?.[Symbol.iterator] !== 'function') {
      throw argError(ValueError, type, 'params', 'an iterable of parameter tensors (e.g. model.parameters())', String(params));
    }
    const list = [...params];
    if (list.length === 0) throw argError(ValueError, type, 'params', 'at least one parameter', 'an empty list');
    const seen = new Set<Tensor>();
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw argError(ValueError, type, `params[${i}]`, 'a Tensor', p === null ? 'null' : typeof p);
      if (p.dtype === 'int32') throw argError(DTypeError, type, `params[${i}]`, 'a float32 or float64 tensor', 'dtype int32');
      if (seen.has(p)) throw argError(ValueError, type, `params[${i}]`, 'each parameter once', 'a tensor already listed');
      seen.add(p);
    });
    this.params = Object.freeze(list);
    this.lr = hyper(type, 'lr', lr, nonNegative, 'a finite number ≥ 0');
    this.steps = list.map(() => 0);
  }

  /**
   * Declares a per-parameter buffer, zero-initialized like each parameter. With `kernelState`, its
   * arrays come from the backend (Backend.stateArray), which may keep them where its kernels update
   * them without copies (the wasm backend's memory, for Adam's moments).
   */
  protected addBuffer(name: string, kernelState = false): Tensor[] {
    const backend = getBackend();
    const tensors = this.params.map((p) =>
      kernelState ? new Tensor(backend.stateArray(p.dtype as 'float32' | 'float64', p.size), p.shape, p.dtype) : zerosLike(p),
    );
    this.buffers[name] = tensors;
    return tensors;
  }

  /** Updates parameter `i` in place given its gradient; `step` counts from 1. */
  protected abstract update(i: number, p: FloatArray, g: FloatArray, step: number): void;

  /** The hyperparameters saved with the state (lr is added by the base). */
  protected abstract hyperparameters(): Record<string, number>;

  /** Restores the hyperparameters from saved scalars: checks every value, then assigns them all. */
  protected abstract setHyperparameters(values: Record<string, number>): void;

  /**
   * Applies one update to every parameter that has a gradient. All gradients are checked before any
   * parameter moves, so a refused step changes nothing.
   */
  step(): void {
    this.params.forEach((p, i) => {
      const g = p.grad;
      if (g === null || g === undefined) return;
      if (!(g instanceof Tensor) || g.dtype !== p.dtype || g.shape.length !== p.shape.length || g.shape.some((d, k) => d !== p.shape[k])) {
        const got = g instanceof Tensor ? `${formatShape(g.shape)} ${g.dtype}` : typeof g;
        throw argError(ShapeError, `${this.type}.step`, `params[${i}].grad`, `${formatShape(p.shape)} ${p.dtype} like the parameter`, got);
      }
    });
    this.params.forEach((p, i) => {
      const g = p.grad;
      if (g === null || g === undefined) return;
      this.steps[i]! += 1;
      this.update(i, p.data as FloatArray, g.data as FloatArray, this.steps[i]!);
    });
  }

  /** Sets every parameter's gradient to null (so the next backward starts from zero). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Copies of the buffers (`<buffer>.<param index>`) and the scalars: type, hyperparameters, `step.<i>`. */
  stateDict(): OptimizerState {
    const tensors: Record<string, Tensor> = {};
    for (const [name, list] of Object.entries(this.buffers)) list.forEach((t, i) => (tensors[`${name}.${i}`] = t.clone()));
    const scalars: Record<string, number | string> = { type: this.type, lr: this.lr, ...this.hyperparameters() };
    this.steps.forEach((s, i) => (scalars[`step.${i}`] = s));
    return { tensors, scalars };
  }

  /**
   * Restores a saved state (hyperparameters, step counts, buffers) in place. Every mismatch — another
   * optimizer type, missing or unexpected entries, a buffer of the wrong shape or dtype — is collected
   * into one ValueError; nothing changes unless everything fits.
   */
  loadStateDict(state: OptimizerState): void {
    const op = `${this.type}.loadStateDict`;
    if (typeof state !== 'object' || state === null || typeof state.tensors !== 'object' || typeof state.scalars !== 'object' || !state.tensors || !state.scalars) {
      throw argError(ValueError, op, 'state', 'an object { tensors, scalars }', String(state));
    }
    const problems: string[] = [];
    if (state.scalars.type !== this.type) problems.push(`type ${shown(state.scalars.type)} (expected ${shown(this.type)})`);
    const expectedScalars = Object.keys(this.stateDict().scalars).filter((k) => k !== 'type');
    for (const k of expectedScalars) {
      const v = state.scalars[k];
      const ok = typeof v === 'number' && Number.isFinite(v) && (!k.startsWith('step.') || (Number.isInteger(v) && v >= 0));
      if (!ok) problems.push(`scalar ${k}: ${v === undefined ? 'missing' : `bad value ${shown(v)}`}`);
    }
    for (const k of Object.keys(state.scalars)) if (k !== 'type' && !expectedScalars.includes(k)) problems.push(`unexpected scalar ${k}`);
    const expectedTensors = new Map<string, Tensor>();
    for (const [name, list] of Object.entries(this.buffers)) list.forEach((t, i) => expectedTensors.set(`${name}.${i}`, t));
    for (const [k, t] of expectedTensors) {
      const src: unknown = state.tensors[k];
      if (src === undefined) problems.push(`missing tensor ${k}`);
      else if (!(src instanceof Tensor)) problems.push(`tensor ${k}: not a Tensor`);
      else if (src.dtype !== t.dtype || src.shape.length !== t.shape.length || src.shape.some((d, i) => d !== t.shape[i])) {
        problems.push(`tensor ${k}: expected ${formatShape(t.shape)} ${t.dtype}, got ${formatShape(src.shape)} ${src.dtype}`);
      }
    }
    for (const k of Object.keys(state.tensors)) if (!expectedTensors.has(k)) problems.push(`unexpected tensor ${k}`);
    if (problems.length > 0) {
      throw argError(ValueError, op, 'state', `the state of this ${this.type} over ${this.params.length} parameter(s)`, problems.join('; '));
    }
    const scalars = state.scalars as Record<string, number>;
    const hyperValues: Record<string, number> = {};
    for (const k of Object.keys(this.hyperparameters())) hyperValues[k] = scalars[k]!;
    const lr = hyper(op, 'lr', scalars.lr, nonNegative, 'a finite number ≥ 0');
    this.setHyperparameters(hyperValues); // validates every value before assigning any
    this.lr = lr;
    this.steps.forEach((_, i) => (this.steps[i] = scalars[`step.${i}`]!));
    for (const [k, t] of expectedTensors) t.data.set(state.tensors[k]!.data as never);
  }
}
