import { fuzzModules } from './harness.js';
import { layerTargets } from './targets-layers.js';

// Every layer under fuzzing: see harness.ts for the properties.
fuzzModules('nn fuzz: layers', layerTargets);
