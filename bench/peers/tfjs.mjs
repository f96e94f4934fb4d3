// TF.js 4.22 with its WASM backend (SIMD; single-threaded in Node) on the same workload and batches as
// the tapegrad benchmark. Adapted from shared/peers/tfjs_bench.mjs (beside the project): NHWC, the train step's conv as
// im2col (25 slices + matMul, because the WASM backend has no Conv2DBackpropFilter), inference with the
// native conv2d. Prints one JSON line.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GEMM_SHAPES, ROOT, gatherBatch, gflops, loadMnist, parseArgs, stats, time, trainBatches } from '../lib/common.mjs';

const args = parseArgs(process.argv.slice(2), { warmup: 5, steps: 30, inferReps: 10, mmReps: 10 });
const require = createRequire(join(ROOT, 'package.json'));
const tf = await import(require.resolve('@tensorflow/tfjs'));
const wasm = await import(require.resolve('@tensorflow/tfjs-backend-wasm'));
tf.env().set('PROD', true);
wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
await tf.setBackend('wasm');
await tf.ready();
const info = {
  peer: 'tfjs-wasm',
  tfjs: tf.version_core,
  backend: tf.getBackend(),
  wasm_simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
  wasm_threads: wasm.getThreadsCount(),
};

const W1 = tf.variable(tf.randomNormal([5, 5, 1, 30], 0, 0.01, 'float32', 1)); // HWIO
const b1 = tf.variable(tf.zeros([30]));
const W2 = tf.variable(tf.randomNormal([4320, 100], 0, 0.01, 'float32', 2));
const b2 = tf.variable(tf.zeros([100]));
const W3 = tf.variable(tf.randomNormal([100, 10], 0, 0.01, 'float32', 3));
const b3 = tf.variable(tf.zeros([10]));
function conv1Im2col(x) {
  const n = x.shape[0];
  const rows = [];
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) rows.push(tf.reshape(tf.slice(x, [0, i, j, 0], [n, 24, 24, 1]), [1, n * 576]));
  const colT = tf.concat(rows, 0);
  return tf.reshape(tf.matMul(colT, tf.reshape(W1, [25, 30]), true, false), [n, 24, 24, 30]);
}
function predict(x, mode) {
  const conv = mode === 'im2col' ? conv1Im2col(x) : tf.conv2d(x, W1, 1, 'valid');
  const p = tf.maxPool(tf.relu(tf.add(conv, b1)), 2, 2, 'valid');
  const h = tf.relu(tf.add(tf.matMul(tf.reshape(p, [-1, 4320]), W2), b2));
  return tf.add(tf.matMul(h, W3), b3);
}
const optimizer = tf.train.adam(0.001, 0.9, 0.999, 1e-7);

const train = loadMnist('train');
const test = loadMnist('test');
const batches = trainBatches(train, args.warmup + args.steps).map(({ x, t }) => ({
  x: tf.tensor4d(x, [100, 28, 28, 1]),
  y: tf.oneHot(tf.tensor1d(t, 'int32'), 10),
}));
const ms = [];
let loss = NaN;
for (let s = 0; s < batches.length; s++) {
  const t0 = performance.now();
  const l = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(batches[s].y, predict(batches[s].x, 'im2col')), true);
  loss = l.dataSync()[0];
  const t1 = performance.now();
  l.dispose();
  if (s >= args.warmup) ms.push(t1 - t0);
}
info.train_step_ms = stats(ms);
info.loss_after = Math.round(loss * 1e4) / 1e4;

const ti = gatherBatch(test, Array.from({ length: 1000 }, (_, i) => i));
const xt = tf.tensor4d(ti.x, [1000, 28, 28, 1]);
let pred = null;
info.infer_1000_ms = time(() => {
  const p = tf.tidy(() => tf.argMax(predict(xt, 'native'), 1));
  pred = p.dataSync();
  p.dispose();
}, 2, args.inferReps);
let correct = 0;
for (let i = 0; i < 1000; i++) correct += pred[i] === ti.t[i] ? 1 : 0;
info.test_acc_first1000_after_bench_steps = correct / 1000;
info.peak_rss_mb_after_train_infer = Math.round(process.resourceUsage().maxRSS / 1024);

for (const [name, [m, k, n]] of Object.entries(GEMM_SHAPES)) {
  const A = tf.randomUniform([m, k], -1, 1, 'float32', 7);
  const B = tf.randomUniform([k, n], -1, 1, 'float32', 8);
  const s = time(() => {
    const C = tf.matMul(A, B);
    C.dataSync();
    C.dispose();
  }, 2, args.mmReps);
  info[`${name}_ms`] = s;
  info[`${name}_gflops_median`] = gflops(m, k, n, s.median);
}
info.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(info));
