/**
 * The reference recurrent kernels: the pointwise part of an LSTM step (gate
 * nonlinearities, cell update, a = Γo * tanh(c)) and its backward pass, one
 * loop each. Every value the backward pass reads is read back from its array,
 * so a float32 run rounds where the wasm kernel stores.
 */
import type { Tensor } from '../../tensor/tensor.js';

/** σ(x), from e^-|x| so nothing overflows. */
function logistic(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** The Kernels interface's lstmCellForward (backend.ts). */
export function lstmCellForward(gates: Tensor, b: Tensor, cPrev: Tensor, c: Tensor, tanhC: Tensor, a: Tensor): void {
  const G = gates.data;
  const B = b.data;
  const Cp = cPrev.data;
  const C = c.data;
  const TC = tanhC.data;
  const A = a.data;
  const nA = c.rows;
  const m = c.cols;
  const block = nA * m;
  for (let i = 0; i < nA; i++) {
    const bf = B[i] as number;
    const bi = B[nA + i] as number;
    const bo = B[2 * nA + i] as number;
    const bc = B[3 * nA + i] as number;
    for (let j = 0; j < m; j++) {
      const k = i * m + j;
      G[k] = logistic((G[k] as number) + bf);
      G[block + k] = logistic((G[block + k] as number) + bi);
      G[2 * block + k] = logistic((G[2 * block + k] as number) + bo);
      G[3 * block + k] = Math.tanh((G[3 * block + k] as number) + bc);
      C[k] = (G[k] as number) * (Cp[k] as number) + (G[block + k] as number) * (G[3 * block + k] as number);
      TC[k] = Math.tanh(C[k] as number);
      A[k] = (G[2 * block + k] as number) * (TC[k] as number);
    }
  }
}

/** The Kernels interface's lstmCellBackward (backend.ts). */
export function lstmCellBackward(gates: Tensor, cPrev: Tensor, tanhC: Tensor, dA: Tensor, dC: Tensor, dG: Tensor, dCPrev: Tensor): void {
  const G = gates.data;
  const Cp = cPrev.data;
  const TC = tanhC.data;
  const DA = dA.data;
  const DC = dC.data;
  const DG = dG.data;
  const DCp = dCPrev.data;
  const n = tanhC.size;
  for (let k = 0; k < n; k++) {
    const f = G[k] as number;
    const i = G[n + k] as number;
    const o = G[2 * n + k] as number;
    const cc = G[3 * n + k] as number;
    const t = TC[k] as number;
    const da = DA[k] as number;
    const dc = (DC[k] as number) + da * o * (1 - t * t);
    DG[k] = dc * (Cp[k] as number) * f * (1 - f);
    DG[n + k] = dc * cc * i * (1 - i);
    DG[2 * n + k] = da * t * o * (1 - o);
    DG[3 * n + k] = dc * i * (1 - cc * cc);
    DCp[k] = dc * f;
  }
}
