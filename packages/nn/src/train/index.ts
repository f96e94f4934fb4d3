// Training: the Trainer loop, its immutable history, progress reporting.
export { appendEpoch, emptyHistory, parseHistory, type EpochRecord, type History } from './history.js';
