import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli.js';
import { TOLERANCE, main as hvpMain } from '../src/hessian-vector-product.js';
import { predict } from '../src/predict.js';
import { main as alexnetMain, parseAlexnetArgs } from '../src/train-alexnet.js';
import { main as lenetMain, parseLenetArgs } from '../src/train-lenet.js';

const dir = mkdtempSync(join(tmpdir(), 'tapegrad-classic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny = ['--train-size', '200', '--test-size', '100', '--eval-sample', '100', '--batch-size', '50', '--epochs', '1'];

describe('train-lenet', () => {
  it('trains the classic and the modern variant on the same data and reports both', async () => {
    const lines: string[] = [];
    const out = join(dir, 'lenet');
    const results = await lenetMain([...tiny, '--out', out], { log: (l) => lines.push(l), progress: 'lines' });
    expect(Object.keys(results!)).toEqual(['classic', 'modern']);
    for (const v of ['classic', 'modern'] as const) {
      expect(results![v]!.history.epochs).toHaveLength(1);
      expect(existsSync(join(out, v, 'checkpoint.safetensors'))).toBe(true);
      expect(existsSync(join(out, v, 'filters-after.png'))).toBe(true);
    }
    expect(lines.filter((l) => /^LeNet-5 (classic|modern) +\((sigmoid, avg|relu, max)\): test acc \d+\.\d\d% \(all 100\) after 1 epochs/.test(l))).toHaveLength(2);
    // A resumed LeNet run takes its variant from the checkpoint, and refuses another one.
    const ckpt = join(out, 'modern', 'checkpoint.safetensors');
    const runs = await parseLenetArgs(['--resume', ckpt, '--epochs', '2']);
    expect(runs !== 'help' && runs.map((r) => r.variant)).toEqual(['modern']);
    await expect(parseLenetArgs(['--resume', ckpt, '--variant', 'classic'])).rejects.toThrow(/--variant: expected the checkpoint's modern/);
    await expect(parseLenetArgs(['--variant', 'retro'])).rejects.toThrow(UsageError);
  });
});

describe('train-alexnet', () => {
  it('trains a reduced AlexNet (dropout, LRN) and its checkpoint predicts what training reported', async () => {
    const out = join(dir, 'alexnet');
    const r = await alexnetMain([...tiny, '--width', '0.1', '--out', out], { log: false });
    expect(r!.history.epochs).toHaveLength(1);
    expect(r!.epochsRun).toBe(1);
    const p = await predict(join(out, 'checkpoint.safetensors'), { limit: 100 });
    expect(p.accuracy).toBe(r!.testAccuracy); // eval mode: dropout off, same weights
    await expect(parseAlexnetArgs(['--width', '0'])).rejects.toThrow(/--width: expected a positive number, got '0'/);
    await expect(parseAlexnetArgs(['--resume', join(out, 'checkpoint.safetensors'), '--width', '0.5'])).rejects.toThrow(/--width: expected the resumed run's 0.1/);
  });
});

describe('hessian-vector-product', () => {
  it('agrees with finite differences of gradients', async () => {
    const lines: string[] = [];
    const r = await hvpMain(['--images', '3'], (l) => lines.push(l));
    expect(r!.names).toEqual(['conv.weight', 'conv.bias', 'fc.weight', 'fc.bias']);
    expect(r!.relativeError).toBeLessThan(TOLERANCE);
    expect(Math.abs(r!.curvature)).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatch(/^OK: double backward agrees/);
    await expect(hvpMain(['--eps', '2'])).rejects.toThrow(/--eps: expected a small step/);
  });
});
