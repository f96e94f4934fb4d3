// LeNet-5 on MNIST, the 1998 classic (sigmoid, average subsampling) and the modern variant (ReLU, max pooling).
import { join } from 'node:path';
import { choiceFlag, isMain, parseFlags, runMain, UsageError } from './cli.js';
import { RUN_FLAGS, runFlagsUsage, runFromFlags, type RunDefaults } from './train-flags.js';
import { runTraining, type RunOptions, type RunResult } from './train-run.js';

const VARIANTS = {
  classic: { activation: 'sigmoid', pooling: 'avg' },
  modern: { activation: 'relu', pooling: 'max' },
} as const;
type Variant = keyof typeof VARIANTS;

const DEFAULTS: Omit<RunDefaults, 'model'> = { epochs: 10, lr: 0.001, lrSchedule: 'constant', out: 'out/lenet' };

export const USAGE = `usage: pnpm train-lenet [flags]

Trains LeNet-5 (conv 6@5x5 pad 2 - subsample - conv 16@5x5 - subsample - 120 - 84 - 10) on MNIST in two
variants with the same data, epochs and optimizer, and reports the test accuracy of each:
classic (sigmoid, average subsampling, as in 1998) and modern (ReLU, max pooling).
Each variant writes into <out>/<variant>/ (checkpoint, accuracy.svg/png, filters, history.json).

  --variant <v>          classic, modern or both (default both)
${runFlagsUsage({ ...DEFAULTS, out: 'out/lenet' })}`;

const FLAGS = { ...RUN_FLAGS, variant: { type: 'string' } } as const;

/** One run per variant; with --resume, the single run of that checkpoint. */
export async function parseLenetArgs(argv: string[]): Promise<{ variant: Variant; run: RunOptions }[] | 'help'> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) return 'help';
  const choice = choiceFlag('variant', values.variant, ['classic', 'modern', 'both'] as const) ?? 'both';
  const variants: Variant[] = choice === 'both' ? ['classic', 'modern'] : [choice];
  if (values.resume !== undefined) {
    const run = await runFromFlags(values, { ...DEFAULTS, model: () => ({ name: 'LeNet5', options: {} }) });
    if (run.model.name !== 'LeNet5') throw new UsageError(`--resume: expected a LeNet5 checkpoint, got one of ${run.model.name}`);
    const variant: Variant = run.model.options.activation === 'relu' ? 'modern' : 'classic';
    if (choice !== 'both' && choice !== variant) throw new UsageError(`--variant: expected the checkpoint's ${variant} (or leave it out), got ${choice}`);
    return [{ variant, run }];
  }
  const out: { variant: Variant; run: RunOptions }[] = [];
  for (const variant of variants) {
    const run = await runFromFlags(values, { ...DEFAULTS, model: (seed) => ({ name: 'LeNet5', options: { ...VARIANTS[variant], seed } }) });
    out.push({ variant, run: { ...run, out: join(run.out, variant) } });
  }
  return out;
}

export async function main(argv: string[], overrides: Pick<RunOptions, 'log' | 'progress'> = {}): Promise<Partial<Record<Variant, RunResult>> | undefined> {
  const runs = await parseLenetArgs(argv);
  if (runs === 'help') {
    console.log(USAGE);
    return undefined;
  }
  const say = overrides.log === false ? () => {} : (overrides.log ?? console.log);
  const results: Partial<Record<Variant, RunResult>> = {};
  for (const { variant, run } of runs) {
    const { activation, pooling } = VARIANTS[variant];
    say(`--- LeNet-5 ${variant} (${activation}, ${pooling} pooling) ---`);
    results[variant] = await runTraining({ ...run, ...overrides });
  }
  for (const { variant, run } of runs) {
    const r = results[variant]!;
    const { activation, pooling } = VARIANTS[variant];
    const perEpoch = r.epochsRun > 0 ? r.seconds / r.epochsRun : 0;
    say(
      `LeNet-5 ${variant.padEnd(7)} (${activation}, ${pooling}): test acc ${(100 * r.testAccuracy).toFixed(2)}% (all ${run.testSize}) ` +
        `after ${r.history.epochs.length} epochs, ${perEpoch.toFixed(1)} s/epoch`,
    );
  }
  return results;
}

if (isMain(import.meta.url)) runMain(main, USAGE);
