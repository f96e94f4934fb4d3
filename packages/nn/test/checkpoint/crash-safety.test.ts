import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '@tapegrad/core';
import { loadCheckpointSync } from '@tapegrad/nn';

const register = fileURLToPath(new URL('../support/register.mjs', import.meta.url));
const writer = fileURLToPath(new URL('./crash/writer.mjs', import.meta.url));

/** Starts the writer and resolves once its first checkpoint is complete. */
function startWriter(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', register, writer, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve(child));
    child.on('exit', (code) => reject(new Error(`writer exited early (code ${code}): ${err}`)));
  });
}

describe('crash safety of checkpoint saving', () => {
  it('a process killed (SIGKILL) at random moments while saving in a loop never leaves a partial checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapegrad-crash-'));
    const file = join(dir, 'ckpt.safetensors');
    const rng = new Rng(7);
    const seen = new Set<number>();
    for (let round = 0; round < 12; round++) {
      const child = await startWriter(file);
      await new Promise((r) => setTimeout(r, 5 + rng.nextInt(60)));
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
      const ckpt = loadCheckpointSync<{ version: number; n: number }>(file);
      const { version, n } = ckpt.metadata;
      const w = ckpt.modelState.w!;
      expect(w.size).toBe(n);
      expect(w.data.every((v) => v === version)).toBe(true);
      seen.add(version);
    }
    // the kills landed at different points of the loop, and nothing but stray temporaries is left
    expect(seen.size).toBeGreaterThan(1);
    expect(readdirSync(dir).filter((f) => f !== 'ckpt.safetensors').every((f) => /^\.ckpt\.safetensors\.\d+\.[0-9a-f]+\.tmp$/.test(f))).toBe(true);
  });
});
