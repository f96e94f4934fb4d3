import type { Tensor, TapegradError } from '@tapegrad/core';

/**
 * The OpInfo-like table: one row per registered primitive (and per public composite worth checking).
 * Generic specs loop over the rows: forward vs the naive reference (float64 and float32, on every
 * backend), gradCheck in float64, and the error cases by class and message.
 */

/** A plain float64 array with a shape: what naive references consume and produce. */
export interface RefArray {
  readonly data: Float64Array;
  readonly shape: readonly number[];
}

/** Where an input's random values are drawn from (e.g. log needs positive inputs). */
export type Domain = 'any' | 'positive' | 'nonzero' | 'unit' | 'distinct';

export interface InputSpec {
  readonly shape: readonly number[];
  /** Default 'any' = uniform in [-2, 2]; 'positive' = [0.5, 3]; 'nonzero' = ±[0.5, 2]; 'unit' = [0, 1];
   * 'distinct' = a shuffled spread with no ties (for max/argmax/pooling gradients). */
  readonly domain?: Domain;
  /** Explicit values instead of random ones. */
  readonly values?: readonly number[];
  /** False for inputs the gradient check leaves alone (labels, indices). Default true. */
  readonly differentiable?: boolean;
}

export interface Sample<A> {
  readonly label: string;
  readonly inputs: readonly InputSpec[];
  readonly attrs: A;
}

export interface ErrorCase {
  readonly label: string;
  /** Calls the op with bad arguments. */
  readonly call: () => unknown;
  readonly error: abstract new (...args: never[]) => TapegradError;
  readonly message: RegExp;
}

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

export interface OpRow<A = undefined> {
  /** The registered primitive name (or composite name) this row covers. */
  readonly op: string;
  /** Runs the op on tensors built from the sample's inputs (all of the float dtype under test). */
  run(inputs: Tensor[], attrs: A): Tensor;
  /** Independent naive loop implementation in float64. */
  reference(inputs: RefArray[], attrs: A): RefArray;
  readonly samples: readonly Sample<A>[];
  readonly errors: readonly ErrorCase[];
  /** Defaults: float64 forward atol 1e-9 rtol 1e-9; float32 rtol 1e-4 atol 1e-5. */
  readonly forwardTolerance?: Tolerance;
  /** Set false for non-differentiable ops (argmax). Otherwise gradCheck options. */
  readonly gradCheck?: false | { eps?: number; atol?: number; rtol?: number };
}

/** Erases the attrs type so rows of different ops sit in one array. */
export type AnyOpRow = OpRow<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function row<A>(r: OpRow<A>): AnyOpRow {
  return r as AnyOpRow;
}
