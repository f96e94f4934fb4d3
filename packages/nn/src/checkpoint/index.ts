// Checkpoints in the safetensors format: encoding, validation, atomic files, model + optimizer + metadata.
export { serializeSafetensors, parseSafetensors, type Safetensors } from './safetensors.js';
export { MAX_HEADER_BYTES } from './safetensors-header.js';
export { saveSafetensors, saveSafetensorsSync, loadSafetensors, loadSafetensorsSync } from './safetensors-file.js';
export { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';
export {
  saveCheckpoint,
  saveCheckpointSync,
  loadCheckpoint,
  loadCheckpointSync,
  type Checkpoint,
  type CheckpointInput,
} from './checkpoint.js';
