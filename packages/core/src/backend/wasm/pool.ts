import { Worker } from 'node:worker_threads';
import { MAX_CHUNKS } from './jobs.js';
import { WORKER_URL, type WasmRuntime } from './runtime.js';

/*
 * Work split across threads that share the kernels' memory. A job is a descriptor in wasm memory plus
 * a chunk count; every thread (the main one included) claims chunks with a compare-and-swap on one
 * control word until none are left, so a worker that is still starting, or busy elsewhere on the
 * machine, never holds a job up: the others take its share. Control slots (Int32, one SharedArrayBuffer):
 *   SEQ    bumped for every job; idle workers sleep on it (Atomics.wait)
 *   CLAIM  (job sequence & 0xffff) << 16 | next chunk; 0xffff as the chunk marks the job exhausted
 *   DONE   chunks finished; the thread that finishes the last one notifies the main thread
 *   TOTAL  chunk count, DESC descriptor offset, FAILED set when a worker's chunk threw
 *   READY  workers instantiated; WORKER_CHUNKS chunks run by workers (both for tests and benchmarks)
 * Slots mirror wasm/worker.mjs.
 */
const SEQ = 0;
const CLAIM = 1;
const DONE = 2;
const TOTAL = 3;
const DESC = 4;
const FAILED = 5;
const READY = 6;
const WORKER_CHUNKS = 7;
const EXHAUSTED = 0xffff;
/** Spins on the done counter before sleeping: most waits are shorter than a futex round trip. */
const SPIN = 20000;

export class WorkerPool {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(64));
  private readonly workers: Worker[] = [];
  private seq = 0;
  private started = false;
  private failed = 0;

  constructor(private readonly rt: WasmRuntime) {}

  /** Threads that can take chunks (the main thread counts). */
  get threads(): number {
    return this.rt.threads;
  }

  /** Workers started so far (0 until the first parallel job). */
  get workerCount(): number {
    return this.workers.length;
  }

  /** Chunks run by worker threads so far. */
  get workerChunks(): number {
    return Atomics.load(this.ctrl, WORKER_CHUNKS);
  }

  /**
   * Starts the workers now (they otherwise start with the first job worth splitting) and resolves once
   * every one of them is ready to take chunks, or has failed to start.
   */
  async startWorkers(): Promise<void> {
    if (!this.started) this.start();
    while (Atomics.load(this.ctrl, READY) + this.failed < this.workers.length) await new Promise((r) => setTimeout(r, 5));
  }

  /**
   * Starts the workers on first use. They are unref'd: a finished program exits even though they
   * sleep in Atomics.wait forever. They get no execArgv: the parent's flags (--input-type, --eval,
   * loaders) can stop a worker from starting, and V8 flags apply to the whole process anyway.
   */
  private start(): void {
    this.started = true;
    const { module, memory } = this.rt;
    for (let tid = 1; tid < this.rt.threads; tid++) {
      const worker = new Worker(WORKER_URL, { workerData: { module, memory, control: this.ctrl.buffer, tid }, execArgv: [] });
      worker.unref();
      // A worker that fails to start simply never claims a chunk; the others do its share.
      worker.on('error', () => this.failed++);
      this.workers.push(worker);
    }
  }

  /**
   * Runs chunks 0..chunks-1 of the job whose descriptor is at `desc`. One chunk (or one thread) runs
   * inline on the main thread with no synchronisation at all.
   */
  execute(desc: number, chunks: number): void {
    const { run } = this.rt;
    if (chunks <= 1 || this.rt.threads === 1) {
      for (let c = 0; c < chunks; c++) run(desc, c, 0);
      return;
    }
    if (chunks > MAX_CHUNKS) throw new Error(`wasm backend: ${chunks} chunks exceed ${MAX_CHUNKS}`);
    if (!this.started) this.start();
    const ctrl = this.ctrl;
    this.seq = (this.seq + 1) & 0xffff;
    const tag = this.seq << 16;
    ctrl[DESC] = desc;
    ctrl[TOTAL] = chunks;
    ctrl[FAILED] = 0;
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, CLAIM, tag);
    Atomics.add(ctrl, SEQ, 1);
    Atomics.notify(ctrl, SEQ);
    let error: unknown = null;
    for (;;) {
      const v = Atomics.load(ctrl, CLAIM);
      const next = v & 0xffff;
      if (next >= chunks) break;
      if (Atomics.compareExchange(ctrl, CLAIM, v, v + 1) !== v) continue;
      try {
        run(desc, next, 0);
      } catch (e) {
        error = e;
      }
      Atomics.add(ctrl, DONE, 1);
    }
    let spins = 0;
    for (;;) {
      const done = Atomics.load(ctrl, DONE);
      if (done >= chunks) break;
      if (++spins > SPIN) Atomics.wait(ctrl, DONE, done, 1000);
    }
    Atomics.store(ctrl, CLAIM, tag | EXHAUSTED);
    if (error !== null) throw error;
    if (ctrl[FAILED] !== 0) throw new Error('wasm backend: a kernel failed in a worker thread');
  }
}
