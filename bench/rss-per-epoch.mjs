// `pnpm bench:rss` (after `pnpm build`): does memory stay flat while training? Runs the book's quick run
// (SimpleConvNet, MNIST 5,000 train / 1,000 test, batch 100, Adam lr 0.001, 20 epochs, a checkpoint every
// epoch) through the built packages, samples process memory at the end of every epoch, prints a table
// and writes bench/results/rss-per-epoch-<time>.json. The tape must never outlive its step: a graph kept
// alive from one step to the next would show as RSS (and heap / external memory) growing every epoch.
//
// Flags: --epochs 20  --train-size 5000  --test-size 1000  --batch-size 100  --lr 0.001  --seed 0
//   --source trainer|example   trainer (default): the Trainer alone, on the book's recipe; example: the
//                              `pnpm train` job's run of these flags (its init and rate schedule, plots
//                              and filter pictures too), sampled at its epoch lines
//   --gc                       force a full GC before each sample (separates garbage not yet collected
//                              from memory really retained) and, with --source trainer, count the
//                              training steps whose graph (the loss and everything it was computed
//                              from) is still alive then: every step's loss is registered with a
//                              FinalizationRegistry (a WeakRef would keep the whole epoch's graphs
//                              alive, as WeakRef targets live until the end of the current job)
//   --max-slope 0.5            the verdict's limit on the RSS slope from epoch 2 on, in MiB per epoch
//   --out FILE                 JSON output (default bench/results/rss-per-epoch-<time>.json)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 * 1024;

function fail(message) {
  console.error(`rss-per-epoch: ${message}`);
  process.exit(2);
}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== '--'),
      strict: true,
      allowPositionals: false,
      options: {
        epochs: { type: 'string', default: '20' },
        'train-size': { type: 'string', default: '5000' },
        'test-size': { type: 'string', default: '1000' },
        'batch-size': { type: 'string', default: '100' },
        lr: { type: 'string', default: '0.001' },
        seed: { type: 'string', default: '0' },
        source: { type: 'string', default: 'trainer' },
        gc: { type: 'boolean', default: false },
        'max-slope': { type: 'string', default: '0.5' },
        out: { type: 'string' },
      },
    }));
  } catch (e) {
    fail(e.message);
  }
  const int = (name, min, max) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) fail(`--${name}: expected an integer in [${min}, ${max}], got '${values[name]}'`);
    return n;
  };
  const positive = (name) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n <= 0) fail(`--${name}: expected a positive number, got '${values[name]}'`);
    return n;
  };
  if (values.source !== 'trainer' && values.source !== 'example') fail(`--source: expected trainer or example, got '${values.source}'`);
  return {
    epochs: int('epochs', 1, 1000),
    trainSize: int('train-size', 1, 60000),
    testSize: int('test-size', 1, 10000),
    batchSize: int('batch-size', 1, 60000),
    lr: positive('lr'),
    seed: int('seed', -(2 ** 31), 2 ** 31 - 1),
    source: values.source,
    gc: values.gc,
    maxSlope: positive('max-slope'),
    out: values.out,
  };
}

async function importDist(rel) {
  try {
    return await import(pathToFileURL(join(ROOT, rel)).href);
  } catch (e) {
    fail(`cannot import ${rel} (${e.message.split('\n')[0]}); run \`pnpm build\` first`);
  }
}

/** A full garbage collection, without needing node --expose-gc on the command line. */
function gcFunction() {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc');
}

/** Least-squares slope of ys against xs. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const round = (v, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

const opts = options();
const gc = opts.gc ? gcFunction() : null;
const core = await importDist('packages/core/dist/index.js');
const { Adam, SimpleConvNet, Trainer } = await importDist('packages/nn/dist/index.js');
const { loadMnist } = await importDist('packages/datasets/dist/index.js');

/**
 * Linux's split of the resident set (/proc/self/status, in bytes): anonymous memory (JS heaps, malloc,
 * array buffers), file-backed pages (code) and shared memory (the wasm backend's shared memory); null
 * elsewhere.
 */
function rssParts() {
  let text;
  try {
    text = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return null;
  }
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
}

// Losses of the training steps (--gc with --source trainer): registered, and seen collected.
let steps = 0;
let collected = 0;
const losses = new FinalizationRegistry(() => collected++);

const samples = [];
let last = performance.now();
const tick = () => new Promise((r) => setTimeout(r, 5));

/** Records memory now, as the end of `epoch` (0: before training). */
async function sample(epoch, extra = {}) {
  const now = performance.now();
  const before = process.memoryUsage();
  const parts = rssParts();
  let afterGc;
  if (gc) {
    gc();
    if (opts.source === 'trainer') {
      // Finalizers run in a later task: collect and yield until the count settles.
      for (let seen = -1; seen !== collected; ) {
        seen = collected;
        await tick();
        gc();
      }
    }
    const m = process.memoryUsage();
    afterGc = { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
    if (opts.source === 'trainer') Object.assign(afterGc, { liveStepGraphs: steps - collected, steps });
  }
  samples.push({
    epoch,
    seconds: round((now - last) / 1000, 3),
    rss: before.rss,
    heapUsed: before.heapUsed,
    heapTotal: before.heapTotal,
    external: before.external,
    arrayBuffers: before.arrayBuffers,
    ...(parts ? { rssAnon: parts.anon, rssFile: parts.file, rssShmem: parts.shmem } : {}),
    ...(afterGc ? { afterGc } : {}),
    ...extra,
  });
  last = performance.now();
}

const work = mkdtempSync(join(tmpdir(), 'tapegrad-rss-'));
const backend = typeof core.getBackend === 'function' ? core.getBackend().name : undefined;
console.error(
  `SimpleConvNet, MNIST ${opts.trainSize} train / ${opts.testSize} test, batch ${opts.batchSize}, Adam lr ${opts.lr}, ` +
    `${opts.epochs} epochs, source ${opts.source}${opts.gc ? ', GC before each sample' : ''}${backend ? `, backend ${backend}` : ''}`,
);

let finalTestAccuracy;
if (opts.source === 'trainer') {
  const { images: trainX, labels: trainT } = loadMnist({ split: 'train', limit: opts.trainSize });
  const { images: testX, labels: testT } = loadMnist({ split: 'test', limit: opts.testSize });
  const model = new SimpleConvNet({
    inputDim: [1, 28, 28],
    conv: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 },
    hiddenSize: 100,
    outputSize: 10,
    weightInitStd: 0.01,
    seed: opts.seed,
  });
  // eps 1e-7 as the example (`pnpm train`) uses, after the book's Adam.
  const optimizer = new Adam(model.parameters(), { lr: opts.lr, eps: 1e-7 });
  const trainer = new Trainer({
    model,
    optimizer,
    train: { x: trainX, t: trainT },
    test: { x: testX, t: testT },
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    evalSample: 1000,
    seed: opts.seed,
    checkpointDir: work,
    log: false,
    // the Trainer's default loss, watched: a step's graph stays alive exactly as long as its loss does
    ...(gc ? {
      loss: (logits, t) => {
        const loss = core.softmaxCrossEntropy(logits, t);
        losses.register(loss, undefined);
        steps++;
        return loss;
      },
    } : {}),
    onEpochEnd: ({ epoch, record }) => sample(epoch, { testAccuracy: record.testAccuracy }),
  });
  await sample(0);
  finalTestAccuracy = (await trainer.fit()).testAccuracy;
} else {
  const { runTraining } = await importDist('examples/dist/train-run.js');
  // the run `pnpm train` makes of these flags (its model, init and rate schedule included)
  const { parseTrainArgs } = await importDist('examples/dist/train-simple-convnet.js');
  const run = await parseTrainArgs([
    '--epochs', String(opts.epochs), '--train-size', String(opts.trainSize), '--test-size', String(opts.testSize),
    '--batch-size', String(opts.batchSize), '--lr', String(opts.lr), '--seed', String(opts.seed), '--out', work,
  ]);
  await sample(0);
  const result = await runTraining({
    ...run,
    progress: 'lines',
    // one plain line per epoch, written after that epoch's checkpoint: sample there
    log: (line) => {
      const m = /^epoch (\d+)\//.exec(line);
      if (m) void sample(Number(m[1])); // synchronous: no finalizer count in this mode
    },
  });
  finalTestAccuracy = result.testAccuracy;
}
rmSync(work, { recursive: true, force: true });

// ---- table ----
const mib = (b) => (b / MiB).toFixed(1);
const split = samples[0].rssAnon !== undefined;
const watched = gc && opts.source === 'trainer';
const header = ['epoch', 's', 'rss MiB', ...(split ? ['anon', 'file', 'shmem'] : []), 'heapUsed', 'heapTotal', 'external', 'arrayBuf',
  ...(gc ? ['rss/gc', 'heap/gc', 'ext/gc'] : []), ...(watched ? ['live graphs/steps'] : [])];
const rows = samples.map((s) => [
  String(s.epoch),
  s.seconds.toFixed(1),
  mib(s.rss),
  ...(split ? [mib(s.rssAnon), mib(s.rssFile), mib(s.rssShmem)] : []),
  mib(s.heapUsed),
  mib(s.heapTotal),
  mib(s.external),
  mib(s.arrayBuffers),
  ...(gc ? [mib(s.afterGc.rss), mib(s.afterGc.heapUsed), mib(s.afterGc.external)] : []),
  ...(watched ? [`${s.afterGc.liveStepGraphs}/${s.afterGc.steps}`] : []),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
console.log(line(header));
for (const r of rows) console.log(line(r));

// ---- flatness from epoch 2 to the last ----
const tail = samples.filter((s) => s.epoch >= 2);
function trend(pick) {
  if (tail.length < 2) return null;
  const ys = tail.map((s) => pick(s) / MiB);
  return {
    minMiB: round(Math.min(...ys)),
    maxMiB: round(Math.max(...ys)),
    rangeMiB: round(Math.max(...ys) - Math.min(...ys)),
    slopeMiBPerEpoch: round(slope(tail.map((s) => s.epoch), ys), 3),
  };
}
const trends = {
  rss: trend((s) => s.rss),
  // what JavaScript keeps reachable (heap objects plus array buffers, tensors' data among them): a graph
  // kept alive shows here whatever the allocator does with RSS
  heapPlusExternal: trend((s) => s.heapUsed + s.external),
  ...(split ? { rssAnon: trend((s) => s.rssAnon), rssShmem: trend((s) => s.rssShmem) } : {}),
  heapUsed: trend((s) => s.heapUsed),
  external: trend((s) => s.external),
  arrayBuffers: trend((s) => s.arrayBuffers),
  ...(gc ? { heapPlusExternalAfterGc: trend((s) => s.afterGc.heapUsed + s.afterGc.external), rssAfterGc: trend((s) => s.afterGc.rss), heapUsedAfterGc: trend((s) => s.afterGc.heapUsed), externalAfterGc: trend((s) => s.afterGc.external) } : {}),
};
let verdict;
if (trends.rss === null) {
  verdict = 'too few epochs to judge (needs epochs 2 and 3 at least)';
} else {
  const flat = trends.rss.slopeMiBPerEpoch <= opts.maxSlope;
  verdict = `${flat ? 'FLAT' : 'GROWING'}: RSS from epoch 2 to ${tail[tail.length - 1].epoch} spans ${trends.rss.rangeMiB} MiB ` +
    `(max − min), slope ${trends.rss.slopeMiBPerEpoch} MiB/epoch (limit ${opts.maxSlope})`;
  console.log('');
  for (const [name, t] of Object.entries(trends)) {
    console.log(`${name.padEnd(23)} epochs 2..${tail[tail.length - 1].epoch}: ${t.minMiB}–${t.maxMiB} MiB, range ${t.rangeMiB} MiB, slope ${t.slopeMiBPerEpoch} MiB/epoch`);
  }
}
console.log(`\n${verdict}`);
if (watched) {
  const live = Math.max(...samples.map((s) => s.afterGc.liveStepGraphs));
  console.log(`step graphs alive after a full GC at an epoch's end: at most ${live} of ${steps} steps (0 expected: the tape must not outlive its step)`);
}
console.log(`final test accuracy (all ${opts.testSize}): ${(100 * finalTestAccuracy).toFixed(2)}%; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);

const out = opts.out ?? join(ROOT, 'bench', 'results', `rss-per-epoch-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      bench: 'rss-per-epoch',
      date: new Date().toISOString(),
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version, threads: process.env.TAPEGRAD_THREADS ?? null },
      backend: backend ?? null,
      options: opts,
      unit: 'bytes (trends in MiB)',
      samples,
      trends,
      verdict,
      finalTestAccuracy,
      peakRssMiB: round(process.resourceUsage().maxRSS / 1024, 1),
    },
    null,
    1,
  )}\n`,
);
console.error(`wrote ${out}`);
