import { allocateFloatUninitialized } from '../dtype.js';
import { getBackend } from '../backend/index.js';
import type { UnaryOp } from '../backend/backend.js';
import type { FloatArray } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { checkFloat } from './checks.js';

/**
 * The shared forward of the elementwise unary primitives: x must be a float tensor (int32 is a
 * DTypeError: convert explicitly with `.to('float32')`); runs the backend kernel into a new tensor.
 * Nothing is recorded here: each primitive records itself with its own VJP.
 */
export function unaryForward(op: string, kernel: UnaryOp, x: Tensor): Tensor {
  checkFloat(op, 'x', x);
  const data = allocateFloatUninitialized(x.dtype as 'float32' | 'float64', x.size);
  getBackend().unary(kernel, x.data as FloatArray, data);
  return new Tensor(data, x.shape, x.dtype);
}

/**
 * A constant (never recorded) 0/1 mask: 1 where x > 0, else 0 — the derivative of relu with relu'(0) = 0.
 * Used inside VJPs, where it is a constant factor, so gradients of gradients stay correct (relu'' = 0).
 */
export function stepMask(x: Tensor): Tensor {
  const data = allocateFloatUninitialized(x.dtype as 'float32' | 'float64', x.size);
  getBackend().unary('step', x.data as FloatArray, data);
  return new Tensor(data, x.shape, x.dtype);
}

/**
 * grad · [x > 0] in one backend pass, not recorded: relu's VJP when the backward is not itself recorded.
 * The same values as mul(grad, stepMask(x)) — grad·1 or grad·0, so ±0 and NaN for an infinite or NaN
 * grad where x ≤ 0 — without the mask's pass and allocation.
 */
export function mulStepMask(grad: Tensor, x: Tensor): Tensor {
  const data = allocateFloatUninitialized(x.dtype as 'float32' | 'float64', x.size);
  getBackend().binary('mulStep', grad.data, grad.shape, x.data, x.shape, data, x.shape);
  return new Tensor(data, x.shape, x.dtype);
}
