import { formatShape, stridesOf, type Shape } from '../shape.js';

/** The entry of a comparison that is furthest outside the tolerance. */
export interface Mismatch {
  /** Flat index into the compared arrays. */
  readonly flat: number;
  readonly numerical: number;
  readonly analytical: number;
  /** |numerical − analytical| (Infinity when either is NaN). */
  readonly difference: number;
}

/**
 * Whether `analytical` is close to `numerical` in the sense of allclose: |a − n| ≤ atol + rtol·|n| at every
 * index. NaN or Infinity on either side fails. Returns the failing entry with the largest difference, or
 * null when all are close.
 */
export function worstMismatch(numerical: ArrayLike<number>, analytical: ArrayLike<number>, atol: number, rtol: number): Mismatch | null {
  let worst: Mismatch | null = null;
  for (let i = 0; i < numerical.length; i++) {
    const n = numerical[i]!;
    const a = analytical[i]!;
    const raw = Math.abs(a - n);
    const difference = Number.isNaN(raw) ? Infinity : raw;
    const close = Number.isFinite(n) && Number.isFinite(a) && raw <= atol + rtol * Math.abs(n);
    if (!close && (worst === null || difference > worst.difference)) worst = { flat: i, numerical: n, analytical: a, difference };
  }
  return worst;
}

/** The multi-index `[i,j,…]` of a flat row-major index into `shape`. */
export function multiIndex(flat: number, shape: Shape): number[] {
  return stridesOf(shape).map((s, d) => Math.floor(flat / s) % shape[d]!);
}

/** `[2,1]` for the multi-index of `flat`. */
export function formatIndex(flat: number, shape: Shape): string {
  return formatShape(multiIndex(flat, shape));
}

/** Compact numbers for messages: 6 significant digits, exponent form for very small or large values. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v) || v === 0) return String(v);
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e6) return v.toExponential(5).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(6)));
}
