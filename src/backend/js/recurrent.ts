/**
 * The reference recurrent kernels: the pointwise part of an LSTM step (gate
 * nonlinearities, cell update, a = Γo * tanh(c)) and its backward pass, one
 * loop each; the GRU's in two loops each way (its candidate's product sits
 * between its gates and its cell). Every value the backward pass reads is read back from its array,
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

/** The Kernels interface's gruGatesForward (backend.ts). */
export function gruGatesForward(gates: Tensor, b: Tensor, cPrev: Tensor, rc: Tensor): void {
  const G = gates.data;
  const B = b.data;
  const Cp = cPrev.data;
  const RC = rc.data;
  const nA = cPrev.rows;
  const m = cPrev.cols;
  const n = nA * m;
  for (let i = 0; i < nA; i++) {
    const br = B[i] as number;
    const bu = B[nA + i] as number;
    for (let j = 0; j < m; j++) {
      const k = i * m + j;
      G[k] = logistic((G[k] as number) + br);
      G[n + k] = logistic((G[n + k] as number) + bu);
      RC[k] = (G[k] as number) * (Cp[k] as number);
    }
  }
}

/** The Kernels interface's gruCellForward (backend.ts). */
export function gruCellForward(cc: Tensor, b: Tensor, u: Tensor, cPrev: Tensor, c: Tensor): void {
  const CC = cc.data;
  const B = b.data;
  const U = u.data;
  const Cp = cPrev.data;
  const C = c.data;
  const m = cc.cols;
  for (let i = 0; i < cc.rows; i++) {
    const bc = B[i] as number;
    for (let j = 0; j < m; j++) {
      const k = i * m + j;
      CC[k] = Math.tanh((CC[k] as number) + bc);
      const p = Cp[k] as number;
      C[k] = p + (U[k] as number) * ((CC[k] as number) - p);
    }
  }
}

/** The Kernels interface's gruCellBackward (backend.ts). */
export function gruCellBackward(dC: Tensor, u: Tensor, cc: Tensor, cPrev: Tensor, dCC: Tensor, dU: Tensor, dCPrev: Tensor): void {
  const DC = dC.data;
  const U = u.data;
  const CC = cc.data;
  const Cp = cPrev.data;
  const DCC = dCC.data;
  const DU = dU.data;
  const DCp = dCPrev.data;
  for (let k = 0; k < DC.length; k++) {
    const dc = DC[k] as number;
    const g = U[k] as number;
    const c = CC[k] as number;
    DCC[k] = dc * g * (1 - c * c);
    DU[k] = dc * (c - (Cp[k] as number)) * g * (1 - g);
    DCp[k] = dc * (1 - g);
  }
}

/** The Kernels interface's gruGatesBackward (backend.ts). */
export function gruGatesBackward(dRC: Tensor, r: Tensor, cPrev: Tensor, dR: Tensor, dRCPrev: Tensor): void {
  const DRC = dRC.data;
  const R = r.data;
  const Cp = cPrev.data;
  const DR = dR.data;
  const Out = dRCPrev.data;
  for (let k = 0; k < DRC.length; k++) {
    const d = DRC[k] as number;
    const g = R[k] as number;
    DR[k] = d * (Cp[k] as number) * g * (1 - g);
    Out[k] = d * g;
  }
}
