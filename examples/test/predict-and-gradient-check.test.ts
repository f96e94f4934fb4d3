import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError, exitCodeOf } from '../src/cli.js';
import { TOLERANCE, USAGE as GC_USAGE, main as gradientCheckMain } from '../src/gradient-check.js';
import { main as predictMain, predict } from '../src/predict.js';
import { main as trainMain } from '../src/train-simple-convnet.js';

const dir = mkdtempSync(join(tmpdir(), 'tapegrad-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('predict', () => {
  it('reloads a trained checkpoint and reproduces the accuracy the training reported', async () => {
    const out = join(dir, 'run');
    const trained = await trainMain(['--train-size', '300', '--test-size', '150', '--epochs', '1', '--out', out], { log: false });
    const file = join(out, 'checkpoint.safetensors');
    const result = await predict(file, { limit: 150, batchSize: 64 });
    expect(result.total).toBe(150);
    expect(result.accuracy).toBe(trained!.testAccuracy);
    const lines: string[] = [];
    const viaMain = await predictMain(['--checkpoint', file, '--limit', '150'], (l) => lines.push(l));
    expect(viaMain!.correct).toBe(result.correct);
    expect(lines[0]).toMatch(/test accuracy \d+\.\d\d% \(\d+ \/ 150\)$/);
    expect(lines[1]).toMatch(/^per digit: 0: /);
  });

  it('rejects a missing checkpoint and bad flags', async () => {
    await expect(predictMain(['--checkpoint', join(dir, 'nope.safetensors')])).rejects.toThrow(UsageError);
    await expect(predictMain(['--limit', '0'])).rejects.toThrow(/--limit: expected an integer in \[1, 10000\], got '0'/);
  });
});

describe('gradient-check', () => {
  it('finds numerical and tape gradients equal for every SimpleConvNet parameter', async () => {
    const lines: string[] = [];
    const rows = await gradientCheckMain(['--images', '2', '--entries', '4'], (l) => lines.push(l));
    expect(rows!.map((r) => r.name)).toEqual(['conv1.weight', 'conv1.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    for (const r of rows!) {
      expect(r.checked).toBe(4);
      expect(r.maxAbsDiff).toBeLessThan(TOLERANCE);
      expect(r.meanAbsGrad).toBeGreaterThan(0);
    }
    expect(lines.at(-1)).toMatch(/^OK: every difference below 1e-7/);
  });

  it('validates its flags', async () => {
    const printed: string[] = [];
    expect(await exitCodeOf(gradientCheckMain, GC_USAGE, ['--entries', 'some'], (t) => printed.push(t))).toBe(2);
    expect(printed[0]).toMatch(/^error: --entries: expected an integer >= 1, got 'some'/);
    await expect(gradientCheckMain(['--eps', '1'])).rejects.toThrow(/--eps: expected a small step/);
  });
});
