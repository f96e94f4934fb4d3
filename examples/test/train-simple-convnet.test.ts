import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '@tapegrad/nn';
import { UsageError, exitCodeOf } from '../src/cli.js';
import { USAGE, main, parseTrainArgs } from '../src/train-simple-convnet.js';
import { mergeResumeConfig, type RunConfig } from '../src/train-run.js';

const dir = mkdtempSync(join(tmpdir(), 'tapegrad-train-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Width and height from a PNG's IHDR chunk (after checking the signature). */
function pngSize(file: string): [number, number] {
  const b = readFileSync(file);
  expect(b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(b.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

const tiny = ['--train-size', '200', '--test-size', '100', '--eval-sample', '100', '--batch-size', '50'];
const quiet = { log: false as const };

describe('train-simple-convnet', () => {
  it('trains on tiny settings and writes the checkpoint, the plots and the filter pictures', async () => {
    const out = join(dir, 'run');
    const lines: string[] = [];
    const result = await main([...tiny, '--epochs', '1', '--out', out], { log: (l) => lines.push(l), progress: 'lines' });
    expect(result!.history.epochs).toHaveLength(1);
    expect(result!.history.batchLoss).toHaveLength(4);
    expect(result!.testAccuracy).toBeGreaterThan(0.2); // 10 classes: chance is 0.1
    for (const f of ['checkpoint.safetensors', 'accuracy.svg', 'accuracy.png', 'filters-before.png', 'filters-after.png', 'history.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    // 30 filters in 10 columns of 5x5 at scale 8 with gap 2: 3 rows.
    expect(pngSize(join(out, 'filters-after.png'))).toEqual([10 * 40 + 11 * 2, 3 * 40 + 4 * 2]);
    expect(readFileSync(join(out, 'filters-before.png')).equals(readFileSync(join(out, 'filters-after.png')))).toBe(false);
    expect(pngSize(join(out, 'accuracy.png'))[0]).toBeGreaterThan(500);
    const { metadata, optimizerState } = await loadCheckpoint<{ run: { trainSize: number } }>(join(out, 'checkpoint.safetensors'));
    expect(metadata.run.trainSize).toBe(200);
    expect(optimizerState?.scalars.type).toBe('Adam');
    expect(lines.some((l) => /^epoch 1\/1 {2}loss/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^final: train acc \d+\.\d\d% \(sample\), test acc \d+\.\d\d% \(all 100\)$/);
  });

  it('--resume continues a run exactly: 1 epoch + resume to 2 equals 2 epochs straight', async () => {
    const straight = await main([...tiny, '--epochs', '2', '--seed', '3', '--out', join(dir, 'straight')], quiet);
    await main([...tiny, '--epochs', '1', '--seed', '3', '--out', join(dir, 'split')], quiet);
    const ckpt = join(dir, 'split', 'checkpoint.safetensors');
    // Settings come from the checkpoint; only the epochs are given.
    const resumed = await main(['--resume', ckpt, '--epochs', '2', '--out', join(dir, 'split')], quiet);
    expect(resumed!.history).toEqual(straight!.history);
    const a = await loadCheckpoint(join(dir, 'straight', 'checkpoint.safetensors'));
    const b = await loadCheckpoint(ckpt);
    for (const [k, t] of Object.entries(a.modelState)) expect(Array.from(b.modelState[k]!.data), k).toEqual(Array.from(t.data));
  });

  it('--lr-schedule cosine anneals Adam from --lr to 0 by the last epoch; constant keeps the book\'s rate; a resume keeps the run\'s', async () => {
    const rates = async (schedule: string, out: string) => {
      await main([...tiny, '--epochs', '2', '--lr-schedule', schedule, '--out', join(dir, out)], quiet);
      const { optimizerState, metadata } = await loadCheckpoint<{ run: { lrSchedule: string } }>(join(dir, out, 'checkpoint.safetensors'));
      return { lr: optimizerState!.scalars.lr, saved: metadata.run.lrSchedule };
    };
    // after the last of 2 epochs the cosine is at lrAt(2) = 0; constant leaves 0.001
    expect(await rates('cosine', 'cosine')).toEqual({ lr: 0, saved: 'cosine' });
    expect(await rates('constant', 'constant')).toEqual({ lr: 0.001, saved: 'constant' });
    const ckpt = join(dir, 'cosine', 'checkpoint.safetensors');
    await expect(parseTrainArgs(['--resume', ckpt, '--lr-schedule', 'constant'])).rejects.toThrow(/--lr-schedule: expected the resumed run's cosine/);
    expect(await parseTrainArgs(['--resume', ckpt])).toMatchObject({ lrSchedule: 'cosine', model: { options: { weightInitStd: 'he' } } });
    await expect(parseTrainArgs(['--resume', ckpt, '--weight-init', '0.01'])).rejects.toThrow(/--weight-init: expected the resumed run's he/);
    // a checkpoint from before --lr-schedule existed was trained at a constant rate, and resumes so
    const { lrSchedule: _, ...older } = (await parseTrainArgs([])) as RunConfig;
    expect(mergeResumeConfig(older as RunConfig, {})).toMatchObject({ lrSchedule: 'constant' });
    expect(() => mergeResumeConfig(older as RunConfig, { lrSchedule: 'cosine' })).toThrow(/expected the resumed run's constant/);
  });

  it('validates flags: a bad value is a UsageError naming the flag, exit code 2 without a stack trace', async () => {
    const bad: [string[], RegExp][] = [
      [['--epochs', '0'], /--epochs: expected an integer in \[1, 100000\], got '0'/],
      [['--epochs', 'ten'], /--epochs: expected an integer/],
      [['--batch-size', '2.5'], /--batch-size: expected an integer/],
      [['--lr=-1'], /--lr: expected a positive number, got '-1'/],
      [['--lr', '-1'], /'--lr' argument is ambiguous/],
      [['--lr', 'abc'], /--lr: expected a positive number, got 'abc'/],
      [['--seed=-3'], /--seed: expected an integer in \[0, 2147483647\]/],
      [['--full', '--train-size', '10'], /--full: expected no --train-size/],
      [['--bogus'], /Unknown option '--bogus'/],
      [['--epochs'], /--epochs/],
      [['stray'], /positional/],
      [['--resume', join(dir, 'missing.safetensors')], /--resume: expected a readable checkpoint/],
      [['--out', ''], /--out: expected a folder/],
      [['--lr-schedule', 'linear'], /--lr-schedule: expected one of constant, cosine, got 'linear'/],
      [['--weight-init', 'xavier'], /--weight-init: expected he or a positive number, got 'xavier'/],
      [['--weight-init', '0'], /--weight-init: expected he or a positive number, got '0'/],
    ];
    for (const [argv, message] of bad) {
      await expect(parseTrainArgs(argv), argv.join(' ')).rejects.toThrow(UsageError);
      await expect(parseTrainArgs(argv), argv.join(' ')).rejects.toThrow(message);
    }
    const printed: string[] = [];
    expect(await exitCodeOf(main, USAGE, ['--lr', 'abc'], (t) => printed.push(t))).toBe(2);
    expect(printed[0]).toMatch(/^error: --lr: expected a positive number, got 'abc'\n\nusage: pnpm train/);
    expect(printed[0]).not.toMatch(/\n\s+at /);
  });

  it('defaults to the book quick run and maps --full to all of MNIST', async () => {
    const quick = await parseTrainArgs([]);
    expect(quick).toMatchObject({ trainSize: 5000, testSize: 1000, epochs: 20, batchSize: 100, lr: 0.001, lrSchedule: 'cosine', seed: 0, evalSample: 1000 });
    expect(quick).not.toBe('help');
    if (quick !== 'help') expect(quick.out.endsWith(join('out', 'simple-convnet'))).toBe(true);
    expect(quick).toMatchObject({ model: { name: 'SimpleConvNet', options: { weightInitStd: 'he', seed: 0 } } });
    // the book's own recipe
    expect(await parseTrainArgs(['--weight-init', '0.01', '--lr-schedule', 'constant', '--seed', '2'])).toMatchObject({
      lrSchedule: 'constant',
      model: { options: { weightInitStd: 0.01, seed: 2 } },
    });
    expect(await parseTrainArgs(['--full', '--epochs', '3'])).toMatchObject({ trainSize: 60000, testSize: 10000, epochs: 3 });
    expect(await parseTrainArgs(['-h'])).toBe('help');
    // `pnpm train -- --epochs 3` passes the `--` along.
    expect(await parseTrainArgs(['--', '--epochs', '3'])).toMatchObject({ epochs: 3, trainSize: 5000 });
  });
});
