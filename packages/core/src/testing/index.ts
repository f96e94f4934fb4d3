// @tapegrad/core/testing — fast-check arbitraries and gradient properties for users' own test suites.
export { shapeArb, tensorArb, type ShapeArbOptions, type TensorArbOptions, type Domain } from './arbitraries.js';
export {
  convParamsArb,
  poolParamsArb,
  type ConvParams,
  type ConvParamsOptions,
  type PoolParams,
  type PoolParamsOptions,
} from './window-arbitraries.js';
export {
  checkGradients,
  gradientProperty,
  type GradientCase,
  type GradientPropertyOptions,
  type CheckGradientsOptions,
  type InputArbitraries,
} from './gradient-property.js';
