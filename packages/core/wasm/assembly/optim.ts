// Optimizer updates. Adam over float32 storage computed in float64, two lanes at a time: every operation
// is a correctly rounded IEEE one (no fused multiply-add, in either build), in the order of the reference
// loop (src/backend/reference/optim.ts), and each stored m, v and p is rounded once to float32 — so the
// results are the reference's bits exactly.
import { arg, ptr, imin, at } from './common';

/** Rounds two float64 lanes to float32 and back: what storing into and reading from a Float32Array does. */
// @ts-ignore: decorator
@inline function round32(x: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(x));
}

/** The upper two float32 lanes of x as float64. */
// @ts-ignore: decorator
@inline function high(x: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<i32>(x, x, 2, 3, 0, 1));
}

/** Two float64 vectors (already float32 values) packed into four float32 lanes. */
// @ts-ignore: decorator
@inline function pack(lo: v128, hi: v128): v128 {
  return v128.shuffle<i32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/**
 * Descriptor: 1 p, 2 g, 3 m, 4 v (float32 arrays of n elements), 5 n, 6 elements per chunk (a multiple
 * of 4), 7 torch's lerp form (0: m + w·(g − m) with slot 8's first value w; 1: g − (g − m)·w1 with
 * w1 = 1 − w), 8 pointer to six float64: w or w1, beta2, 1 − beta2, eps, stepSize, √(1 − beta2ᵗ).
 */
export function adamChunk(d: usize, chunk: i32): void {
  const p = ptr(d, 1), g = ptr(d, 2), m = ptr(d, 3), v = ptr(d, 4);
  const n = arg(d, 5), per = arg(d, 6), backward = arg(d, 7) != 0;
  const h = ptr(d, 8);
  const w = load<f64>(h), beta2 = load<f64>(h, 8), c2 = load<f64>(h, 16);
  const eps = load<f64>(h, 24), stepSize = load<f64>(h, 32), bias2Sqrt = load<f64>(h, 40);
  const W = f64x2.splat(w), B2 = f64x2.splat(beta2), C2 = f64x2.splat(c2);
  const E = f64x2.splat(eps), S = f64x2.splat(stepSize), BS = f64x2.splat(bias2Sqrt);
  const i0 = chunk * per, i1 = imin(n, i0 + per);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const g4 = v128.load(at(g, i)), m4 = v128.load(at(m, i)), v4 = v128.load(at(v, i)), p4 = v128.load(at(p, i));
    const gl = f64x2.promote_low_f32x4(g4), gh = high(g4);
    const ml = f64x2.promote_low_f32x4(m4), mh = high(m4);
    let nml: v128, nmh: v128;
    if (backward) {
      nml = round32(f64x2.sub(gl, f64x2.mul(f64x2.sub(gl, ml), W)));
      nmh = round32(f64x2.sub(gh, f64x2.mul(f64x2.sub(gh, mh), W)));
    } else {
      nml = round32(f64x2.add(ml, f64x2.mul(W, f64x2.sub(gl, ml))));
      nmh = round32(f64x2.add(mh, f64x2.mul(W, f64x2.sub(gh, mh))));
    }
    const nvl = round32(f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v4), B2), f64x2.mul(f64x2.mul(C2, gl), gl)));
    const nvh = round32(f64x2.add(f64x2.mul(high(v4), B2), f64x2.mul(f64x2.mul(C2, gh), gh)));
    const npl = f64x2.sub(f64x2.promote_low_f32x4(p4), f64x2.mul(S, f64x2.div(nml, f64x2.add(f64x2.div(f64x2.sqrt(nvl), BS), E))));
    const nph = f64x2.sub(high(p4), f64x2.mul(S, f64x2.div(nmh, f64x2.add(f64x2.div(f64x2.sqrt(nvh), BS), E))));
    v128.store(at(m, i), pack(nml, nmh));
    v128.store(at(v, i), pack(nvl, nvh));
    v128.store(at(p, i), pack(npl, nph));
  }
  for (; i < i1; i++) {
    const gj = <f64>load<f32>(at(g, i));
    const m0 = <f64>load<f32>(at(m, i));
    const mj = <f64><f32>(backward ? gj - (gj - m0) * w : m0 + w * (gj - m0));
    const vj = <f64><f32>(<f64>load<f32>(at(v, i)) * beta2 + c2 * gj * gj);
    store<f32>(at(m, i), <f32>mj);
    store<f32>(at(v, i), <f32>vj);
    store<f32>(at(p, i), <f32>(<f64>load<f32>(at(p, i)) - stepSize * (mj / (Math.sqrt(vj) / bias2Sqrt + eps))));
  }
}
