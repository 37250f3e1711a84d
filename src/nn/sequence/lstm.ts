/**
 * The LSTM cell of course 5, once for the functional API and the layers. The
 * four gates act on the concatenation [a<t-1>; x<t>]; their weights are
 * stacked into one (4 n_a, n_a + n_x) matrix in the order
 * [forget; update; output; candidate], so a step is one GEMM and one fused
 * kernel (lstmCellForward: the biases, the gate nonlinearities, the cell
 * update and a = Γo * tanh(c) in one pass; lstmCellBackward for the way back):
 *   Γf = σ(Wf [a_prev; x_t] + bf)   Γu = σ(Wi [a_prev; x_t] + bi)   Γo = σ(Wo [a_prev; x_t] + bo)
 *   c~ = tanh(Wc [a_prev; x_t] + bc)
 *   c<t> = Γf * c<t-1> + Γu * c~     a<t> = Γo * tanh(c<t>)
 */
import type { Backend } from '../../backend/backend.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { addRowSum, rowsOf, stack, type Stacked } from './views.js';

/** The gate parameters by their course names: W* (n_a, n_a + n_x), b* (n_a, 1). */
export interface LstmGateParameters {
  readonly Wf: Tensor;
  readonly bf: Tensor;
  readonly Wi: Tensor;
  readonly bi: Tensor;
  readonly Wc: Tensor;
  readonly bc: Tensor;
  readonly Wo: Tensor;
  readonly bo: Tensor;
}

/** The stacked gates: W (4 n_a, n_a + n_x) and b (4 n_a, 1), rows [Wf; Wi; Wo; Wc], with b's sigmoid and tanh blocks as views. */
export interface LstmWeights {
  readonly W: Tensor;
  readonly b: Tensor;
  readonly bSigmoids: Tensor;
  readonly bCandidate: Tensor;
}

/** Stacked weights over W (4 n_a, n_a + n_x) and b (4 n_a, 1). */
export function lstmWeights(W: Tensor, b: Tensor): LstmWeights {
  const nA = W.rows / 4;
  return { W, b, bSigmoids: rowsOf(b, 0, 3 * nA), bCandidate: rowsOf(b, 3 * nA, nA) };
}

/** The course's names in stacked order. */
export const LSTM_STACK = [
  ['Wf', 'bf'],
  ['Wi', 'bi'],
  ['Wo', 'bo'],
  ['Wc', 'bc'],
] as const;

/** Four (n_a, m) row blocks of one (4 n_a, m) matrix: the gates (or their gradients) in stacked order. */
export interface LstmGates {
  readonly all: Tensor;
  /** Γf, Γu (the course's it), Γo and c~ (cct). */
  readonly f: Tensor;
  readonly i: Tensor;
  readonly o: Tensor;
  readonly c: Tensor;
  /** Γf, Γu and Γo together (the rows the sigmoid runs on). */
  readonly sigmoids: Tensor;
}

/** The gate views of a (4 n_a, m) buffer. */
export function lstmGates(all: Tensor): LstmGates {
  const n = all.rows / 4;
  return { all, f: rowsOf(all, 0, n), i: rowsOf(all, n, n), o: rowsOf(all, 2 * n, n), c: rowsOf(all, 3 * n, n), sigmoids: rowsOf(all, 0, 3 * n) };
}

/** Copies the course's gate parameters into the stacked weights (four copies each of W and b). */
export function stackLstmWeights(be: Backend, p: LstmGateParameters, dtype: DType): LstmWeights {
  const nA = p.Wf.rows;
  const W = be.zeros([4 * nA, p.Wf.cols], dtype);
  const b = be.zeros([4 * nA, 1], dtype);
  LSTM_STACK.forEach(([w, bias], k) => {
    be.copy(p[w], rowsOf(W, k * nA, nA));
    be.copy(p[bias], rowsOf(b, k * nA, nA));
  });
  return lstmWeights(W, b);
}

/** The per-gate blocks of a stacked gradient, by the course's names: dWf, dbf, dWi, ... (views). */
export function unstackLstmGrads(dW: Tensor, db: Tensor): Record<'dWf' | 'dbf' | 'dWi' | 'dbi' | 'dWc' | 'dbc' | 'dWo' | 'dbo', Tensor> {
  const nA = dW.rows / 4;
  const out = {} as Record<'dWf' | 'dbf' | 'dWi' | 'dbi' | 'dWc' | 'dbc' | 'dWo' | 'dbo', Tensor>;
  LSTM_STACK.forEach(([w, bias], k) => {
    out[`d${w}`] = rowsOf(dW, k * nA, nA);
    out[`d${bias}`] = rowsOf(db, k * nA, nA);
  });
  return out;
}

/**
 * One LSTM step: concat = [aPrev; xt]; the gates from one GEMM; cNext = Γf * cPrev + Γu * c~;
 * tanhC = tanh(cNext); aNext = Γo * tanhC. `concat` (n_a + n_x, m), `gates` (4 n_a, m) and
 * `tanhC` (n_a, m) are what the backward pass reads.
 */
export function lstmStep(
  be: Backend,
  w: LstmWeights,
  xt: Tensor,
  aPrev: Tensor,
  cPrev: Tensor,
  concat: Stacked,
  gates: LstmGates,
  cNext: Tensor,
  tanhC: Tensor,
  aNext: Tensor,
): void {
  stack(be, aPrev, xt, concat);
  be.matmul(w.W, concat.all, gates.all, false, false, 1, 0);
  be.lstmCellForward(gates.all, w.b, cPrev, cNext, tanhC, aNext);
}

/** Scratch of {@link lstmStepBackward}: the gate gradients dG (4 n_a, m) and db (4 n_a, 1); dc (n_a, m) is no longer read (the fused kernel keeps dc in registers). */
export interface LstmScratch {
  readonly dc?: Tensor;
  readonly dG: LstmGates;
  readonly db: Tensor;
}

/**
 * lstm_cell_backward: from daNext and dcNext (the gradients of a<t> and c<t>),
 * dc = dcNext + daNext * Γo * (1 - tanh(c<t>)^2), then the gate pre-activation gradients
 *   dΓo = daNext * tanh(c<t>) * Γo (1 - Γo)      dc~ = dc * Γu * (1 - c~^2)
 *   dΓu = dc * c~ * Γu (1 - Γu)                   dΓf = dc * c<t-1> * Γf (1 - Γf)
 * (stacked in dG); dW += dG concat^T and db += the sum over examples of dG (accumulated);
 * dconcat = W^T dG = [daPrev; dxt] and dcPrev = dc * Γf (written).
 */
export function lstmStepBackward(
  be: Backend,
  w: LstmWeights,
  concat: Stacked,
  gates: LstmGates,
  cPrev: Tensor,
  tanhC: Tensor,
  daNext: Tensor,
  dcNext: Tensor,
  dW: Tensor,
  db: Tensor,
  dconcat: Stacked,
  dcPrev: Tensor,
  scratch: LstmScratch,
): void {
  const { dG } = scratch;
  be.lstmCellBackward(gates.all, cPrev, tanhC, daNext, dcNext, dG.all, dcPrev);
  be.matmul(dG.all, concat.all, dW, false, true, 1, 1);
  addRowSum(be, dG.all, db, scratch.db);
  be.matmul(w.W, dG.all, dconcat.all, true, false, 1, 0);
}
