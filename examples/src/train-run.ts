import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Adam, CosineAnnealingLR, Trainer, filtersToPng, loadCheckpoint, plotHistory, type History, type ProgressMode } from '@tapegrad/nn';
import { UsageError } from './cli.js';
import { mnist } from './data.js';
import { buildModel, firstConvWeight, type ModelSpec } from './models.js';

export const LR_SCHEDULES = ['constant', 'cosine'] as const;
/** How Adam's rate moves over a run: the book keeps it constant; cosine anneals it to 0 by the last epoch. */
export type LrSchedule = (typeof LR_SCHEDULES)[number];

/** Everything that defines a training run; saved in the checkpoint so a resume can check and reuse it. */
export interface RunConfig {
  model: ModelSpec;
  trainSize: number;
  testSize: number;
  epochs: number;
  batchSize: number;
  /** Adam's learning rate (the first epoch's, with a schedule). */
  lr: number;
  lrSchedule: LrSchedule;
  /** Seeds the weights and the batch order. */
  seed: number;
  /** Images of train and of test scored after every epoch. */
  evalSample: number;
}

export interface RunOptions extends RunConfig {
  /** Output folder: checkpoint, plots, filter pictures, history.json. */
  out: string;
  /** A checkpoint to continue from (written by a run with the same config; `epochs` may be larger). */
  resume?: string;
  log?: ((line: string) => void) | false;
  progress?: ProgressMode | 'auto';
}

export interface RunResult {
  history: History;
  /** Accuracy on all `testSize` test images after the last epoch. */
  testAccuracy: number;
  /** Wall time of this process's training (fit), in seconds. */
  seconds: number;
  /** The part of `seconds` spent in training steps (the rest: evaluation, checkpoints, plots). */
  stepSeconds: number;
  /** Epochs trained by this process (fewer than the history's after a resume). */
  epochsRun: number;
  /** Peak resident memory of the process, in MiB. */
  peakRssMiB: number;
  files: { checkpoint: string; svg: string; png: string; filtersBefore?: string; filtersAfter?: string; history: string };
}

/** The run config stored in a checkpoint by `runTraining`. */
export async function savedRunConfig(file: string): Promise<RunConfig> {
  const { metadata } = await loadCheckpoint<{ run?: RunConfig }>(file);
  if (metadata.run === undefined || typeof metadata.run !== 'object') {
    throw new UsageError(`--resume: expected a checkpoint written by a tapegrad example (with metadata.run), got ${file} without it`);
  }
  return metadata.run;
}

/**
 * Merges command-line settings with the config saved in the checkpoint being resumed: anything not
 * given comes from the checkpoint; anything given must agree with it (except `epochs`, which may grow).
 */
export function mergeResumeConfig(saved: RunConfig, given: Partial<RunConfig>): RunConfig {
  // checkpoints written before --lr-schedule existed kept the rate constant
  const merged = { ...saved, lrSchedule: saved.lrSchedule ?? 'constant' };
  for (const key of ['trainSize', 'testSize', 'batchSize', 'lr', 'lrSchedule', 'seed', 'evalSample'] as const) {
    const v = given[key];
    if (v === undefined) continue;
    if (v !== merged[key]) throw new UsageError(`--${flagName(key)}: expected the resumed run's ${merged[key]} (or leave it out), got ${v}`);
  }
  if (given.epochs !== undefined) {
    merged.epochs = given.epochs;
  }
  return merged;
}

function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Trains a model on MNIST with Adam and the Trainer, writing into `out`: `checkpoint.safetensors`
 * (every epoch), `accuracy.svg/png` (every epoch), `filters-before.png` (fresh runs), `filters-after.png`
 * and `history.json`.
 * @example await runTraining({ model: { name: 'SimpleConvNet', options: { seed: 0 } }, trainSize: 5000, ... });
 */
export async function runTraining(options: RunOptions): Promise<RunResult> {
  const { out, resume, log, progress, ...config } = options;
  const say = log === false ? () => {} : (log ?? ((l: string) => console.log(l)));
  mkdirSync(out, { recursive: true });
  const train = mnist('train', config.trainSize);
  const test = mnist('test', config.testSize);
  const model = buildModel(config.model);
  // eps 1e-7 as in the book's Adam (and the PyTorch reference run); torch's default would be 1e-8.
  const optimizer = new Adam(model.parameters(), { lr: config.lr, eps: 1e-7 });
  // over the whole run (the epochs to reach): a resumed run continues the same curve
  const scheduler = config.lrSchedule === 'cosine' ? new CosineAnnealingLR(optimizer, { tMax: config.epochs }) : undefined;
  const files: RunResult['files'] = {
    checkpoint: join(out, 'checkpoint.safetensors'),
    svg: join(out, 'accuracy.svg'),
    png: join(out, 'accuracy.png'),
    history: join(out, 'history.json'),
  };
  const conv = firstConvWeight(model);
  if (conv !== undefined && resume === undefined) {
    files.filtersBefore = join(out, 'filters-before.png');
    filtersToPng(conv, files.filtersBefore, { columns: 10 });
  }
  let stepSeconds = 0;
  const trainer = new Trainer({
    model,
    optimizer,
    ...(scheduler === undefined ? {} : { scheduler }),
    train,
    test,
    epochs: config.epochs,
    batchSize: config.batchSize,
    evalSample: config.evalSample,
    seed: config.seed,
    checkpointDir: out,
    metadata: { run: config },
    // The plot is redrawn after every epoch, so an interrupted run still has an up-to-date picture.
    onEpochEnd: async ({ history, trainSeconds }) => {
      stepSeconds += trainSeconds;
      await plotHistory(history, files.svg);
    },
    ...(log === undefined ? {} : { log }),
    ...(progress === undefined ? {} : { progress }),
  });
  say(
    `${config.model.name}: ${model.numParameters()} parameters; MNIST ${config.trainSize} train / ${config.testSize} test; ` +
      `${config.epochs} epochs, batch ${config.batchSize}, Adam lr ${config.lr}${config.lrSchedule === 'cosine' ? ' (cosine to 0)' : ''}, seed ${config.seed}`,
  );
  if (resume !== undefined) await trainer.restore(resume);
  const firstEpoch = trainer.epoch;
  const started = performance.now();
  const { history, testAccuracy } = await trainer.fit();
  const seconds = (performance.now() - started) / 1000;
  if (history.epochs.length > 0) await plotHistory(history, files.svg);
  if (conv !== undefined) {
    files.filtersAfter = join(out, 'filters-after.png');
    filtersToPng(conv, files.filtersAfter, { columns: 10 });
  }
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  writeFileSync(files.history, `${JSON.stringify({ config, testAccuracy, seconds, stepSeconds, peakRssMiB, history }, null, 1)}\n`);
  say(
    `trained in ${seconds.toFixed(1)} s (${stepSeconds.toFixed(1)} s of it in training steps), peak memory ${peakRssMiB.toFixed(0)} MiB; ` +
      `wrote ${Object.values(files).join(', ')}`,
  );
  return { history, testAccuracy, seconds, stepSeconds, epochsRun: history.epochs.length - firstEpoch, peakRssMiB, files };
}
