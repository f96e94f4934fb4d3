export {};
export * from './viz/index.js';
export * from './train/index.js';
