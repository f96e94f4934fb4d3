import { fuzzTargets } from './harness.js';
import { elementwiseTargets } from './targets-elementwise.js';

// Elementwise ops under fuzzing: see harness.ts for the properties.
fuzzTargets('fuzz: elementwise', elementwiseTargets);
