import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Tensor } from '@tapegrad/core';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';
import { type Safetensors, parseSafetensors, serializeSafetensors } from './safetensors.js';

/**
 * Saves tensors as a safetensors file, atomically (temporary file in the same folder, fsync, rename,
 * fsync of the folder): the file is never seen half-written.
 * @example await saveSafetensors('weights.safetensors', model.stateDict(), { note: 'epoch 3' });
 */
export async function saveSafetensors(file: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(file, serializeSafetensors(tensors, metadata));
}

/** The synchronous form of `saveSafetensors`. */
export function saveSafetensorsSync(file: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  writeFileAtomicSync(file, serializeSafetensors(tensors, metadata));
}

/**
 * Loads and validates a safetensors file (errors are FormatErrors naming the file).
 * @example const { tensors } = await loadSafetensors('model.safetensors'); model.loadStateDict(tensors);
 */
export async function loadSafetensors(file: string): Promise<Safetensors> {
  return parseSafetensors(await readFile(file), file);
}

/** The synchronous form of `loadSafetensors`. */
export function loadSafetensorsSync(file: string): Safetensors {
  return parseSafetensors(readFileSync(file), file);
}
