// The flags every training example shares, and how they become a RunConfig.
import { choiceFlag, intFlag, positiveFlag, userPath, UsageError } from './cli.js';
import { FULL, QUICK } from './data.js';
import type { ModelSpec } from './models.js';
import { LR_SCHEDULES, mergeResumeConfig, savedRunConfig, type LrSchedule, type RunConfig, type RunOptions } from './train-run.js';

export const RUN_FLAGS = {
  full: { type: 'boolean' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  'lr-schedule': { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  'train-size': { type: 'string' },
  'test-size': { type: 'string' },
  'eval-sample': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Usage lines of RUN_FLAGS, given the example's defaults. */
export function runFlagsUsage(d: { epochs: number; lr: number; lrSchedule: LrSchedule; out: string }): string {
  return `  --full                 all 60,000 training / 10,000 test images
  --epochs <n>           epochs (default ${d.epochs}; with --resume, the total to reach)
  --batch-size <n>       mini-batch size (default 100)
  --lr <x>               Adam learning rate (default ${d.lr})
  --lr-schedule <s>      constant (the book's) or cosine: from --lr down to 0 over the epochs, stepped
                         per epoch (default ${d.lrSchedule}; a resume that raises --epochs re-plans the rest)
  --seed <n>             seed of the weights and the batch order (default 0)
  --out <dir>            output folder (default ${d.out})
  --resume <file>        continue from a checkpoint.safetensors of an earlier run
  --train-size <n>       training images (default 5000, or 60000 with --full)
  --test-size <n>        test images (default 1000, or 10000 with --full)
  --eval-sample <n>      images of train and test scored after each epoch (default 1000)
  -h, --help             this text`;
}

type RunFlagValues = { [K in keyof typeof RUN_FLAGS]?: (typeof RUN_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

export interface RunDefaults {
  epochs: number;
  lr: number;
  lrSchedule: LrSchedule;
  out: string;
  /** The model for a given seed. */
  model: (seed: number) => ModelSpec;
}

/**
 * Turns parsed RUN_FLAGS into a run: defaults for what is not given (the book's quick run), or, with
 * --resume, the resumed run's settings (given flags must agree with them, except --epochs).
 * Throws UsageError for a bad value.
 */
export async function runFromFlags(values: RunFlagValues, defaults: RunDefaults): Promise<RunOptions> {
  const given: Partial<RunConfig> = {};
  const put = <K extends keyof RunConfig>(key: K, v: RunConfig[K] | undefined) => {
    if (v !== undefined) given[key] = v;
  };
  put('epochs', intFlag('epochs', values.epochs, 1, 100_000));
  put('batchSize', intFlag('batch-size', values['batch-size'], 1, FULL.train));
  put('lr', positiveFlag('lr', values.lr));
  put('lrSchedule', choiceFlag('lr-schedule', values['lr-schedule'], LR_SCHEDULES));
  put('seed', intFlag('seed', values.seed, 0, 2 ** 31 - 1));
  put('trainSize', intFlag('train-size', values['train-size'], 1, FULL.train));
  put('testSize', intFlag('test-size', values['test-size'], 1, FULL.test));
  put('evalSample', intFlag('eval-sample', values['eval-sample'], 1, FULL.train));
  if (values.full) {
    if (given.trainSize !== undefined || given.testSize !== undefined) throw new UsageError('--full: expected no --train-size/--test-size with it, got both');
    given.trainSize = FULL.train;
    given.testSize = FULL.test;
  }
  if (values.out === '') throw new UsageError("--out: expected a folder, got ''");
  const out = userPath(values.out ?? defaults.out);
  if (values.resume !== undefined) {
    if (values.resume === '') throw new UsageError("--resume: expected a checkpoint file, got ''");
    const resume = userPath(values.resume);
    const saved = await savedRunConfig(resume).catch((e: unknown) => {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--resume: expected a readable checkpoint, got ${values.resume} (${e instanceof Error ? e.message : String(e)})`);
    });
    return { ...mergeResumeConfig(saved, given), out, resume };
  }
  const seed = given.seed ?? 0;
  return {
    model: defaults.model(seed),
    trainSize: given.trainSize ?? QUICK.train,
    testSize: given.testSize ?? QUICK.test,
    epochs: given.epochs ?? defaults.epochs,
    batchSize: given.batchSize ?? 100,
    lr: given.lr ?? defaults.lr,
    lrSchedule: given.lrSchedule ?? defaults.lrSchedule,
    seed,
    evalSample: given.evalSample ?? 1000,
    out,
  };
}
