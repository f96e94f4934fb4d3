import { fuzzTargets } from './core-fuzz.js';
import { lossTargets } from './targets-losses.js';

// The losses under core's fuzz properties (wild, valid, backward) on every backend.
fuzzTargets('nn fuzz: losses', lossTargets);
