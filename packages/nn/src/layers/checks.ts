import { DTypeError, ShapeError, Tensor, ValueError, argError, formatShape } from '@tapegrad/core';

/**
 * Checks a layer's input before any op runs, so the message speaks the layer's language:
 * `[Conv2d] x: expected 4-D (N,C,H,W) with C=1, got shape [2,3,28,28]` (a model re-raises it under the
 * layer's name, e.g. `[conv1] …`). `layout` names the dimensions; `fixed` pins some of them.
 */
export function checkLayerInput(
  layer: string,
  x: unknown,
  spec: { rank?: number; minRank?: number; layout: string; fixed?: Record<number, number>; dtype?: string },
): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw argError(ValueError, layer, 'x', 'a Tensor', x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x);
  }
  const fixed = Object.entries(spec.fixed ?? {}).map(([axis, size]) => [Number(axis), size] as const);
  const names = spec.layout.slice(1, -1).split(',');
  const want = () => {
    const pins = fixed.map(([axis, size]) => `${names[axis < 0 ? names.length + axis : axis]}=${size}`);
    const rank = spec.rank !== undefined ? `${spec.rank}-D` : `at least ${spec.minRank}-D`;
    return `${rank} ${spec.layout}${pins.length > 0 ? ` with ${pins.join(', ')}` : ''}`;
  };
  const rankOk = spec.rank !== undefined ? x.ndim === spec.rank : x.ndim >= (spec.minRank ?? 0);
  if (!rankOk || fixed.some(([axis, size]) => x.shape[axis < 0 ? x.ndim + axis : axis] !== size)) {
    throw argError(ShapeError, layer, 'x', want(), `shape ${formatShape(x.shape)}`);
  }
  if (spec.dtype !== undefined && x.dtype !== spec.dtype) {
    throw argError(DTypeError, layer, 'x', `dtype ${spec.dtype} (the layer's parameters)`, `dtype ${x.dtype}`);
  }
}

/**
 * An options argument: left out (the defaults) or an object. Anything else is refused here, so that a
 * `null` or a number never reaches a property read (a bare TypeError) nor is silently taken as the defaults.
 */
export function optionsOf<T extends object>(layer: string, v: T | undefined, arg = 'options'): T {
  if (v === undefined) return {} as T;
  if (typeof v !== 'object' || v === null) throw argError(ValueError, layer, arg, 'an object', v === null ? 'null' : `${typeof v} ${String(v)}`);
  return v;
}

/** A boolean option (left out or null: `fallback`); a string or a number is refused, not taken as truthy. */
export function booleanOption(layer: string, arg: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw argError(ValueError, layer, arg, 'a boolean', `${typeof v} ${String(v)}`);
  return v;
}

/**
 * A received value as an error message shows it: as JSON where it can be (strings quoted, lists
 * bracketed), else as String(v) — JSON.stringify throws on a BigInt or a cycle, which must never turn
 * a clear error into a bare TypeError.
 */
export function shown(v: unknown): string {
  try {
    const json = JSON.stringify(v);
    if (json !== undefined) return json;
  } catch {
    // BigInt, cyclic structure: fall through
  }
  try {
    return String(v);
  } catch {
    return typeof v; // an object without a usable toString
  }
}

/** A non-negative integer constructor argument (a pad). */
export function nonNegativeInt(layer: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw argError(ValueError, layer, arg, 'a non-negative integer', String(v));
  return v;
}

/** A positive integer constructor argument. */
export function positiveInt(layer: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw argError(ValueError, layer, arg, 'a positive integer', String(v));
  return v;
}

/** A dtype option for parameters: float32 (default) or float64. */
export function floatDType(layer: string, v: unknown): 'float32' | 'float64' {
  if (v === undefined) return 'float32';
  if (v !== 'float32' && v !== 'float64') throw argError(DTypeError, layer, 'dtype', "'float32' or 'float64'", String(v));
  return v;
}
