import { FormatError, Tensor, ValueError, argError } from '@tapegrad/core';
import type { OptimizerState } from '../optim/optimizer.js';
import type { StateDict } from '../module/module.js';
import { loadSafetensors, loadSafetensorsSync, saveSafetensors, saveSafetensorsSync } from './safetensors-file.js';
import type { Safetensors } from './safetensors.js';

/** Prefix of the optimizer's tensors in a checkpoint (`optimizer.exp_avg.0`). */
export const OPTIMIZER_PREFIX = 'optimizer.';
/** `__metadata__` keys tapegrad writes; a file without them (e.g. a PyTorch state dict) loads as a plain model state. */
export const METADATA_KEY = 'tapegrad.metadata';
export const OPTIMIZER_SCALARS_KEY = 'tapegrad.optimizer';
export const FORMAT_KEY = 'tapegrad.format';
export const FORMAT_VERSION = 'checkpoint-1';

export interface CheckpointInput {
  /** A module (its stateDict() is saved) or a state dict. Parameters go under their plain names. */
  model: { stateDict(): StateDict } | StateDict;
  /** Saved as `optimizer.<buffer>.<i>` tensors plus its scalars as JSON in `__metadata__`. */
  optimizer?: { stateDict(): OptimizerState } | OptimizerState;
  /** Any JSON-serializable value (epoch, history, RNG states, config), stored as JSON in `__metadata__`. */
  metadata?: unknown;
}

export interface Checkpoint<M = Record<string, unknown>> {
  modelState: StateDict;
  optimizerState?: OptimizerState;
  /** The metadata given to saveCheckpoint, parsed back from JSON; `{}` when the file has none. */
  metadata: M;
  /** The raw `__metadata__` string map of the file. */
  fileMetadata: Record<string, string>;
}

function stateOf<T>(v: { stateDict(): T } | T): T {
  return typeof (v as { stateDict?: unknown }).stateDict === 'function' ? (v as { stateDict(): T }).stateDict() : (v as T);
}

function encode(input: CheckpointInput): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const op = 'saveCheckpoint';
  if (typeof input !== 'object' || input === null || input.model === undefined) {
    throw argError(ValueError, op, 'input', 'an object { model, optimizer?, metadata? }', String(input));
  }
  const tensors: Record<string, Tensor> = { ...stateOf(input.model) };
  const metadata: Record<string, string> = { [FORMAT_KEY]: FORMAT_VERSION };
  if (input.optimizer !== undefined) {
    const clash = Object.keys(tensors).find((k) => k.startsWith(OPTIMIZER_PREFIX));
    if (clash) throw argError(ValueError, op, 'model', `parameter names not starting with "${OPTIMIZER_PREFIX}" when an optimizer is saved`, JSON.stringify(clash));
    const state = stateOf(input.optimizer);
    for (const [k, t] of Object.entries(state.tensors)) tensors[OPTIMIZER_PREFIX + k] = t;
    metadata[OPTIMIZER_SCALARS_KEY] = JSON.stringify(state.scalars);
  }
  if (input.metadata !== undefined) {
    let json: string | undefined;
    try {
      json = JSON.stringify(input.metadata);
    } catch (e) {
      throw argError(ValueError, op, 'metadata', 'a JSON-serializable value', `one that JSON.stringify rejects (${(e as Error).message})`);
    }
    if (json === undefined) throw argError(ValueError, op, 'metadata', 'a JSON-serializable value', typeof input.metadata);
    metadata[METADATA_KEY] = json;
  }
  return { tensors, metadata };
}

function decode<M>(file: string, { tensors, metadata: fileMetadata }: Safetensors): Checkpoint<M> {
  const parse = (key: string): unknown => {
    try {
      return JSON.parse(fileMetadata[key]!);
    } catch (e) {
      throw argError(FormatError, 'loadCheckpoint', file, `__metadata__["${key}"] as JSON`, `invalid JSON (${(e as Error).message})`);
    }
  };
  const hasOptimizer = Object.hasOwn(fileMetadata, OPTIMIZER_SCALARS_KEY);
  const modelState: StateDict = {};
  const optimizerTensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) {
    if (hasOptimizer && k.startsWith(OPTIMIZER_PREFIX)) optimizerTensors[k.slice(OPTIMIZER_PREFIX.length)] = t;
    else modelState[k] = t;
  }
  const out: Checkpoint<M> = {
    modelState,
    metadata: (Object.hasOwn(fileMetadata, METADATA_KEY) ? parse(METADATA_KEY) : {}) as M,
    fileMetadata,
  };
  if (hasOptimizer) {
    const scalars = parse(OPTIMIZER_SCALARS_KEY);
    const valid = typeof scalars === 'object' && scalars !== null && !Array.isArray(scalars) && Object.values(scalars).every((v) => typeof v === 'number' || typeof v === 'string');
    if (!valid) throw argError(FormatError, 'loadCheckpoint', file, `__metadata__["${OPTIMIZER_SCALARS_KEY}"] as an object of numbers and strings`, JSON.stringify(scalars).slice(0, 80));
    out.optimizerState = { tensors: optimizerTensors, scalars: scalars as Record<string, number | string> };
  }
  return out;
}

/**
 * Saves a checkpoint as one safetensors file, atomically: the model's parameters under their plain names
 * (so the file reads like a PyTorch state dict), the optimizer's buffers as `optimizer.<name>` and its
 * scalars and your metadata as JSON in `__metadata__`.
 * @example await saveCheckpoint('out/ckpt.safetensors', { model, optimizer, metadata: { epoch: 3 } });
 */
export async function saveCheckpoint(file: string, input: CheckpointInput): Promise<void> {
  const { tensors, metadata } = encode(input);
  await saveSafetensors(file, tensors, metadata);
}

/** The synchronous form of `saveCheckpoint`. */
export function saveCheckpointSync(file: string, input: CheckpointInput): void {
  const { tensors, metadata } = encode(input);
  saveSafetensorsSync(file, tensors, metadata);
}

/**
 * Loads a checkpoint written by saveCheckpoint — or any safetensors state dict (e.g. PyTorch's), which
 * comes back as `modelState` alone.
 * @example
 * const { modelState, optimizerState, metadata } = await loadCheckpoint('out/ckpt.safetensors');
 * model.loadStateDict(modelState); if (optimizerState) optimizer.loadStateDict(optimizerState);
 */
export async function loadCheckpoint<M = Record<string, unknown>>(file: string): Promise<Checkpoint<M>> {
  return decode<M>(file, await loadSafetensors(file));
}

/** The synchronous form of `loadCheckpoint`. */
export function loadCheckpointSync<M = Record<string, unknown>>(file: string): Checkpoint<M> {
  return decode<M>(file, loadSafetensorsSync(file));
}
