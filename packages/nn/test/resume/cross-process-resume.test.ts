import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tapegrad/core';
import { CHECKPOINT_FILE, loadCheckpointSync, type Checkpoint, type FitResult, type History, type Trainer, type TrainerState } from '@tapegrad/nn';
import { makeTrainer } from './run-setup.js';

// Exact resume across processes: a run of 3 epochs in this process against 2 epochs in one child
// process and the 3rd in another that starts from the 2-epoch checkpoint. Children run the TypeScript
// sources through the shared loader, so this needs no build.
const register = fileURLToPath(new URL('../support/register.mjs', import.meta.url));
const child = fileURLToPath(new URL('./child.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tapegrad-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ChildResult {
  history: History;
  testAccuracy: number;
  startEpoch: number;
}

/** Runs child.mjs with `args` in a new Node process; resolves with the JSON line it prints. */
function runChild(args: string[]): Promise<ChildResult> {
  const proc = spawn(process.execPath, ['--import', register, child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) reject(new Error(`child ${args.join(' ')} exited with ${code}:\n${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

function bytesOf(t: Tensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Every tensor of a checkpoint (model parameters and optimizer buffers) by name, as raw bytes. */
function tensorBytes(ckpt: Checkpoint): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, t] of Object.entries(ckpt.modelState)) out.set(k, bytesOf(t));
  for (const [k, t] of Object.entries(ckpt.optimizerState?.tensors ?? {})) out.set(`optimizer.${k}`, bytesOf(t));
  return out;
}

/** Names of the tensors whose bytes differ between two checkpoints (or exist in only one). */
function differingTensors(a: Checkpoint, b: Checkpoint): string[] {
  const ta = tensorBytes(a);
  const tb = tensorBytes(b);
  const names = [...new Set([...ta.keys(), ...tb.keys()])];
  return names.filter((k) => ta.get(k) === undefined || tb.get(k) === undefined || !ta.get(k)!.equals(tb.get(k)!));
}

describe('exact resume across processes', () => {
  const saved = join(dir, 'first', CHECKPOINT_FILE);
  const straightFile = join(dir, 'straight', CHECKPOINT_FILE);
  const straightAtEpoch2 = join(dir, 'straight-epoch2.safetensors');
  let straight: Trainer;
  let a: FitResult;
  let first: ChildResult;

  beforeAll(async () => {
    // The straight run, in this process; its epoch-2 checkpoint is kept aside before epoch 3 replaces it.
    straight = makeTrainer(3, join(dir, 'straight'));
    straight.onEpochEnd(({ epoch, checkpoint }) => {
      if (epoch === 2) copyFileSync(checkpoint!, straightAtEpoch2);
    });
    a = await straight.fit();
    // Two epochs in a child process that saves its per-epoch checkpoint and exits.
    first = await runChild(['train', '2', join(dir, 'first')]);
  });

  it('3 epochs straight = 2 epochs in one process + 1 resumed in a new process: identical bytes and history', async () => {
    const second = await runChild(['resume', '3', join(dir, 'second'), saved]);
    const resumedFile = join(dir, 'second', CHECKPOINT_FILE);

    // The 2-epoch child reproduced the straight run's first two epochs exactly (every tensor byte for
    // byte; the metadata differs only in the run's planned `epochs`, 2 against 3) ...
    expect(a.checkpoint).toBe(straightFile);
    expect(first.startEpoch).toBe(0);
    expect(first.history).toEqual({ epochs: a.history.epochs.slice(0, 2), batchLoss: a.history.batchLoss.slice(0, 22) });
    const atEpoch2 = loadCheckpointSync(saved);
    const straightEpoch2 = loadCheckpointSync(straightAtEpoch2);
    expect(differingTensors(straightEpoch2, atEpoch2)).toEqual([]);
    expect(atEpoch2.optimizerState!.scalars).toEqual(straightEpoch2.optimizerState!.scalars);
    const plan = (c: Checkpoint) => ({ ...(c.metadata.trainer as TrainerState), config: { ...(c.metadata.trainer as TrainerState).config, epochs: 0 } });
    expect(plan(atEpoch2)).toEqual(plan(straightEpoch2));

    // ... the resumed child trained only epoch 3, which really moved every weight and Adam buffer ...
    expect(second.startEpoch).toBe(2);
    const resumed = loadCheckpointSync(resumedFile);
    const straightCkpt = loadCheckpointSync(straightFile);
    expect(differingTensors(atEpoch2, resumed)).toHaveLength(Object.keys(atEpoch2.modelState).length * 3);

    // ... to exactly the straight run's state: parameters and optimizer buffers bit for bit, step counts,
    // history (every batch loss, every accuracy) and the final accuracy on the whole test set.
    expect(differingTensors(straightCkpt, resumed)).toEqual([]);
    for (const [name, p] of straight.model.namedParameters()) expect(bytesOf(resumed.modelState[name]!).equals(bytesOf(p))).toBe(true);
    expect(resumed.optimizerState!.scalars).toEqual(straightCkpt.optimizerState!.scalars);
    expect(second.history).toEqual(a.history);
    expect(second.history.batchLoss).toHaveLength(33);
    expect(second.testAccuracy).toBe(a.testAccuracy);
    expect(resumed.metadata).toEqual(straightCkpt.metadata);
    // Nothing else differs either: the two final checkpoint files are the same bytes.
    expect(readFileSync(resumedFile).equals(readFileSync(straightFile))).toBe(true);
  });

  it('the same comparison catches a resume that loses the optimizer state (negative control)', async () => {
    // The same 2-epoch checkpoint, but the child replaces the restored Adam state by a fresh one.
    const broken = await runChild(['resume-fresh-optimizer', '3', join(dir, 'broken'), saved]);
    const resumed = loadCheckpointSync(join(dir, 'broken', CHECKPOINT_FILE));
    expect(broken.startEpoch).toBe(2);
    expect(differingTensors(loadCheckpointSync(straightFile), resumed)).toContain('conv1.weight');
    expect(broken.history.epochs.slice(0, 2)).toEqual(a.history.epochs.slice(0, 2));
    expect(broken.history.batchLoss.slice(23)).not.toEqual(a.history.batchLoss.slice(23));
  });
});
