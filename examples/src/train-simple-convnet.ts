// The main job (`pnpm train`): the book's SimpleConvNet on bundled MNIST with Adam, plots, filters, checkpoint.
import { isMain, parseFlags, runMain } from './cli.js';
import { RUN_FLAGS, runFlagsUsage, runFromFlags, type RunDefaults } from './train-flags.js';
import { runTraining, type RunOptions, type RunResult } from './train-run.js';

const DEFAULTS: RunDefaults = {
  epochs: 20,
  lr: 0.001,
  out: 'out/simple-convnet',
  model: (seed) => ({
    name: 'SimpleConvNet',
    options: { inputDim: [1, 28, 28], conv: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 }, hiddenSize: 100, outputSize: 10, weightInitStd: 0.01, seed },
  }),
};

export const USAGE = `usage: pnpm train [flags]   (or: node examples/dist/train-simple-convnet.js [flags])

Trains the book's SimpleConvNet (conv 30@5x5 - ReLU - pool 2x2 - fc 100 - ReLU - fc 10) on MNIST.
Default: the book's quick run, 5,000 training / 1,000 test images, 20 epochs, batch 100, Adam lr 0.001.

${runFlagsUsage(DEFAULTS)}`;

/** The run a command line asks for (`help` when it asks for the usage text). Throws UsageError on bad flags. */
export async function parseTrainArgs(argv: string[]): Promise<RunOptions | 'help'> {
  const { values } = parseFlags(argv, RUN_FLAGS);
  if (values.help) return 'help';
  return runFromFlags(values, DEFAULTS);
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
