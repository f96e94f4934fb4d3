import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng, Tensor, ValueError, tensor } from '@tapegrad/core';
import { Adam, CosineAnnealingLR, Dropout, Linear, ReLU, Sequential, Trainer, type EpochEndEvent, type History, type TrainerOptions } from '@tapegrad/nn';

const dir = mkdtempSync(join(tmpdir(), 'tapegrad-trainer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** n points in 6-D, 3 classes, labelled by which of three fixed directions they are closest to. */
function blobs(n: number, seed: number): { x: Tensor; t: Tensor } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 6);
  const t = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.nextInt(3);
    t[i] = c;
    for (let j = 0; j < 6; j++) x[i * 6 + j] = rng.normal() * 0.8 + (j % 3 === c ? 1.5 : 0);
  }
  return { x: tensor(x, [n, 6]), t: tensor(t, [n], { dtype: 'int32' }) };
}

const train = blobs(90, 1);
const test = blobs(40, 2);

/** A fresh tiny net (with Dropout, so its generator must be checkpointed too) and its Adam. */
function setup(extra: Partial<TrainerOptions> = {}): Trainer {
  const model = new Sequential(new Linear(6, 16, { seed: 3 }), new ReLU(), new Dropout(0.2, { seed: 4 }), new Linear(16, 3, { seed: 5 }));
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  return new Trainer({ model, optimizer, train, test, epochs: 3, batchSize: 16, evalSample: 30, seed: 7, log: false, ...extra });
}

function bits(trainer: Trainer): number[][] {
  return trainer.model.parameters().map((p) => Array.from(new Uint32Array(new Float32Array(p.data).buffer)));
}

describe('Trainer', () => {
  it('trains: the loss falls and the history has one record per epoch and one loss per batch', async () => {
    const trainer = setup({ epochs: 4 });
    const { history, testAccuracy } = await trainer.fit();
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(history.epochs.every((e) => e.batches === 6)).toBe(true); // ceil(90 / 16)
    expect(history.batchLoss).toHaveLength(24);
    expect(history.epochs[3]!.loss).toBeLessThan(history.epochs[0]!.loss);
    expect(history.epochs[3]!.trainAccuracy).toBeGreaterThan(0.6);
    // The final accuracy is over the whole test set: a multiple of 1/40.
    expect(testAccuracy * 40).toBeCloseTo(Math.round(testAccuracy * 40), 9);
    expect(testAccuracy).toBeGreaterThan(0.5);
    expect(trainer.model.training).toBe(true);
  });

  it('3 epochs straight equal 2 epochs + resume for 1: bit-identical parameters, optimizer state and history', async () => {
    const straight = setup({ checkpointDir: join(dir, 'straight') });
    const a = await straight.fit();

    const first = setup({ epochs: 2, checkpointDir: join(dir, 'split') });
    const b1 = await first.fit();
    expect(b1.checkpoint).toBe(join(dir, 'split', 'checkpoint.safetensors'));
    expect(existsSync(b1.checkpoint!)).toBe(true);

    const second = setup({ checkpointDir: join(dir, 'split') }); // fresh weights, fresh optimizer
    expect(bits(second)).not.toEqual(bits(straight));
    const b = await second.resume(b1.checkpoint!);

    expect(bits(second)).toEqual(bits(straight));
    expect(b.history).toEqual(a.history);
    expect(b.testAccuracy).toBe(a.testAccuracy);
    const sa = straight.optimizer.stateDict();
    const sb = second.optimizer.stateDict();
    expect(sb.scalars).toEqual(sa.scalars);
    for (const k of Object.keys(sa.tensors)) expect(Array.from(sb.tensors[k]!.data)).toEqual(Array.from(sa.tensors[k]!.data));
  });

  it('steps a scheduler after every epoch; a resumed run continues its rates and matches the straight run bit for bit', async () => {
    const scheduled = (epochs: number, out: string, rates: number[]) => {
      const t = setup({ epochs, checkpointDir: join(dir, out) });
      const scheduler = new CosineAnnealingLR(t.optimizer as Adam, { tMax: 3 });
      return new Trainer({
        model: t.model, optimizer: t.optimizer, scheduler, train, test, epochs, batchSize: 16, evalSample: 30, seed: 7, log: false,
        checkpointDir: join(dir, out), onEpochEnd: (e) => void rates.push((e.trainer.optimizer as Adam).lr),
      });
    };
    const straightRates: number[] = [];
    const straight = scheduled(3, 'sched-straight', straightRates);
    const a = await straight.fit();
    expect(straightRates).toEqual([1, 2, 3].map((e) => 0.005 * (1 + Math.cos((Math.PI * e) / 3))));

    const firstRates: number[] = [];
    const b1 = await scheduled(2, 'sched-split', firstRates).fit();
    const resumedRates: number[] = [];
    const second = scheduled(3, 'sched-split', resumedRates);
    const b = await second.resume(b1.checkpoint!);
    expect(second.scheduler!.lastEpoch).toBe(3);
    expect([...firstRates, ...resumedRates]).toEqual(straightRates);
    expect(bits(second)).toEqual(bits(straight));
    expect(b.history).toEqual(a.history);
    // (and the rates mattered: without the scheduler the same run ends elsewhere)
    const unscheduled = setup();
    await unscheduled.fit();
    expect(bits(second)).not.toEqual(bits(unscheduled));
  });

  it('refuses a scheduler of another optimizer', () => {
    const other = new Adam([tensor([1], [1], { requiresGrad: true })], { lr: 0.1 });
    expect(() => setup({ scheduler: new CosineAnnealingLR(other, { tMax: 2 }) })).toThrow(/scheduler.*another optimizer/);
  });

  it('keeps the history immutable and calls onEpochEnd after each epoch with the checkpoint written', async () => {
    const events: EpochEndEvent[] = [];
    const kept: History[] = [];
    const trainer = setup({ epochs: 2, checkpointDir: join(dir, 'cb'), onEpochEnd: (e) => void events.push(e) });
    trainer.onEpochEnd(async (e) => {
      expect(existsSync(e.checkpoint!)).toBe(true);
      kept.push(e.history);
    });
    await trainer.fit();
    expect(events.map((e) => [e.epoch, e.epochs])).toEqual([[1, 2], [2, 2]]);
    expect(events[0]!.seconds).toBeGreaterThan(0);
    expect(kept[0]).not.toBe(kept[1]);
    expect(kept[0]!.epochs).toHaveLength(1); // the first snapshot did not grow
    expect(kept[1]!.epochs[0]).toBe(kept[0]!.epochs[0]); // structural sharing
    expect(Object.isFrozen(kept[1])).toBe(true);
    expect(() => (kept[1]!.batchLoss as number[]).push(1)).toThrow();
  });

  it('prints one plain line per epoch and the final accuracy when not on a terminal', async () => {
    const lines: string[] = [];
    await setup({ epochs: 2, log: (l) => lines.push(l), progress: 'lines' }).fit();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^epoch 1\/2 {2}loss \d+\.\d{4} {2}train acc \d+\.\d\d% {2}test acc \d+\.\d\d% {2}\d+\.\d s \(\d+ img\/s\)$/);
    expect(lines[2]).toMatch(/^test accuracy \(all 40 test images\): \d+\.\d\d%$/);
  });

  it('refuses to resume a run with other settings, and rejects bad options', async () => {
    const trainer = setup({ epochs: 1, checkpointDir: join(dir, 'other') });
    await trainer.fit();
    const differentBatch = setup({ batchSize: 8 });
    await expect(differentBatch.restore(trainer.checkpointFile!)).rejects.toThrow(/batchSize 16 \(this trainer: 8\)/);
    expect(differentBatch.epoch).toBe(0);
    expect(() => setup({ epochs: 0 })).toThrow(ValueError);
    expect(() => setup({ epochs: 0 })).toThrow('[Trainer] epochs: expected an integer >= 1, got 0');
    expect(() => setup({ batchSize: 2.5 })).toThrow('[Trainer] batchSize: expected an integer >= 1, got 2.5');
    expect(() => setup({ bogus: 1 } as Partial<TrainerOptions>)).toThrow(/unknown option 'bogus'/);
  });
});
