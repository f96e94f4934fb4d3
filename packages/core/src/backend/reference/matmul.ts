import type { FloatArray } from '../../dtype.js';

/*
 * The reference GEMM: out (m,n) = op(a)·op(b), op(a) (m,k) stored (m,k) or (k,m) when transA, op(b) (k,n)
 * stored (k,n) or (n,k) when transB. Plain JS, but ordered for the cache: every innermost loop runs
 * over contiguous memory, and outputs are computed four at a time so each loaded operand value is used
 * four times. Sums are accumulated in float64 (JS numbers or a Float64Array), also for float32 data,
 * so a long float32 dot product does not drift. This is the oracle the fast backends are tested against.
 */

export function matmul(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
  if (transB) dotRows(a, b, out, m, k, n, transA);
  else axpyRows(a, b, out, m, k, n, transA);
}

/** Backend.batchedMatmul: one `matmul` per product, on views of the operands, then the row bias. */
export function batchedMatmul(
  a: FloatArray, b: FloatArray, out: FloatArray, batch: number, aStride: number, bStride: number,
  m: number, k: number, n: number, transA: boolean, transB: boolean, rowBias: FloatArray | null = null,
): void {
  for (let i = 0; i < batch; i++) {
    const ai = a.subarray(i * aStride, i * aStride + m * k);
    const bi = b.subarray(i * bStride, i * bStride + k * n);
    const oi = out.subarray(i * m * n, (i + 1) * m * n);
    matmul(ai, bi, oi, m, k, n, transA, transB);
    if (rowBias === null) continue;
    for (let r = 0; r < m; r++) {
      const bias = rowBias[r]!;
      for (let j = r * n; j < (r + 1) * n; j++) oi[j]! += bias;
    }
  }
}

/**
 * b stored (k,n): out[i,:] = Σ_p op(a)[i,p]·b[p,:]. Four output rows are built together in a float64
 * buffer, so every element of a row of b is read once per four output rows.
 */
function axpyRows(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number, transA: boolean): void {
  // op(a)[i,p] lives at i*sa + p*sp
  const sa = transA ? 1 : k;
  const sp = transA ? m : 1;
  const acc = new Float64Array(4 * n);
  const n2 = 2 * n;
  const n3 = 3 * n;
  for (let i0 = 0; i0 < m; i0 += 4) {
    const rows = Math.min(4, m - i0);
    acc.fill(0);
    if (rows === 4) {
      for (let p = 0; p < k; p++) {
        const base = i0 * sa + p * sp;
        const a0 = a[base]!;
        const a1 = a[base + sa]!;
        const a2 = a[base + 2 * sa]!;
        const a3 = a[base + 3 * sa]!;
        const bRow = p * n;
        for (let j = 0; j < n; j++) {
          const bv = b[bRow + j]!;
          acc[j]! += a0 * bv;
          acc[n + j]! += a1 * bv;
          acc[n2 + j]! += a2 * bv;
          acc[n3 + j]! += a3 * bv;
        }
      }
    } else {
      for (let r = 0; r < rows; r++) {
        const off = r * n;
        for (let p = 0; p < k; p++) {
          const av = a[(i0 + r) * sa + p * sp]!;
          const bRow = p * n;
          for (let j = 0; j < n; j++) acc[off + j]! += av * b[bRow + j]!;
        }
      }
    }
    for (let r = 0; r < rows; r++) out.set(acc.subarray(r * n, (r + 1) * n), (i0 + r) * n);
  }
}

/**
 * b stored (n,k): out[i,j] = dot(op(a)[i,:], b[j,:]), both contiguous (a's column is copied into a
 * float64 row first when transA). Four dot products share each load of the a row.
 */
function dotRows(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number, transA: boolean): void {
  const row = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    if (transA) for (let p = 0; p < k; p++) row[p] = a[p * m + i]!;
    else for (let p = 0; p < k; p++) row[p] = a[i * k + p]!;
    const o = i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < k; p++) {
        const av = row[p]!;
        s0 += av * b[b0 + p]!;
        s1 += av * b[b1 + p]!;
        s2 += av * b[b2 + p]!;
        s3 += av * b[b3 + p]!;
      }
      out[o + j] = s0;
      out[o + j + 1] = s1;
      out[o + j + 2] = s2;
      out[o + j + 3] = s3;
    }
    for (; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += row[p]! * b[bj + p]!;
      out[o + j] = s;
    }
  }
}
