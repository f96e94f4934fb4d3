import { fuzzModules } from './harness.js';
import { modelTargets } from './targets-models.js';

// Sequential and the three models under fuzzing: see harness.ts for the properties.
fuzzModules('nn fuzz: models', modelTargets);
