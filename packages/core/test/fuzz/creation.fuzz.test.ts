import { fuzzTargets } from './harness.js';
import { creationTargets } from './targets-creation.js';

// Creation functions under fuzzing: see harness.ts for the properties.
fuzzTargets('fuzz: creation', creationTargets);
