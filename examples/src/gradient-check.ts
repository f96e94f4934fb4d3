// The book's gradient check: numerical vs tape gradients of every SimpleConvNet parameter, in float64.
import { Rng, cast, noGrad, softmaxCrossEntropy, type Tensor } from '@tapegrad/core';
import { SimpleConvNet } from '@tapegrad/nn';
import { Failure, intFlag, isMain, parseFlags, positiveFlag, runMain, UsageError } from './cli.js';
import { mnist } from './data.js';

export const USAGE = `usage: pnpm gradient-check [flags]

Compares the tape's gradients of SimpleConvNet's loss with central differences, in float64, on a few
MNIST images, and prints the mean absolute difference per parameter (the book's gradient_check.py).

  --images <n>       MNIST training images in the batch (default 3)
  --entries <n|all>  entries of each parameter differentiated numerically, drawn at random (default 40;
                     'all' checks every one of the 433,890 entries, which takes hours)
  --eps <x>          finite-difference step (default 1e-6)
  --seed <n>         seed of the weights and of the sampled entries (default 0)
  -h, --help         this text`;

const FLAGS = {
  images: { type: 'string' },
  entries: { type: 'string' },
  eps: { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A check passes when every sampled numerical and tape gradient agree to this absolute tolerance. */
export const TOLERANCE = 1e-7;

export interface ParameterCheck {
  name: string;
  shape: readonly number[];
  /** Entries compared. */
  checked: number;
  meanAbsDiff: number;
  maxAbsDiff: number;
  /** Mean |gradient| over the checked entries, for scale. */
  meanAbsGrad: number;
}

export interface GradientCheckOptions {
  images?: number;
  /** Entries per parameter, or 'all'. */
  entries?: number | 'all';
  eps?: number;
  seed?: number;
}

/**
 * Runs the check and returns one row per parameter (conv1.weight, conv1.bias, fc1.weight, …).
 * @example const rows = gradientCheck({ images: 3, entries: 40 }); rows.every((r) => r.maxAbsDiff < 1e-7)
 */
export function gradientCheck(options: GradientCheckOptions = {}): ParameterCheck[] {
  const { images = 3, entries = 40, eps = 1e-6, seed = 0 } = options;
  const net = new SimpleConvNet({ dtype: 'float64', seed });
  // The biases start at 0, and MNIST's background pixels are exactly 0, so every background position of
  // conv1 would sit exactly on ReLU's kink, where the central difference averages the two one-sided
  // slopes (0 and 1) while the tape uses relu'(0) = 0. Small random biases move the check off the kink.
  const biasRng = new Rng(seed + 2);
  for (const [name, p] of net.namedParameters()) if (name.endsWith('.bias')) for (let i = 0; i < p.size; i++) p.data[i] = 0.01 * biasRng.normal();
  const { x: x32, t } = mnist('train', images);
  const x = cast(x32, 'float64');
  const loss = (): Tensor => softmaxCrossEntropy(net.forward(x), t);

  net.zeroGrad();
  loss().backward();
  const rng = new Rng(seed + 1);
  const rows: ParameterCheck[] = [];
  for (const [name, p] of net.namedParameters()) {
    const tape = p.grad!.data;
    const n = p.size;
    const indices = entries === 'all' || entries >= n ? Array.from({ length: n }, (_, i) => i) : [...rng.permutation(n).subarray(0, entries)];
    let sumDiff = 0;
    let maxDiff = 0;
    let sumGrad = 0;
    noGrad(() => {
      for (const i of indices) {
        const original = p.data[i]!;
        p.data[i] = original + eps;
        const plus = loss().item();
        p.data[i] = original - eps;
        const minus = loss().item();
        p.data[i] = original;
        const numerical = (plus - minus) / (2 * eps);
        const diff = Math.abs(numerical - tape[i]!);
        sumDiff += diff;
        maxDiff = Math.max(maxDiff, diff);
        sumGrad += Math.abs(tape[i]!);
      }
    });
    rows.push({ name, shape: p.shape, checked: indices.length, meanAbsDiff: sumDiff / indices.length, maxAbsDiff: maxDiff, meanAbsGrad: sumGrad / indices.length });
  }
  return rows;
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<ParameterCheck[] | undefined> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const options: GradientCheckOptions = {};
  const images = intFlag('images', values.images, 1, 1000);
  if (images !== undefined) options.images = images;
  if (values.entries !== undefined) options.entries = values.entries === 'all' ? 'all' : intFlag('entries', values.entries, 1)!;
  const eps = positiveFlag('eps', values.eps);
  if (eps !== undefined) {
    if (eps > 0.1) throw new UsageError(`--eps: expected a small step (at most 0.1), got '${values.eps}'`);
    options.eps = eps;
  }
  const seed = intFlag('seed', values.seed, 0, 2 ** 31 - 1);
  if (seed !== undefined) options.seed = seed;
  const started = performance.now();
  const rows = gradientCheck(options);
  for (const r of rows) {
    log(
      `${r.name.padEnd(13)} ${`[${r.shape.join(',')}]`.padEnd(14)} ${String(r.checked).padStart(6)} entries  ` +
        `mean |numerical - tape| ${r.meanAbsDiff.toExponential(2)}  max ${r.maxAbsDiff.toExponential(2)}  (mean |grad| ${r.meanAbsGrad.toExponential(2)})`,
    );
  }
  const ok = rows.every((r) => r.maxAbsDiff < TOLERANCE);
  log(`${ok ? 'OK' : 'FAILED'}: every difference ${ok ? 'below' : 'NOT below'} ${TOLERANCE} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (!ok) throw new Failure(`gradient check failed: a difference of ${Math.max(...rows.map((r) => r.maxAbsDiff)).toExponential(2)} exceeds ${TOLERANCE}`);
  return rows;
}

if (isMain(import.meta.url)) runMain(main, USAGE);
