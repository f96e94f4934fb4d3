import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Rng, ValueError, argError } from '@tapegrad/core';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/index.js';
import type { Module } from '../module/module.js';
import type { OptimizerState } from '../optim/optimizer.js';
import type { BatcherState } from './batches.js';
import { parseHistory, type History } from './history.js';

/** What the Trainer needs of an optimizer: a step, and state it can save and restore. */
export interface TrainerOptimizer {
  step(): void;
  zeroGrad(): void;
  stateDict(): OptimizerState;
  loadStateDict(state: OptimizerState): void;
}

/** The settings of a run; a resume checks that they match. */
export interface TrainerConfig {
  epochs: number;
  batchSize: number;
  evalSample: number | null;
  seed: number;
  trainSize: number;
  testSize: number;
}

/** The Trainer's part of a checkpoint's metadata (under the key `trainer`). */
export interface TrainerState {
  epoch: number;
  history: History;
  loader: BatcherState;
  config: TrainerConfig;
  /** State of every module's own random generator (Dropout masks), by module name. */
  moduleRng?: Record<string, number[]>;
}

/** Modules that draw random numbers during training (Dropout) and whose generator must be saved. */
function moduleRngs(model: Module): [string, Rng][] {
  const out: [string, Rng][] = [];
  for (const [name, m] of model.namedModules()) {
    const rng = (m as unknown as { rng?: unknown }).rng;
    if (rng instanceof Rng) out.push([name, rng]);
  }
  return out;
}

/**
 * Writes a checkpoint (atomically, via the checkpoint module): model, optimizer state, and metadata
 * `{ ...metadata, trainer: TrainerState }`.
 */
export async function writeTrainerCheckpoint(
  file: string,
  parts: { model: Module; optimizer: TrainerOptimizer; metadata: Record<string, unknown>; trainer: Omit<TrainerState, 'moduleRng'> },
): Promise<void> {
  const moduleRng: Record<string, number[]> = {};
  for (const [name, rng] of moduleRngs(parts.model)) moduleRng[name] = rng.getState();
  const trainer: TrainerState = { ...parts.trainer, moduleRng };
  mkdirSync(dirname(file), { recursive: true });
  await saveCheckpoint(file, { model: parts.model, optimizer: parts.optimizer, metadata: { ...parts.metadata, trainer } });
}

/** A checkpoint read and checked, ready to be applied to the model and optimizer. */
export interface LoadedTrainerCheckpoint {
  epoch: number;
  history: History;
  loader: BatcherState;
  config: TrainerConfig;
  /** Copies the saved parameters, optimizer state and module generators into the live objects. */
  apply(): void;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Reads a Trainer checkpoint and validates its trainer metadata; changes nothing until `apply()`. */
export async function readTrainerCheckpoint(file: string, model: Module, optimizer: TrainerOptimizer): Promise<LoadedTrainerCheckpoint> {
  const { modelState, optimizerState, metadata } = await loadCheckpoint(file);
  const op = 'Trainer.restore';
  const trainer = isRecord(metadata) ? metadata.trainer : undefined;
  if (!isRecord(trainer)) throw argError(ValueError, op, file, 'a checkpoint written by a Trainer (metadata.trainer)', 'no trainer metadata');
  if (optimizerState === undefined) throw argError(ValueError, op, file, 'a checkpoint with optimizer state', 'none');
  const { epoch, loader, config } = trainer;
  if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) throw argError(ValueError, op, 'metadata.trainer.epoch', 'a non-negative integer', JSON.stringify(epoch));
  if (!isRecord(loader) || typeof loader.epoch !== 'number' || !Array.isArray(loader.rng)) {
    throw argError(ValueError, op, 'metadata.trainer.loader', '{ epoch, rng }', JSON.stringify(loader));
  }
  if (!isRecord(config)) throw argError(ValueError, op, 'metadata.trainer.config', 'an object', JSON.stringify(config));
  const history = parseHistory(trainer.history);
  if (history.epochs.length !== epoch) {
    throw argError(ValueError, op, 'metadata.trainer.history', `${epoch} epochs to match metadata.trainer.epoch`, `${history.epochs.length}`);
  }
  const savedRng = isRecord(trainer.moduleRng) ? trainer.moduleRng : {};
  const rngs = moduleRngs(model);
  const missing = rngs.filter(([name]) => !Array.isArray(savedRng[name])).map(([name]) => name || '(root)');
  if (missing.length > 0) throw argError(ValueError, op, 'metadata.trainer.moduleRng', `generator state for ${missing.join(', ')}`, 'none');
  return {
    epoch,
    history,
    loader: { epoch: loader.epoch, rng: loader.rng as number[] },
    config: config as unknown as TrainerConfig,
    apply() {
      model.loadStateDict(modelState);
      optimizer.loadStateDict(optimizerState);
      for (const [name, rng] of rngs) rng.setState(savedRng[name] as number[]);
    },
  };
}
