// Every op of the public API, primitives and composites. Importing this module registers all primitives.
export { add } from './add.js';
export { mul } from './mul.js';
export { sum } from './sum.js';
export { reshape } from './reshape.js';
export { broadcastTo } from './broadcast-to.js';
export { sumTo } from './sum-to.js';
export { fullLike, onesLike, zerosLike } from './like.js';
export { listPrimitives, type PrimitiveInfo } from './registry.js';
