import { fuzzTargets } from './harness.js';
import { layoutTargets } from './targets-layout.js';

// Layout and linear-algebra ops under fuzzing: see harness.ts for the properties.
fuzzTargets('fuzz: layout', layoutTargets);
