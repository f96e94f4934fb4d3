import { fuzzTargets } from './harness.js';
import { reduceTargets } from './targets-reduce.js';

// Reductions, softmax and softmax cross-entropy under fuzzing: see harness.ts for the properties.
fuzzTargets('fuzz: reduce', reduceTargets);
