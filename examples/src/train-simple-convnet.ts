// The main job (`pnpm train`): the book's SimpleConvNet on bundled MNIST with Adam, plots, filters, checkpoint.
import type { WeightInitStd } from '@tapegrad/nn';
import { isMain, parseFlags, runMain, UsageError } from './cli.js';
import type { ModelSpec } from './models.js';
import { RUN_FLAGS, runFlagsUsage, runFromFlags, type RunDefaults } from './train-flags.js';
import { runTraining, type RunOptions, type RunResult } from './train-run.js';

/**
 * The book's network; its training differs from the book's in two measured ways (README: "Training
 * recipe"): He initialization, which the book recommends for ReLU nets (its SimpleConvNet draws every
 * weight from N(0, 0.01²): `--weight-init 0.01`), and Adam's rate annealed to 0 by a cosine over the
 * epochs (the book keeps it constant: `--lr-schedule constant`).
 */
const DEFAULTS: Omit<RunDefaults, 'model'> & { weightInit: WeightInitStd } = {
  epochs: 20,
  lr: 0.001,
  lrSchedule: 'cosine',
  weightInit: 'he',
  out: 'out/simple-convnet',
};

const simpleConvNet =
  (weightInitStd: WeightInitStd) =>
  (seed: number): ModelSpec => ({
    name: 'SimpleConvNet',
    options: { inputDim: [1, 28, 28], conv: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 }, hiddenSize: 100, outputSize: 10, weightInitStd, seed },
  });

const FLAGS = { ...RUN_FLAGS, 'weight-init': { type: 'string' } } as const;

export const USAGE = `usage: pnpm train [flags]   (or: node examples/dist/train-simple-convnet.js [flags])

Trains the book's SimpleConvNet (conv 30@5x5 - ReLU - pool 2x2 - fc 100 - ReLU - fc 10) on MNIST.
Default: the book's quick run, 5,000 training / 1,000 test images, 20 epochs, batch 100, Adam lr 0.001,
with He initialization and the rate annealed by a cosine (the book's own recipe:
--weight-init 0.01 --lr-schedule constant).

  --weight-init <w>      he (default: N(0, 2/fan-in)) or the std of a normal draw (the book's 0.01)
${runFlagsUsage(DEFAULTS)}`;

/** `--weight-init`: 'he' or a positive finite std. */
function weightInitFlag(value: string | undefined): WeightInitStd | undefined {
  if (value === undefined || value === 'he') return value;
  const std = Number(value);
  if (value.trim() === '' || !Number.isFinite(std) || std <= 0) throw new UsageError(`--weight-init: expected he or a positive number, got '${value}'`);
  return std;
}

/** The run a command line asks for (`help` when it asks for the usage text). Throws UsageError on bad flags. */
export async function parseTrainArgs(argv: string[]): Promise<RunOptions | 'help'> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) return 'help';
  const weightInit = weightInitFlag(values['weight-init']);
  const run = await runFromFlags(values, { ...DEFAULTS, model: simpleConvNet(weightInit ?? DEFAULTS.weightInit) });
  if (run.model.name !== 'SimpleConvNet') throw new UsageError(`--resume: expected a SimpleConvNet checkpoint, got one of ${run.model.name}`);
  // a resumed run's weights exist already: a given --weight-init must be the one they were drawn with
  const saved = run.model.options.weightInitStd ?? 0.01;
  if (weightInit !== undefined && saved !== weightInit) throw new UsageError(`--weight-init: expected the resumed run's ${saved} (or leave it out), got ${weightInit}`);
  return run;
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
