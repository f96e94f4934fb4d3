import { join } from 'node:path';
import { Tensor, ValueError, argError, softmaxCrossEntropy } from '@tapegrad/core';
import type { Module } from '../module/module.js';
import { LRScheduler } from '../optim/lr-scheduler.js';
import { evaluateAccuracy } from './accuracy.js';
import { ShuffledBatches } from './batches.js';
import { readTrainerCheckpoint, writeTrainerCheckpoint, type TrainerConfig, type TrainerOptimizer } from './trainer-checkpoint.js';
import { appendEpoch, emptyHistory, type EpochRecord, type History } from './history.js';
import { autoProgressMode, createProgress, type ProgressMode, type ProgressReporter } from './progress.js';

/** Examples and their labels: x (N, ...) and t (N,) class indices or (N, C) one-hot. */
export interface LabeledData {
  x: Tensor;
  t: Tensor;
}

/** What an `onEpochEnd` callback receives. */
export interface EpochEndEvent {
  epoch: number;
  epochs: number;
  record: EpochRecord;
  /** The history including this epoch (immutable). */
  history: History;
  /** Wall time of the epoch (training and evaluation), in seconds. */
  seconds: number;
  /** Training images per second in this epoch (training steps only). */
  imagesPerSecond: number;
  /** Time spent in this epoch's training steps (forward, backward, optimizer step), in seconds. */
  trainSeconds: number;
  /** The checkpoint written for this epoch, when `checkpointDir` is set. */
  checkpoint: string | undefined;
  trainer: Trainer;
}

export type EpochCallback = (event: EpochEndEvent) => void | Promise<void>;

export interface TrainerOptions {
  model: Module;
  optimizer: TrainerOptimizer;
  /**
   * A learning-rate schedule of `optimizer`, stepped after every epoch's training steps (as PyTorch's
   * schedulers are); a restored run sets it to the checkpoint's epoch.
   */
  scheduler?: LRScheduler;
  train: LabeledData;
  test: LabeledData;
  /** Total epochs: `fit()` trains until the history has this many (a resumed run continues the count). */
  epochs: number;
  batchSize: number;
  /**
   * Examples of train and of test whose accuracy is measured after every epoch (the first ones, as the
   * book's `evaluate_sample_num_per_epoch`); default 1000, `null` for all.
   */
  evalSample?: number | null;
  /** Seed of the batch shuffling (default 0). */
  seed?: number;
  /** Loss of a batch: (logits, labels) -> 0-d mean (default softmaxCrossEntropy). */
  loss?: (logits: Tensor, t: Tensor) => Tensor;
  /** Folder for `checkpoint.safetensors`, rewritten (atomically) after every epoch. */
  checkpointDir?: string;
  /** Extra JSON-able metadata stored in every checkpoint (e.g. the model's config), beside the trainer's. */
  metadata?: Record<string, unknown>;
  onEpochEnd?: EpochCallback | EpochCallback[];
  /** Where progress lines go (default console.log); `false` for silence. */
  log?: ((line: string) => void) | false;
  /** 'auto' (default): a bar when stderr is a terminal, else one line per epoch. */
  progress?: ProgressMode | 'auto';
  /** After the last epoch, measure the accuracy on the whole test set (default true). */
  finalEval?: boolean;
}

export interface FitResult {
  history: History;
  /** Accuracy on the whole test set after training (NaN when `finalEval` is false). */
  testAccuracy: number;
  /** The last checkpoint written, if any. */
  checkpoint: string | undefined;
}

/** The file name of the checkpoint the Trainer keeps in `checkpointDir`. */
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

const OPTION_KEYS = new Set([
  'model', 'optimizer', 'train', 'test', 'epochs', 'batchSize', 'evalSample', 'seed', 'loss', 'checkpointDir',
  'metadata', 'onEpochEnd', 'log', 'progress', 'finalEval', 'scheduler',
]);

function checkInt(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw argError(ValueError, 'Trainer', name, `an integer >= ${min}`, String(value));
  }
  return value;
}

function checkData(name: string, value: unknown): LabeledData {
  const d = value as Partial<LabeledData> | null;
  if (d === null || typeof d !== 'object' || !(d.x instanceof Tensor) || !(d.t instanceof Tensor)) {
    throw argError(ValueError, 'Trainer', name, '{ x: Tensor, t: Tensor }', d === null ? 'null' : typeof d);
  }
  return d as LabeledData;
}

/**
 * The book's training loop (`common/trainer.py`): shuffled mini-batches, loss and optimizer step per
 * batch, train and test accuracy on an evaluation sample after every epoch, a checkpoint per epoch,
 * and exact resumption from any of them (same following batches, same optimizer state, same history).
 * @example
 * const trainer = new Trainer({ model: net, optimizer: new Adam(net.parameters(), { lr: 0.001 }),
 *   train, test, epochs: 20, batchSize: 100, evalSample: 1000, checkpointDir: 'out' });
 * const { history, testAccuracy } = await trainer.fit();
 */
export class Trainer {
  readonly model: Module;
  readonly optimizer: TrainerOptimizer;
  readonly scheduler: LRScheduler | undefined;
  readonly train: LabeledData;
  readonly test: LabeledData;
  readonly epochs: number;
  readonly batchSize: number;
  readonly evalSample: number | null;
  readonly seed: number;
  readonly checkpointDir: string | undefined;
  private readonly lossFn: (logits: Tensor, t: Tensor) => Tensor;
  private readonly metadata: Record<string, unknown>;
  private readonly callbacks: EpochCallback[];
  private readonly progress: ProgressReporter;
  private readonly finalEval: boolean;
  private readonly batches: ShuffledBatches;
  private state: History = emptyHistory();

  constructor(options: TrainerOptions) {
    if (options === null || typeof options !== 'object') throw argError(ValueError, 'Trainer', 'options', 'an object', String(options));
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) throw argError(ValueError, 'Trainer', 'options', `only ${[...OPTION_KEYS].join(', ')}`, `unknown option '${key}'`);
    }
    const { model, optimizer } = options;
    if (model === null || typeof model !== 'object' || typeof model.forward !== 'function' || typeof model.stateDict !== 'function') {
      throw argError(ValueError, 'Trainer', 'model', 'a Module', String(model));
    }
    if (optimizer === null || typeof optimizer !== 'object' || typeof optimizer.step !== 'function' || typeof optimizer.zeroGrad !== 'function') {
      throw argError(ValueError, 'Trainer', 'optimizer', 'an optimizer with step() and zeroGrad()', String(optimizer));
    }
    this.model = model;
    this.optimizer = optimizer;
    const { scheduler } = options;
    if (scheduler !== undefined && !(scheduler instanceof LRScheduler && (scheduler.optimizer as object) === optimizer)) {
      throw argError(ValueError, 'Trainer', 'scheduler', "an LRScheduler of the trainer's optimizer", scheduler instanceof LRScheduler ? 'a scheduler of another optimizer' : String(scheduler));
    }
    this.scheduler = scheduler;
    this.train = checkData('train', options.train);
    this.test = checkData('test', options.test);
    this.epochs = checkInt('epochs', options.epochs, 1);
    this.batchSize = checkInt('batchSize', options.batchSize, 1);
    this.evalSample = options.evalSample === null ? null : checkInt('evalSample', options.evalSample ?? 1000, 1);
    this.seed = checkInt('seed', options.seed ?? 0, -(2 ** 31));
    this.lossFn = options.loss ?? softmaxCrossEntropy;
    this.checkpointDir = options.checkpointDir;
    this.metadata = options.metadata ?? {};
    const cb = options.onEpochEnd;
    this.callbacks = cb === undefined ? [] : Array.isArray(cb) ? [...cb] : [cb];
    this.finalEval = options.finalEval ?? true;
    const log = options.log;
    const mode = log === false ? 'none' : options.progress === undefined || options.progress === 'auto' ? autoProgressMode() : options.progress;
    this.progress = createProgress(log === false || log === undefined ? { mode } : { mode, log });
    this.batches = new ShuffledBatches(this.train.x, this.train.t, this.batchSize, this.seed);
  }

  /** The history so far (immutable; a new object after every epoch). */
  get history(): History {
    return this.state;
  }

  /** Epochs completed so far. */
  get epoch(): number {
    return this.state.epochs.length;
  }

  /** Adds a callback run after every epoch (after its checkpoint is written). */
  onEpochEnd(callback: EpochCallback): this {
    this.callbacks.push(callback);
    return this;
  }

  /** The settings a checkpoint records and a resume must match. */
  get config(): TrainerConfig {
    return {
      epochs: this.epochs,
      batchSize: this.batchSize,
      evalSample: this.evalSample,
      seed: this.seed,
      trainSize: this.train.x.shape[0]!,
      testSize: this.test.x.shape[0]!,
    };
  }

  /** Path of the checkpoint this trainer writes, if it writes one. */
  get checkpointFile(): string | undefined {
    return this.checkpointDir === undefined ? undefined : join(this.checkpointDir, CHECKPOINT_FILE);
  }

  /**
   * Trains from the current epoch up to `epochs`, then (by default) measures the whole test set.
   * @example const { history } = await trainer.fit();
   */
  /**
   * One optimizer step; returns the loss as a number. Kept out of `fit` so no tensor of the step stays
   * referenced from fit's frame across its awaits (the tape never outlives its step).
   */
  private trainStep(x: Tensor, t: Tensor): number {
    this.optimizer.zeroGrad();
    const loss = this.lossFn(this.model.forward(x), t);
    loss.backward();
    this.optimizer.step();
    return loss.item();
  }

  async fit(): Promise<FitResult> {
    const images = this.train.x.shape[0]!;
    const perBatch = this.batches.length;
    let checkpoint: string | undefined;
    this.model.train();
    try {
      for (let epoch = this.epoch + 1; epoch <= this.epochs; epoch++) {
        const started = performance.now();
        let trainMs = 0;
        const losses: number[] = [];
        this.progress.epochStart(epoch, this.epochs, perBatch);
        let seen = 0;
        for (const { x, t } of this.batches.epoch()) {
          const s = performance.now();
          losses.push(this.trainStep(x, t));
          trainMs += performance.now() - s;
          seen += x.shape[0]!;
          this.progress.batch(losses.length, losses[losses.length - 1]!, seen);
        }
        this.scheduler?.step();
        const limit = this.evalSample === null ? {} : { limit: this.evalSample };
        const trainAccuracy = evaluateAccuracy(this.model, this.train.x, this.train.t, { batchSize: this.batchSize, ...limit });
        const testAccuracy = evaluateAccuracy(this.model, this.test.x, this.test.t, { batchSize: this.batchSize, ...limit });
        const record: EpochRecord = {
          epoch,
          trainAccuracy,
          testAccuracy,
          loss: losses.reduce((a, b) => a + b, 0) / losses.length,
          batches: losses.length,
        };
        this.state = appendEpoch(this.state, record, losses);
        if (this.checkpointFile !== undefined) {
          checkpoint = this.checkpointFile;
          await writeTrainerCheckpoint(checkpoint, {
            model: this.model,
            optimizer: this.optimizer,
            metadata: this.metadata,
            trainer: { epoch, history: this.state, loader: this.batches.getState(), config: this.config },
          });
        }
        const seconds = (performance.now() - started) / 1000;
        const imagesPerSecond = trainMs > 0 ? images / (trainMs / 1000) : 0;
        this.progress.epochEnd(
          `epoch ${epoch}/${this.epochs}  loss ${record.loss.toFixed(4)}  train acc ${(100 * trainAccuracy).toFixed(2)}%  ` +
            `test acc ${(100 * testAccuracy).toFixed(2)}%  ${seconds.toFixed(1)} s (${Math.round(imagesPerSecond)} img/s)`,
        );
        for (const callback of this.callbacks) {
          await callback({ epoch, epochs: this.epochs, record, history: this.state, seconds, imagesPerSecond, trainSeconds: trainMs / 1000, checkpoint, trainer: this });
        }
      }
      let testAccuracy = NaN;
      if (this.finalEval) {
        testAccuracy = evaluateAccuracy(this.model, this.test.x, this.test.t, { batchSize: this.batchSize });
        this.progress.message(`test accuracy (all ${this.test.x.shape[0]} test images): ${(100 * testAccuracy).toFixed(2)}%`);
      }
      return { history: this.state, testAccuracy, checkpoint: checkpoint ?? this.checkpointFile };
    } finally {
      this.progress.close();
    }
  }

  /**
   * Loads a checkpoint written by a Trainer with the same settings (batch size, seed, evaluation sample,
   * data sizes; `epochs` may be larger): model parameters, optimizer state, history and the shuffling
   * state, so that `fit()` continues exactly where that run stopped.
   * @example await trainer.restore('out/checkpoint.safetensors'); await trainer.fit();
   */
  async restore(file: string): Promise<void> {
    const saved = await readTrainerCheckpoint(file, this.model, this.optimizer);
    const mine = this.config;
    const mismatched = (['batchSize', 'evalSample', 'seed', 'trainSize', 'testSize'] as const)
      .filter((k) => saved.config[k] !== mine[k])
      .map((k) => `${k} ${JSON.stringify(saved.config[k])} (this trainer: ${JSON.stringify(mine[k])})`);
    if (mismatched.length > 0) {
      throw argError(ValueError, 'Trainer.restore', file, 'a checkpoint of a run with the same settings', mismatched.join(', '));
    }
    saved.apply();
    this.scheduler?.setEpoch(saved.epoch);
    this.batches.setState(saved.loader);
    this.state = saved.history;
    this.progress.message(`resumed from ${file} after epoch ${saved.epoch}`);
  }

  /**
   * `restore(file)` then `fit()`: continues a stopped run to `epochs`.
   * @example await new Trainer({ ...sameOptions }).resume('out/checkpoint.safetensors');
   */
  async resume(file: string): Promise<FitResult> {
    await this.restore(file);
    return this.fit();
  }
}
