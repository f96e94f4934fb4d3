import type { Tensor } from '../tensor.js';

/**
 * Hooks that detectAnomaly installs while it runs; empty otherwise, so the hot path pays one property read.
 */
export const anomalyHooks: {
  onForward?: ((op: string, out: Tensor) => void) | undefined;
  onBackward?: ((op: string, grad: Tensor, inputIndex: number, createdAt: string | undefined) => void) | undefined;
  captureStack?: (() => string) | undefined;
  /** Runs one node's VJP (so the ops it calls are known to be backward work, not forward). */
  aroundVjp?: (<T>(run: () => T) => T) | undefined;
} = {};
