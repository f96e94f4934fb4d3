import type { FloatArray } from '../../dtype.js';

/**
 * out (m,n) = op(a)·op(b). Loops are ordered so the innermost loop runs over contiguous memory of both
 * the output row and one operand (i-p-j for the plain case), which is what keeps plain JS near 1–2 GFLOP/s.
 */
export function matmul(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
  if (!transB) {
    // out[i,:] += op(a)[i,p] * b[p,:]
    for (let i = 0; i < m; i++) {
      const oRow = i * n;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i]! : a[i * k + p]!;
        if (av === 0) continue;
        const bRow = p * n;
        for (let j = 0; j < n; j++) out[oRow + j]! += av * b[bRow + j]!;
      }
    }
    return;
  }
  // b stored (n,k): out[i,j] = dot(op(a)[i,:], b[j,:]); with transA copy the a column once per row.
  const aRow = transA ? new Float64Array(k) : null;
  for (let i = 0; i < m; i++) {
    let base = i * k;
    let src: FloatArray | Float64Array = a;
    if (aRow) {
      for (let p = 0; p < k; p++) aRow[p] = a[p * m + i]!;
      src = aRow;
      base = 0;
    }
    for (let j = 0; j < n; j++) {
      const bRow = j * k;
      let acc = 0;
      for (let p = 0; p < k; p++) acc += src[base + p]! * b[bRow + p]!;
      out[i * n + j] = acc;
    }
  }
}
