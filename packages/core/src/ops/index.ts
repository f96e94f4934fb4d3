// Every op of the public API, primitives and composites. Importing this module registers all primitives.
export { add } from './add.js';
export { mul } from './mul.js';
export { sum } from './sum.js';
export { reshape } from './reshape.js';
export { broadcastTo } from './broadcast-to.js';
export { sumTo } from './sum-to.js';
export { fullLike, onesLike, zerosLike } from './like.js';
export { im2col } from './im2col.js';
export { col2im } from './col2im.js';
export { maxPool2d } from './max-pool2d.js';
export { conv2d, type Conv2dOptions } from './conv2d.js';
export { softmaxCrossEntropy, type Labels } from './softmax-cross-entropy.js';
export { avgPool2d, type AvgPoolOptions } from './avg-pool2d.js';
export { avgPool2dBackward } from './avg-pool2d-backward.js';
export { dropout, type DropoutOptions } from './dropout.js';
export { localResponseNorm, type LocalResponseNormOptions } from './local-response-norm.js';
export type { Size2, WindowOptions, PoolOptions } from './window-geometry.js';
export { listPrimitives, type PrimitiveInfo } from './registry.js';
