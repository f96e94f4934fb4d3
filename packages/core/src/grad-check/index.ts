// Gradient checking: the tape's gradients against central differences in float64.
export { gradCheck, type GradCheckOptions } from './grad-check.js';
export { gradGradCheck } from './grad-grad-check.js';
export { numericalGradient } from './numerical.js';
export type { CheckedFunction } from './prepare.js';
