// Per-kernel timings of the SimpleConvNet shapes, wasm backend vs reference backend (medians, ms), to see
// where the train step goes. `node bench/kernels.mjs [--reps 30] [--only name] [--cpu]`. Needs
// packages/core/dist. --cpu reports process CPU time instead of wall time: steadier on a shared machine,
// meaningful with TAPEGRAD_THREADS=1 only. --reuse writes every call into the same output arrays, which
// leaves out the cost of first touching fresh memory (page faults) that real ops pay for new tensors.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, mulberry32, parseArgs, stats, time as wallTime } from './lib/common.mjs';

const args = parseArgs(process.argv.slice(2), { reps: 30, only: '', cpu: false, reuse: false });
const core = await import(pathToFileURL(join(ROOT, 'packages', 'core', 'dist', 'index.js')).href);
const wasm = core.listBackends().includes('wasm') ? (core.setBackend('wasm'), core.getBackend()) : null;
if (!wasm) throw new Error('the wasm backend did not load');
await wasm.startWorkers();
const ref = core.referenceBackend;

function cpuTime(fn, warmup, reps) {
  for (let r = 0; r < warmup; r++) fn();
  const ms = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.cpuUsage();
    fn();
    const u = process.cpuUsage(t0);
    ms.push((u.user + u.system) / 1000);
  }
  return stats(ms);
}
const time = args.cpu ? cpuTime : wallTime;

const rnd = mulberry32(1);
const outputs = new Map();
/** A zeroed output array: fresh per call (as ops allocate), or one reused array with --reuse. */
function fresh(n, type = Float32Array) {
  if (!args.reuse) return new type(n);
  const key = `${type.name}:${n}`;
  if (!outputs.has(key)) outputs.set(key, new type(n));
  return outputs.get(key).fill(0);
}
const f32 = (n) => Float32Array.from({ length: n }, () => rnd() * 2 - 1);
const g = (n, c, h, w, k, s) => ({ n, c, h, w, kh: k, kw: k, sh: s, sw: s, ph: 0, pw: 0, oh: Math.floor((h - k) / s) + 1, ow: Math.floor((w - k) / s) + 1 });
const conv = g(100, 1, 28, 28, 5, 1);
const pool = g(100, 30, 24, 24, 2, 2);
const X = f32(100 * 784);
const COL = f32(57600 * 25);
const Y = f32(57600 * 30);
const P = f32(100 * 4320);
const IDX = Int32Array.from({ length: 432000 }, (_, i) => i * 4);

const cases = {
  'im2col x(100,1,28,28) 5×5': (b) => b.im2col(X, conv, fresh(57600 * 25)),
  'matmul conv fwd 57600×25·(30×25)ᵀ': (b) => b.matmul(COL, f32cached('w1', 750), fresh(57600 * 30), 57600, 25, 30, false, true),
  'matmul conv dW (57600×30)ᵀ·57600×25': (b) => b.matmul(Y, COL, fresh(750), 30, 57600, 25, true, false),
  'matmul dense fwd 100×4320·4320×100': (b) => b.matmul(P, f32cached('w2', 432000), fresh(10000), 100, 4320, 100, false, false),
  'matmul dense dW (100×4320)ᵀ·100×100': (b) => b.matmul(P, f32cached('g2', 10000), fresh(432000), 4320, 100, 100, true, false),
  'matmul dense dx 100×100·(4320×100)ᵀ': (b) => b.matmul(f32cached('g2', 10000), f32cached('w2', 432000), fresh(432000), 100, 100, 4320, false, true),
  'binary add (57600,30)+(30)': (b) => b.binary('add', Y, [57600, 30], f32cached('b1', 30), [30], fresh(Y.length), [57600, 30]),
  'binary mul (1.7M)': (b) => b.binary('mul', Y, [Y.length], Y, [Y.length], fresh(Y.length), [Y.length]),
  'unary relu (1.7M)': (b) => b.unary('relu', Y, fresh(Y.length)),
  'unary step (1.7M)': (b) => b.unary('step', Y, fresh(Y.length)),
  'unary exp (1.7M)': (b) => b.unary('exp', Y, fresh(Y.length)),
  'permute (100,24,24,30)→NCHW': (b) => b.permute(Y, [100, 24, 24, 30], [0, 3, 1, 2], fresh(Y.length)),
  'reduceSum (57600,30) axis 0': (b) => b.reduceSum(Y, [57600, 30], [0], fresh(30)),
  'maxPool2d (100,30,24,24) 2×2': (b) => b.maxPool2d(Y, pool, fresh(432000), fresh(432000, Int32Array)),
  'scatterAdd 432000 → 1.7M': (b) => b.scatterAdd(P, IDX, fresh(Y.length)),
  'col2im (57600,25)→(100,1,28,28)': (b) => b.col2im(COL, conv, fresh(78400)),
};
const cache = new Map();
function f32cached(k, n) {
  if (!cache.has(k)) cache.set(k, f32(n));
  return cache.get(k);
}

console.log(`${'kernel'.padEnd(40)}${'wasm ms'.padStart(10)}${'ref ms'.padStart(10)}${'speedup'.padStart(10)}`);
for (const [name, fn] of Object.entries(cases)) {
  if (args.only && !name.includes(args.only)) continue;
  const w = time(() => fn(wasm), 3, args.reps).median;
  const r = time(() => fn(ref), 1, Math.max(3, Math.floor(args.reps / 5))).median;
  console.log(`${name.padEnd(40)}${w.toFixed(3).padStart(10)}${r.toFixed(3).padStart(10)}${(r / w).toFixed(1).padStart(10)}`);
}
