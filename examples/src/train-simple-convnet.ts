// The main job (`pnpm train`): the book's SimpleConvNet on bundled MNIST with Adam, plots, filters, checkpoint.
import { isMain, intFlag, parseFlags, positiveFlag, runMain, userPath, UsageError } from './cli.js';
import { FULL, QUICK } from './data.js';
import { mergeResumeConfig, runTraining, savedRunConfig, type RunConfig, type RunOptions, type RunResult } from './train-run.js';

export const USAGE = `usage: pnpm train [flags]   (or: node examples/dist/train-simple-convnet.js [flags])

Trains the book's SimpleConvNet (conv 30@5x5 - ReLU - pool 2x2 - fc 100 - ReLU - fc 10) on MNIST.
Default: the book's quick run, 5,000 training / 1,000 test images, 20 epochs, batch 100, Adam lr 0.001.

  --full                 all 60,000 training / 10,000 test images
  --epochs <n>           epochs (default 20; with --resume, the total to reach)
  --batch-size <n>       mini-batch size (default 100)
  --lr <x>               Adam learning rate (default 0.001)
  --seed <n>             seed of the weights and the batch order (default 0)
  --out <dir>            output folder (default out/simple-convnet)
  --resume <file>        continue from a checkpoint.safetensors of an earlier run
  --train-size <n>       training images (default 5000, or 60000 with --full)
  --test-size <n>        test images (default 1000, or 10000 with --full)
  --eval-sample <n>      images of train and test scored after each epoch (default 1000)
  -h, --help             this text`;

const FLAGS = {
  full: { type: 'boolean' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  'train-size': { type: 'string' },
  'test-size': { type: 'string' },
  'eval-sample': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The run a command line asks for (`help` when it asks for the usage text). Throws UsageError on bad flags. */
export async function parseTrainArgs(argv: string[]): Promise<RunOptions | 'help'> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) return 'help';
  const given: Partial<RunConfig> = {};
  const put = <K extends keyof RunConfig>(key: K, v: RunConfig[K] | undefined) => {
    if (v !== undefined) given[key] = v;
  };
  put('epochs', intFlag('epochs', values.epochs, 1, 100_000));
  put('batchSize', intFlag('batch-size', values['batch-size'], 1, FULL.train));
  put('lr', positiveFlag('lr', values.lr));
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
  if (values.resume !== undefined) {
    if (values.resume === '') throw new UsageError("--resume: expected a checkpoint file, got ''");
    const resume = userPath(values.resume);
    const config = mergeResumeConfig(await savedRunConfig(resume).catch((e: unknown) => {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--resume: expected a readable checkpoint, got ${values.resume} (${e instanceof Error ? e.message : String(e)})`);
    }), given);
    return { ...config, out: userPath(values.out ?? 'out/simple-convnet'), resume };
  }
  const seed = given.seed ?? 0;
  return {
    model: { name: 'SimpleConvNet', options: { inputDim: [1, 28, 28], conv: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 }, hiddenSize: 100, outputSize: 10, weightInitStd: 0.01, seed } },
    trainSize: given.trainSize ?? QUICK.train,
    testSize: given.testSize ?? QUICK.test,
    epochs: given.epochs ?? 20,
    batchSize: given.batchSize ?? 100,
    lr: given.lr ?? 0.001,
    seed,
    evalSample: given.evalSample ?? 1000,
    out: userPath(values.out ?? 'out/simple-convnet'),
  };
}

/**
 * Runs the example for a command line; `overrides` (tests) replace logging and progress.
 * @example await main(['--epochs', '1', '--train-size', '200', '--test-size', '100', '--out', dir]);
 */
export async function main(argv: string[], overrides: Pick<RunOptions, 'log' | 'progress'> = {}): Promise<RunResult | undefined> {
  const run = await parseTrainArgs(argv);
  if (run === 'help') {
    console.log(USAGE);
    return undefined;
  }
  const result = await runTraining({ ...run, ...overrides });
  const last = result.history.epochs[result.history.epochs.length - 1];
  const say = overrides.log === false ? () => {} : (overrides.log ?? console.log);
  if (last !== undefined) {
    say(`final: train acc ${(100 * last.trainAccuracy).toFixed(2)}% (sample), test acc ${(100 * result.testAccuracy).toFixed(2)}% (all ${run.testSize})`);
  }
  return result;
}

if (isMain(import.meta.url)) runMain(main, USAGE);
