// Training: the Trainer loop, its immutable history, progress reporting.
export { appendEpoch, emptyHistory, parseHistory, type EpochRecord, type History } from './history.js';
export { Trainer, CHECKPOINT_FILE, type TrainerOptions, type FitResult, type EpochEndEvent, type EpochCallback, type LabeledData } from './trainer.js';
export type { TrainerConfig, TrainerOptimizer, TrainerState } from './trainer-checkpoint.js';
export { countCorrect, evaluateAccuracy, type Classifier } from './accuracy.js';
export { ShuffledBatches, type BatcherState } from './batches.js';
export { createProgress, autoProgressMode, type ProgressMode, type ProgressReporter, type ProgressOptions } from './progress.js';
