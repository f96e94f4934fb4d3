// Child process of the crash-safety test: saves checkpoints of growing versions in a loop until killed.
// Version v holds one tensor of n(v) float32 values all equal to v, and metadata { version: v, n }, so a
// reader can tell a complete version from a mix of two.
import { tensor } from '@tapegrad/core';
import { saveCheckpointSync } from '../../../src/checkpoint/index.ts';

const file = process.argv[2];
for (let v = 1; ; v++) {
  const n = 50_000 + (v % 5) * 10_000;
  saveCheckpointSync(file, { model: { w: tensor(new Float32Array(n).fill(v)) }, metadata: { version: v, n } });
  if (v === 1) process.stdout.write('ready\n');
}
