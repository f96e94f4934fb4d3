// Loads a checkpoint and reports its test accuracy: a saved model is usable on its own.
import { existsSync } from 'node:fs';
import { noGrad, tensor } from '@tapegrad/core';
import { countCorrect, loadCheckpoint } from '@tapegrad/nn';
import { intFlag, isMain, parseFlags, runMain, userPath, UsageError } from './cli.js';
import { FULL, mnist } from './data.js';
import { buildModel, type ModelSpec } from './models.js';

export const USAGE = `usage: pnpm predict [flags]

Rebuilds the model saved in a checkpoint and measures its accuracy on the MNIST test set.

  --checkpoint <file>    checkpoint.safetensors (default out/simple-convnet/checkpoint.safetensors)
  --limit <n>            first n test images (default all 10000)
  --batch-size <n>       images per forward pass (default 500)
  -h, --help             this text
A plain state dict without tapegrad metadata (e.g. saved from PyTorch) is read as a default SimpleConvNet.`;

const FLAGS = {
  checkpoint: { type: 'string' },
  limit: { type: 'string' },
  'batch-size': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface PredictResult {
  accuracy: number;
  correct: number;
  total: number;
  /** Accuracy per digit 0..9. */
  perClass: number[];
}

/**
 * Accuracy of the model in `file` on the first `limit` test images.
 * @example const { accuracy } = await predict('out/simple-convnet/checkpoint.safetensors');
 */
export async function predict(file: string, options: { limit?: number; batchSize?: number } = {}): Promise<PredictResult> {
  const { modelState, metadata } = await loadCheckpoint<{ run?: { model?: ModelSpec } }>(file);
  const spec: ModelSpec = metadata.run?.model ?? { name: 'SimpleConvNet', options: {} };
  const model = buildModel(spec);
  model.loadStateDict(modelState);
  model.eval();
  const total = options.limit ?? FULL.test;
  const batchSize = options.batchSize ?? 500;
  const { x, t } = mnist('test', total);
  const hits = new Array<number>(10).fill(0);
  const counts = new Array<number>(10).fill(0);
  let correct = 0;
  noGrad(() => {
    for (let s = 0; s < total; s += batchSize) {
      const e = Math.min(s + batchSize, total);
      const batch = tensor(x.data.subarray(s * 784, e * 784), [e - s, 1, 28, 28]);
      const labels = tensor(t.data.subarray(s, e), [e - s], { dtype: 'int32' });
      const logits = model.forward(batch);
      correct += countCorrect(logits, labels);
      for (let i = 0; i < e - s; i++) {
        const label = labels.data[i]!;
        counts[label]! += 1;
        let best = 0;
        for (let j = 1; j < 10; j++) if (logits.data[i * 10 + j]! > logits.data[i * 10 + best]!) best = j;
        if (best === label) hits[label]! += 1;
      }
    }
  });
  return { accuracy: correct / total, correct, total, perClass: hits.map((h, i) => (counts[i]! > 0 ? h / counts[i]! : NaN)) };
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<PredictResult | undefined> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const limit = intFlag('limit', values.limit, 1, FULL.test);
  const batchSize = intFlag('batch-size', values['batch-size'], 1, FULL.test);
  const file = userPath(values.checkpoint ?? 'out/simple-convnet/checkpoint.safetensors');
  if (!existsSync(file)) throw new UsageError(`--checkpoint: expected an existing checkpoint file, got ${file} (train first: pnpm train)`);
  const result = await predict(file, { ...(limit === undefined ? {} : { limit }), ...(batchSize === undefined ? {} : { batchSize }) });
  log(`${file}: test accuracy ${(100 * result.accuracy).toFixed(2)}% (${result.correct} / ${result.total})`);
  log(`per digit: ${result.perClass.map((a, d) => `${d}: ${(100 * a).toFixed(1)}%`).join('  ')}`);
  return result;
}

if (isMain(import.meta.url)) runMain(main, USAGE);
