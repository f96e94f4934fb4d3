import type { AdamStep } from '../backend.js';
import { K_ADAM } from './jobs.js';
import { type WasmContext, split } from './context.js';

/** Elements per chunk at least: ~30 µs of work, well above the cost of claiming a chunk. */
const MIN_CHUNK = 1 << 14;

/**
 * Adam's update on float32 arrays (Backend.adamUpdate): p and g are copied in, the kernel runs across
 * the pool in float64 lanes (the reference's bits exactly), and p is copied back. m and v are used in
 * place when they are the context's persistent arrays (Backend.stateArray, as nn's Adam allocates
 * them), else copied in and out too: copying into shared memory runs at ~30 GB/s (0.06 ms per 1.7 MB
 * array), so the four moment copies would cost about half of the kernel's two-thread time.
 */
export function adamUpdate(ctx: WasmContext, p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamStep): void {
  const n = p.length;
  if (n === 0) return;
  ctx.reset();
  const pp = ctx.put(p);
  const pg = ctx.put(g);
  const mIn = ctx.isPersistent(m);
  const vIn = ctx.isPersistent(v);
  const pm = mIn ? m.byteOffset : ctx.put(m);
  const pv = vIn ? v.byteOffset : ctx.put(v);
  const backward = h.w >= 0.5; // torch's lerp form, as the reference loop chooses it
  const ph = ctx.putFloat64([backward ? 1 - h.w : h.w, h.beta2, 1 - h.beta2, h.eps, h.stepSize, h.bias2Sqrt]);
  const [chunks, per] = split(Math.ceil(n / 4), MIN_CHUNK / 4, ctx.threads);
  ctx.run([K_ADAM, pp, pg, pm, pv, n, per * 4, backward ? 1 : 0, ph], chunks);
  ctx.get(pp, p);
  if (!mIn) ctx.get(pm, m);
  if (!vIn) ctx.get(pv, v);
}
