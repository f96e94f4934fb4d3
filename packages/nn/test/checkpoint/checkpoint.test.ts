import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError, ValueError, randn, tensor } from '@tapegrad/core';
import {
  Adam,
  Linear,
  SimpleConvNet,
  crossEntropyLoss,
  loadCheckpoint,
  loadCheckpointSync,
  loadSafetensors,
  loadSafetensorsSync,
  saveCheckpoint,
  saveCheckpointSync,
  saveSafetensors,
  saveSafetensorsSync,
} from '@tapegrad/nn';

const tmp = () => mkdtempSync(join(tmpdir(), 'tapegrad-ckpt-'));

function tinyNet(seed: number) {
  return new SimpleConvNet({ inputDim: [1, 6, 6], conv: { filterNum: 2, filterSize: 3, pad: 1 }, hiddenSize: 4, outputSize: 3, seed, weightInitStd: 0.3 });
}

function trainSteps(net: SimpleConvNet, opt: Adam, steps: number, from: number): void {
  for (let s = from; s < from + steps; s++) {
    const x = randn([4, 1, 6, 6], { seed: 100 + s });
    opt.zeroGrad();
    crossEntropyLoss(net.forward(x), [s % 3, (s + 1) % 3, 0, 2]).backward();
    opt.step();
  }
}

describe('safetensors files', () => {
  it('saveSafetensors writes atomically: the file parses, no temporary file is left, an old file is replaced', async () => {
    const dir = tmp();
    const file = join(dir, 'w.safetensors');
    writeFileSync(file, 'old content');
    await saveSafetensors(file, { a: tensor([1, 2, 3]) }, { k: 'v' });
    expect(readdirSync(dir)).toEqual(['w.safetensors']);
    const { tensors, metadata } = await loadSafetensors(file);
    expect(Array.from(tensors.a!.data)).toEqual([1, 2, 3]);
    expect(metadata).toEqual({ k: 'v' });
    saveSafetensorsSync(file, { b: tensor([4]) });
    expect(readdirSync(dir)).toEqual(['w.safetensors']);
    expect(Object.keys(loadSafetensorsSync(file).tensors)).toEqual(['b']);
  });

  it('a write that fails leaves the old file intact and no temporary file', () => {
    const dir = tmp();
    const file = join(dir, 'w.safetensors');
    saveSafetensorsSync(file, { a: tensor([1]) });
    expect(() => saveSafetensorsSync(file, { a: 'nope' as never })).toThrow(ValueError);
    expect(readdirSync(dir)).toEqual(['w.safetensors']);
    expect(Array.from(loadSafetensorsSync(file).tensors.a!.data)).toEqual([1]);
  });

  it('errors when loading name the file', async () => {
    const file = join(tmp(), 'broken.safetensors');
    writeFileSync(file, new Uint8Array(20));
    await expect(loadSafetensors(file)).rejects.toThrow(FormatError);
    await expect(loadSafetensors(file)).rejects.toThrow(/broken\.safetensors: expected a JSON object header/);
  });
});

describe('checkpoints', () => {
  it('store model parameters under their plain names, optimizer state as optimizer.*, metadata as JSON', async () => {
    const net = tinyNet(1);
    const opt = new Adam(net.parameters(), { lr: 0.01 });
    trainSteps(net, opt, 2, 0);
    const file = join(tmp(), 'ckpt.safetensors');
    await saveCheckpoint(file, { model: net, optimizer: opt, metadata: { epoch: 2, history: [{ acc: 0.5 }], note: 'x' } });
    const raw = loadSafetensorsSync(file);
    expect(Object.keys(raw.tensors)).toEqual([
      'conv1.weight',
      'conv1.bias',
      'fc1.weight',
      'fc1.bias',
      'fc2.weight',
      'fc2.bias',
      ...['exp_avg', 'exp_avg_sq'].flatMap((b) => [0, 1, 2, 3, 4, 5].map((i) => `optimizer.${b}.${i}`)),
    ]);
    expect(JSON.parse(raw.metadata['tapegrad.metadata']!)).toEqual({ epoch: 2, history: [{ acc: 0.5 }], note: 'x' });
    const back = await loadCheckpoint(file);
    expect(Object.keys(back.modelState)).toEqual(net.namedParameters().map(([n]) => n));
    expect(back.metadata).toEqual({ epoch: 2, history: [{ acc: 0.5 }], note: 'x' });
    expect(back.optimizerState!.scalars).toEqual(opt.stateDict().scalars);
  });

  it('resuming from a checkpoint continues exactly like an uninterrupted run', () => {
    const straight = tinyNet(3);
    const optS = new Adam(straight.parameters(), { lr: 0.01 });
    trainSteps(straight, optS, 5, 0);

    const first = tinyNet(3);
    const opt1 = new Adam(first.parameters(), { lr: 0.01 });
    trainSteps(first, opt1, 3, 0);
    const file = join(tmp(), 'resume.safetensors');
    saveCheckpointSync(file, { model: first, optimizer: opt1, metadata: { step: 3 } });

    const resumed = tinyNet(99); // different initial weights: all of them come from the checkpoint
    const opt2 = new Adam(resumed.parameters());
    const ckpt = loadCheckpointSync<{ step: number }>(file);
    resumed.loadStateDict(ckpt.modelState);
    opt2.loadStateDict(ckpt.optimizerState!);
    trainSteps(resumed, opt2, 2, ckpt.metadata.step);
    for (const [[name, a], [, b]] of straight.namedParameters().map((p, i) => [p, resumed.namedParameters()[i]!] as const)) {
      expect(Array.from(b.data), name).toEqual(Array.from(a.data));
    }
  });

  it('a file without tapegrad metadata (e.g. a PyTorch state dict) loads as model state only', () => {
    const file = join(tmp(), 'pt.safetensors');
    saveSafetensorsSync(file, { 'optimizer.weight': tensor([1]), 'fc.bias': tensor([2]) }, { format: 'pt' });
    const ckpt = loadCheckpointSync(file);
    expect(Object.keys(ckpt.modelState)).toEqual(['optimizer.weight', 'fc.bias']);
    expect(ckpt.optimizerState).toBeUndefined();
    expect(ckpt.metadata).toEqual({});
    expect(ckpt.fileMetadata).toEqual({ format: 'pt' });
  });

  it('rejects metadata that is not JSON-serializable and corrupt checkpoint metadata', () => {
    const file = join(tmp(), 'bad.safetensors');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => saveCheckpointSync(file, { model: new Linear(2, 1), metadata: cyclic })).toThrow(/^\[saveCheckpoint\] metadata: expected a JSON-serializable value/);
    expect(() => saveCheckpointSync(file, { model: new Linear(2, 1), metadata: () => 1 })).toThrow(ValueError);
    saveSafetensorsSync(file, { w: tensor([1]) }, { 'tapegrad.metadata': '{not json' });
    expect(() => loadCheckpointSync(file)).toThrow(FormatError);
    expect(() => loadCheckpointSync(file)).toThrow(/__metadata__\["tapegrad\.metadata"\] as JSON, got invalid JSON/);
  });
});

describe('a state dict written by an independent writer (packages/nn/scripts/write_safetensors_fixture.py)', () => {
  const fixtures = new URL('../fixtures/', import.meta.url).pathname;

  function referenceIO() {
    const io = loadSafetensorsSync(join(fixtures, 'simple-convnet-tiny-io.safetensors'));
    return { x: io.tensors.x!, logits: io.tensors.logits!, config: JSON.parse(io.metadata.config!) };
  }

  it('loads into a SimpleConvNet (float32) and gives the outputs the writer computed', () => {
    const { x, logits, config } = referenceIO();
    const net = new SimpleConvNet({ ...config, seed: 0 });
    const ckpt = loadCheckpointSync(join(fixtures, 'simple-convnet-tiny.safetensors'));
    expect(ckpt.fileMetadata).toEqual({ format: 'pt' });
    net.loadStateDict(ckpt.modelState);
    const out = net.forward(x);
    expect(out.shape).toEqual(logits.shape);
    out.data.forEach((v, i) => expect(Math.abs(v - logits.data[i]!), `logit ${i}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(logits.data[i]!))));
  });

  it('loads the float64 copy into a float64 SimpleConvNet and matches to 1e-12', () => {
    const { x, logits, config } = referenceIO();
    const net = new SimpleConvNet({ ...config, seed: 0, dtype: 'float64' });
    net.loadStateDict(loadCheckpointSync(join(fixtures, 'simple-convnet-tiny-f64.safetensors')).modelState);
    const x64 = tensor(x.data, x.shape, { dtype: 'float64' });
    const out = net.forward(x64);
    out.data.forEach((v, i) => expect(Math.abs(v - logits.data[i]!), `logit ${i}`).toBeLessThan(1e-12));
  });

  it('the committed fixtures are exactly what the script writes (python3 required)', async () => {
    const { execFileSync } = await import('node:child_process');
    const dir = tmp();
    const script = new URL('../../scripts/write_safetensors_fixture.py', import.meta.url).pathname;
    try {
      execFileSync('python3', [script, dir]);
    } catch (e) {
      throw new Error(`python3 is needed to run the independent safetensors writer ${script}: ${(e as Error).message}`);
    }
    for (const name of ['simple-convnet-tiny.safetensors', 'simple-convnet-tiny-f64.safetensors', 'simple-convnet-tiny-io.safetensors']) {
      expect(Buffer.compare(readFileSync(join(dir, name)), readFileSync(join(fixtures, name))), name).toBe(0);
    }
  });
});
