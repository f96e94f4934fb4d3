// The tapegrad side of the benchmark: SimpleConvNet built from @tapegrad/core ops (built dist), trained
// with Adam (@tapegrad/nn's when built, else the same update inline), on the shared batches.
import { existsSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GEMM_SHAPES, ROOT, gflops, mulberry32, stats, time } from './common.mjs';

const distOf = (pkg) => join(ROOT, 'packages', pkg, 'dist', 'index.js');

/** N(0, std²) float32 values from a seeded Box–Muller. */
function normal(n, std, seed) {
  const rnd = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rnd(), 1e-12);
    const v = rnd();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** torch.optim.Adam's update on the parameters' data, in place (used when @tapegrad/nn is not built). */
class InlineAdam {
  constructor(params, { lr, beta1, beta2, eps }) {
    Object.assign(this, { params, lr, beta1, beta2, eps, t: 0 });
    this.m = params.map((p) => new Float32Array(p.size));
    this.v = params.map((p) => new Float32Array(p.size));
  }
  step() {
    this.t++;
    const { lr, beta1, beta2, eps, t } = this;
    const stepSize = lr / (1 - beta1 ** t);
    const bias2 = Math.sqrt(1 - beta2 ** t);
    this.params.forEach((p, i) => {
      const g = p.grad.data;
      const d = p.data;
      const m = this.m[i];
      const v = this.v[i];
      for (let j = 0; j < d.length; j++) {
        m[j] = beta1 * m[j] + (1 - beta1) * g[j];
        v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
        d[j] -= (stepSize * m[j]) / (Math.sqrt(v[j]) / bias2 + eps);
      }
    });
  }
  zeroGrad() {
    for (const p of this.params) p.grad = null;
  }
}

/** Wraps every backend kernel to add up its time (the --profile table). */
function profileBackend(backend) {
  const totals = new Map();
  for (const key of Object.keys(backend)) {
    const f = backend[key];
    if (typeof f !== 'function' || key === 'workerCount' || key === 'workerChunks' || key === 'startWorkers') continue;
    backend[key] = (...args) => {
      const t0 = performance.now();
      const r = f.apply(backend, args);
      const e = totals.get(key) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      totals.set(key, e);
      return r;
    };
  }
  return {
    reset: () => totals.clear(),
    report: (steps) => [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms).map(([k, v]) => ({ kernel: k, ms_per_step: +(v.ms / steps).toFixed(3), calls_per_step: v.calls / steps })),
  };
}

export async function benchTapegrad({ batches, test, warmup, steps, inferReps, mmReps, profile, backendName, noIntermediates }) {
  if (!existsSync(distOf('core'))) throw new Error('packages/core/dist not found: run `pnpm build` first');
  const core = await import(pathToFileURL(distOf('core')).href);
  const { tensor, zeros, conv2d, relu, maxPool2d, reshape, matmul, add, softmaxCrossEntropy, argmax, noGrad, getBackend, setBackend, intermediates } = core;
  if (backendName) setBackend(backendName);
  const backend = getBackend();
  const info = { peer: `tapegrad-${backend.name}`, node: process.version, backend: backend.name };
  if (backend.name === 'wasm') {
    info.relaxed_simd = backend.relaxedSimd;
    info.threads = backend.threads;
    await backend.startWorkers();
  }

  // Parameters through @tapegrad/nn's `parameter` when it is built (as every nn layer makes them: on the
  // wasm backend, in its memory), else plain leaves.
  const nn = existsSync(distOf('nn')) ? await import(pathToFileURL(distOf('nn')).href) : null;
  const leaf = (t) => (nn ? nn.parameter(t) : (t.requiresGrad = true, t));
  info.parameters = nn ? '@tapegrad/nn parameter()' : 'plain leaves';
  const param = (data, shape) => leaf(tensor(data, shape));
  const W1 = param(normal(30 * 25, 0.01, 1), [30, 1, 5, 5]);
  const b1 = leaf(zeros([30]));
  const W2 = param(normal(4320 * 100, 0.01, 2), [4320, 100]);
  const b2 = leaf(zeros([100]));
  const W3 = param(normal(100 * 10, 0.01, 3), [100, 10]);
  const b3 = leaf(zeros([10]));
  const params = [W1, b1, W2, b2, W3, b3];
  // Every activation but the logits is only passed on: made inside `intermediates`, as nn's SimpleConvNet
  // does, their arrays are reused once backward is done with them (--no-intermediates: fresh arrays).
  const passOn = noIntermediates || !intermediates ? (fn) => fn() : intermediates;
  info.intermediates = !(noIntermediates || !intermediates);
  const forward = (x) => {
    const h1 = passOn(() => maxPool2d(relu(conv2d(x, W1, b1)), { kernel: 2 }));
    const h2 = passOn(() => relu(add(matmul(reshape(h1, [h1.shape[0], 4320]), W2), b2)));
    return add(matmul(h2, W3), b3);
  };
  const Adam = nn ? nn.Adam : InlineAdam;
  info.optimizer = nn ? '@tapegrad/nn Adam' : 'inline Adam';
  const opt = new Adam(params, { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-7 });

  const xs = batches.map(({ x }) => tensor(x, [100, 1, 28, 28]));
  const ts = batches.map(({ t }) => t);
  const prof = profile ? profileBackend(backend) : null;
  const ms = [];
  let loss = NaN;
  let faults = 0;
  // GC pauses during the timed steps (V8 reports each one as a 'gc' performance entry).
  const gcPauses = { ms: 0, count: 0, timing: false };
  const gcObserver = new PerformanceObserver((list) => {
    if (!gcPauses.timing) return;
    for (const e of list.getEntries()) {
      gcPauses.ms += e.duration;
      gcPauses.count++;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  for (let s = 0; s < warmup + steps; s++) {
    if (s === warmup) {
      prof?.reset();
      faults = process.resourceUsage().minorPageFault;
      gcPauses.timing = true;
    }
    const t0 = performance.now();
    opt.zeroGrad();
    const l = softmaxCrossEntropy(forward(xs[s]), ts[s]);
    l.backward();
    opt.step();
    loss = l.item();
    const t1 = performance.now();
    if (s >= warmup) ms.push(t1 - t0);
  }
  // Entries are delivered asynchronously: let the observer catch up before reading the totals.
  await new Promise((resolve) => setTimeout(resolve, 50));
  gcPauses.timing = false;
  gcObserver.disconnect();
  info.train_step_ms = stats(ms);
  info.train_step_gc_ms_per_step = +(gcPauses.ms / steps).toFixed(2);
  info.train_step_gc_pauses_per_step = +(gcPauses.count / steps).toFixed(2);
  // Fresh large typed arrays are page-faulted in on first write; on some VMs that costs more than the math.
  info.train_step_minor_page_faults = Math.round((process.resourceUsage().minorPageFault - faults) / steps);
  info.loss_after = Math.round(loss * 1e4) / 1e4;
  if (prof) info.profile_train_step = prof.report(steps);

  const xt = tensor(test.x, [1000, 1, 28, 28]);
  let pred = null;
  prof?.reset();
  info.infer_1000_ms = time(() => (pred = noGrad(() => argmax(forward(xt), 1)).data), 2, inferReps);
  if (prof) info.profile_infer = prof.report(2 + inferReps);
  let correct = 0;
  for (let i = 0; i < 1000; i++) correct += pred[i] === test.t[i] ? 1 : 0;
  info.test_acc_first1000_after_bench_steps = correct / 1000;
  info.peak_rss_mb_after_train_infer = Math.round(process.resourceUsage().maxRSS / 1024);

  // GEMM through the public op (output allocation, copies in and out of wasm memory included).
  for (const [name, [m, k, n]] of Object.entries(GEMM_SHAPES)) {
    const rnd = mulberry32(7);
    const A = tensor(Float32Array.from({ length: m * k }, () => rnd() * 2 - 1), [m, k]);
    const B = tensor(Float32Array.from({ length: k * n }, () => rnd() * 2 - 1), [k, n]);
    const s = time(() => matmul(A, B), 2, mmReps);
    info[`${name}_ms`] = s;
    info[`${name}_gflops_median`] = gflops(m, k, n, s.median);
  }
  info.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  return info;
}
