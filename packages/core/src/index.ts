// @tapegrad/core — the one public entry.
import './autograd/engine.js';
import './methods.js';

export { Tensor, type BackwardOptions, type NestedArray } from './tensor.js';
export { type DType, type FloatArray, type TypedArray, DTYPES } from './dtype.js';
export {
  TapegradError,
  ShapeError,
  DTypeError,
  ValueError,
  GraphError,
  FormatError,
  GradCheckError,
  AnomalyError,
  argError,
} from './errors.js';
export { type Shape, formatShape, sizeOf, broadcastShapes } from './shape.js';
export { tensor, zeros, ones, full, randn, rand, arange, type TensorOptions, type TensorData, type RandomOptions } from './creation.js';
export { Rng } from './random.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode.js';
export { recordUser as record, type Vjp, type Node } from './autograd/node.js';
export { gradCheck, gradGradCheck, numericalGradient, type GradCheckOptions, type CheckedFunction } from './grad-check/index.js';
export { grad, valueAndGrad, type GradOptions, type ScalarFunction } from './autograd/functional.js';
export { customOp, type CustomOpSpec, type CustomOpContext } from './autograd/custom-op.js';
export { detectAnomaly } from './autograd/anomaly.js';
export * from './ops/index.js';
export {
  getBackend,
  setBackend,
  registerBackend,
  listBackends,
  referenceBackend,
  type Backend,
  type BinaryOp,
  type UnaryOp,
  type WindowGeometry,
  type AdamStep,
} from './backend/index.js';
export { clearPool as clearArrayPool, poolStats as arrayPoolStats } from './memory/array-pool.js';
export { intermediates, markIntermediate } from './memory/intermediate.js';
