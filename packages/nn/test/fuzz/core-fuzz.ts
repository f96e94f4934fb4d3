/*
 * The pieces of core's fuzz harness (packages/core/test/fuzz) that nn's fuzzing reuses, in one place:
 * value and junk generators, the argument rules of the window ops, their naive references, and the
 * result comparison. nn's targets decide "accept or refuse" from these rules, independently of the
 * layers' own checks.
 */
export { type Expected, type FuzzTarget, type Reject, type Verdict, compareResult, fuzzTargets, isReject, maxAbs, numbersOf, reject, target } from '../../../core/test/fuzz/harness.js';
export { MAX_ELEMENTS, absRef, isInt, isNonNegativeInt, isPositiveInt, ref, sizeOf, tensorProblem } from '../../../core/test/fuzz/rules.js';
export {
  type Profile,
  breakArg,
  dimArb,
  floatDTypeArb,
  junkArb,
  makeTensor,
  mutated,
  nearShape,
  paramNumArb,
  paramPairArb,
  printable,
  shapeArb,
  tensorOf,
  wildTensor,
} from '../../../core/test/fuzz/values.js';
export { geometryOf, poolWindow, refAvgPool, refConv, refMaxPool, windowOf } from '../../../core/test/fuzz/window-refs.js';
export { refLocalResponseNorm } from '../../../core/test/ops-nn/rows-nn.js';
export { reduceTargets } from '../../../core/test/fuzz/targets-reduce.js';
export { hashSeed } from '../../../core/test/op-table/helpers.js';
export type { RefArray } from '../../../core/test/op-table/types.js';
