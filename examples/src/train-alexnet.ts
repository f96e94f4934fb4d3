// A reduced AlexNet (torchvision's layout, LRN after the first two ReLUs, dropout) trained on MNIST.
import { isMain, parseFlags, positiveFlag, runMain, UsageError } from './cli.js';
import { RUN_FLAGS, runFlagsUsage, runFromFlags } from './train-flags.js';
import { runTraining, type RunOptions, type RunResult } from './train-run.js';

const DEFAULTS = { epochs: 10, lr: 0.001, lrSchedule: 'constant', out: 'out/alexnet' } as const;

export const USAGE = `usage: pnpm train-alexnet [flags]

Trains AlexNet (5 convolutions 11x11/4, 5x5, 3x3 x3; ReLU; LRN after the first two; 3x3/2 max pooling;
dropout 0.5 in the classifier; 3 fully connected layers) with its channel counts scaled by --width, on
1x28x28 MNIST, and reports the test accuracy and the time per epoch.

  --width <x>            channel/hidden-size multiplier (default 0.25: 16-48-96-64-64 channels, fc 1024)
${runFlagsUsage(DEFAULTS)}`;

const FLAGS = { ...RUN_FLAGS, width: { type: 'string' } } as const;

export async function parseAlexnetArgs(argv: string[]): Promise<RunOptions | 'help'> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) return 'help';
  const givenWidth = positiveFlag('width', values.width);
  const width = givenWidth ?? 0.25;
  const run = await runFromFlags(values, {
    ...DEFAULTS,
    model: (seed) => ({ name: 'AlexNet', options: { inputShape: [1, 28, 28], numClasses: 10, width, seed } }),
  });
  if (run.model.name !== 'AlexNet') throw new UsageError(`--resume: expected an AlexNet checkpoint, got one of ${run.model.name}`);
  const saved = run.model.options.width;
  if (givenWidth !== undefined && saved !== givenWidth) throw new UsageError(`--width: expected the resumed run's ${saved} (or leave it out), got ${givenWidth}`);
  return run;
}

export async function main(argv: string[], overrides: Pick<RunOptions, 'log' | 'progress'> = {}): Promise<RunResult | undefined> {
  const run = await parseAlexnetArgs(argv);
  if (run === 'help') {
    console.log(USAGE);
    return undefined;
  }
  const say = overrides.log === false ? () => {} : (overrides.log ?? console.log);
  const r = await runTraining({ ...run, ...overrides });
  const perEpoch = r.epochsRun > 0 ? r.seconds / r.epochsRun : 0;
  say(`AlexNet (width ${run.model.name === 'AlexNet' ? run.model.options.width : '?'}): test acc ${(100 * r.testAccuracy).toFixed(2)}% (all ${run.testSize}) after ${r.history.epochs.length} epochs, ${perEpoch.toFixed(1)} s/epoch`);
  return r;
}

if (isMain(import.meta.url)) runMain(main, USAGE);
