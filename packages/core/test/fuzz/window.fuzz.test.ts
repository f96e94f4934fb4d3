import { fuzzTargets } from './harness.js';
import { windowTargets } from './targets-window.js';

// Sliding-window ops, dropout and localResponseNorm under fuzzing: see harness.ts for the properties.
fuzzTargets('fuzz: window', windowTargets);
