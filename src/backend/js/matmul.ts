import type { Tensor } from '../../tensor/tensor.js';

/**
 * Reference GEMM: C = alpha * op(A) op(B) + beta * C. Loop orders are chosen so
 * the innermost loop walks memory contiguously for each transposition case;
 * this is the oracle the wasm kernels are tested against.
 */
export function matmul(a: Tensor, b: Tensor, c: Tensor, transA: boolean, transB: boolean, alpha: number, beta: number): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  const m = c.rows;
  const n = c.cols;
  const k = transA ? a.rows : a.cols;
  if (beta === 0) C.fill(0);
  else if (beta !== 1) for (let i = 0; i < C.length; i++) C[i] = (C[i] as number) * beta;

  if (!transA && !transB) {
    // A (m,k), B (k,n): row of C += A[i,p] * row p of B
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let p = 0; p < k; p++) {
        const s = alpha * (A[i * k + p] as number);
        if (s === 0) continue;
        const bp = p * n;
        for (let j = 0; j < n; j++) C[ci + j] = (C[ci + j] as number) + s * (B[bp + j] as number);
      }
    }
  } else if (!transA && transB) {
    // A (m,k), B stored (n,k): dot products of rows
    for (let i = 0; i < m; i++) {
      const ai = i * k;
      for (let j = 0; j < n; j++) {
        const bj = j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += (A[ai + p] as number) * (B[bj + p] as number);
        C[i * n + j] = (C[i * n + j] as number) + alpha * s;
      }
    }
  } else if (transA && !transB) {
    // A stored (k,m), B (k,n): rank-1 updates, rows contiguous
    for (let p = 0; p < k; p++) {
      const ap = p * m;
      const bp = p * n;
      for (let i = 0; i < m; i++) {
        const s = alpha * (A[ap + i] as number);
        if (s === 0) continue;
        const ci = i * n;
        for (let j = 0; j < n; j++) C[ci + j] = (C[ci + j] as number) + s * (B[bp + j] as number);
      }
    }
  } else {
    // A stored (k,m), B stored (n,k)
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += (A[p * m + i] as number) * (B[j * k + p] as number);
        C[i * n + j] = (C[i * n + j] as number) + alpha * s;
      }
    }
  }
}
