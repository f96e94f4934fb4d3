// Builds the float32 kernels from AssemblyScript into two WebAssembly modules:
//   wasm/build/tapegrad-simd.wasm     SIMD (128-bit), shared imported memory
//   wasm/build/tapegrad-relaxed.wasm  the same with relaxed-SIMD fused multiply-add
// The loader (src/backend/wasm/loader.ts) picks the relaxed one where WebAssembly.validate accepts it.
// Run from anywhere: `node packages/core/wasm/build.mjs`. Nothing here is committed (*.wasm is ignored).
import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build');
mkdirSync(out, { recursive: true });

// Maximum memory is a property of the imported memory the loader creates; these flags only declare
// that the module imports a shared memory (65536 pages = 4 GiB is the wasm32 ceiling).
const common = [
  join(here, 'assembly', 'index.ts'),
  '-O3',
  '--noAssert',
  '--runtime', 'stub',
  '--importMemory',
  '--sharedMemory',
  '--initialMemory', '1',
  '--maximumMemory', '65536',
  '--noExportMemory',
  '--use', 'abort=',
];

const variants = [
  { file: 'tapegrad-simd.wasm', features: 'simd,threads' },
  { file: 'tapegrad-relaxed.wasm', features: 'simd,threads,relaxed-simd' },
];

for (const v of variants) {
  const target = join(out, v.file);
  // Built under a temporary name and renamed, so a concurrent reader never sees half a module.
  const tmp = `${target}.${process.pid}.tmp`;
  const { error, stderr } = await asc.main([...common, '--enable', v.features, '--outFile', tmp]);
  if (!error) renameSync(tmp, target);
  if (error) {
    console.error(stderr.toString());
    console.error(`wasm build failed (${v.file}): ${error.message}`);
    process.exit(1);
  }
}
console.log(`built ${variants.map((v) => v.file).join(', ')} into ${out}`);
