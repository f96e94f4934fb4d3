// A kernel worker of the wasm backend (src/backend/wasm/pool.ts). Plain JavaScript so Node can start it
// from the TypeScript sources (vitest) and from dist alike. It instantiates the shared kernel module on
// the shared memory and then loops: sleep on the job counter, claim chunks of the current job with a
// compare-and-swap on the claim word, run them, count them done. Control slots mirror pool.ts.
import { workerData } from 'node:worker_threads';

const SEQ = 0;
const CLAIM = 1;
const DONE = 2;
const TOTAL = 3;
const DESC = 4;
const FAILED = 5;
const READY = 6;
const WORKER_CHUNKS = 7;
// After a job, keep polling for the next one for this long before sleeping: jobs usually come in quick
// succession (one per kernel), and waking a sleeping thread (above all a virtual CPU) costs more than a
// millisecond of polling on a core that would otherwise idle.
const SPIN_MS = 1;

const { module, memory, control, tid } = workerData;
const ctrl = new Int32Array(control);
const { run } = new WebAssembly.Instance(module, { env: { memory } }).exports;

Atomics.add(ctrl, READY, 1);

let seen = Atomics.load(ctrl, SEQ);
for (;;) {
  const idleSince = performance.now();
  let polls = 0;
  while (Atomics.load(ctrl, SEQ) === seen) {
    if ((++polls & 1023) === 0 && performance.now() - idleSince > SPIN_MS) Atomics.wait(ctrl, SEQ, seen);
  }
  seen = Atomics.load(ctrl, SEQ);
  for (;;) {
    const v = Atomics.load(ctrl, CLAIM);
    const next = v & 0xffff;
    if (next >= Atomics.load(ctrl, TOTAL)) break;
    if (Atomics.compareExchange(ctrl, CLAIM, v, v + 1) !== v) continue;
    // The claim succeeded, so the job cannot finish (and its slots cannot change) before we count it.
    const total = Atomics.load(ctrl, TOTAL);
    try {
      run(Atomics.load(ctrl, DESC), next, tid);
    } catch {
      Atomics.store(ctrl, FAILED, 1);
    }
    Atomics.add(ctrl, WORKER_CHUNKS, 1);
    if (Atomics.add(ctrl, DONE, 1) + 1 === total) Atomics.notify(ctrl, DONE);
  }
}
