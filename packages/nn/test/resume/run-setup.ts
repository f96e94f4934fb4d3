// The tiny training run of the cross-process resume test, built the same way by the test process and
// by the child processes it spawns (which load this file through ../support/register.mjs).
import { loadMnist } from '@tapegrad/datasets';
import { Adam, SimpleConvNet, Trainer, type LabeledData } from '@tapegrad/nn';

/**
 * 210 MNIST training images in batches of 20 (the last batch of each epoch holds 10, so partial
 * batches are part of what must replay), a 4-filter SimpleConvNet, Adam, evaluation on 100 images.
 */
export const RUN = { trainSize: 210, testSize: 100, batchSize: 20, evalSample: 100, seed: 11, lr: 0.003 } as const;

function mnist(split: 'train' | 'test', limit: number): LabeledData {
  const { images, labels } = loadMnist({ split, limit });
  return { x: images, t: labels };
}

/**
 * A fresh Trainer (fresh seeded weights, fresh optimizer) for `epochs` epochs that writes its
 * per-epoch checkpoint into `checkpointDir`.
 * @example const { history } = await makeTrainer(3, dir).fit();
 */
export function makeTrainer(epochs: number, checkpointDir: string): Trainer {
  const model = new SimpleConvNet({
    inputDim: [1, 28, 28],
    conv: { filterNum: 4, filterSize: 5, pad: 0, stride: 1 },
    hiddenSize: 16,
    outputSize: 10,
    weightInitStd: 'he',
    seed: 5,
  });
  return new Trainer({
    model,
    optimizer: new Adam(model.parameters(), { lr: RUN.lr }),
    train: mnist('train', RUN.trainSize),
    test: mnist('test', RUN.testSize),
    epochs,
    batchSize: RUN.batchSize,
    evalSample: RUN.evalSample,
    seed: RUN.seed,
    checkpointDir,
    log: false,
  });
}
