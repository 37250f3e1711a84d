/**
 * The course's full GRU (course 5, week 1), once for the functional API and
 * the layers. With c<t-1> = a<t-1>:
 *   Γr = σ(Wr [c<t-1>; x<t>] + br)        Γu = σ(Wu [c<t-1>; x<t>] + bu)
 *   c~ = tanh(Wc [Γr * c<t-1>; x<t>] + bc)
 *   c<t> = Γu * c~ + (1 - Γu) * c<t-1>    a<t> = c<t>
 * The relevance and update gates are stacked into one (2 n_a, n_a + n_x)
 * matrix [Wr; Wu]: one GEMM and one fused kernel for both (gruGatesForward:
 * biases, sigmoids and Γr * c<t-1>), then one GEMM and one fused kernel for
 * the candidate and the cell (gruCellForward); gruCellBackward and
 * gruGatesBackward on the way back.
 */
import type { Backend } from '../../backend/backend.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { addRowSum, rowsOf, stack, type Stacked } from './views.js';

/** The GRU's parameters by their course names: Wr, Wu, Wc (n_a, n_a + n_x); br, bu, bc (n_a, 1). */
export interface GruGateParameters {
  readonly Wr: Tensor;
  readonly br: Tensor;
  readonly Wu: Tensor;
  readonly bu: Tensor;
  readonly Wc: Tensor;
  readonly bc: Tensor;
}

/** The stacked gates Wru = [Wr; Wu] (2 n_a, n_a + n_x), bru (2 n_a, 1), and the candidate's Wc, bc. */
export interface GruWeights {
  readonly Wru: Tensor;
  readonly bru: Tensor;
  readonly Wc: Tensor;
  readonly bc: Tensor;
}

/** The gates (or their gradients) as two (n_a, m) row blocks of one (2 n_a, m) matrix. */
export interface GruGates {
  readonly all: Tensor;
  readonly r: Tensor;
  readonly u: Tensor;
}

/** The gate views of a (2 n_a, m) buffer. */
export function gruGates(all: Tensor): GruGates {
  const n = all.rows / 2;
  return { all, r: rowsOf(all, 0, n), u: rowsOf(all, n, n) };
}

/** Copies Wr, Wu (and br, bu) into the stacked gate weights; Wc and bc are used as they are. */
export function stackGruWeights(be: Backend, p: GruGateParameters, dtype: DType): GruWeights {
  const nA = p.Wr.rows;
  const Wru = be.zeros([2 * nA, p.Wr.cols], dtype);
  const bru = be.zeros([2 * nA, 1], dtype);
  be.copy(p.Wr, rowsOf(Wru, 0, nA));
  be.copy(p.Wu, rowsOf(Wru, nA, nA));
  be.copy(p.br, rowsOf(bru, 0, nA));
  be.copy(p.bu, rowsOf(bru, nA, nA));
  return { Wru, bru, Wc: p.Wc, bc: p.bc };
}

/** The candidate's input [Γr * c<t-1>; x<t>]. */
export function gruCandidateInput(be: Backend, r: Tensor, cPrev: Tensor, xt: Tensor, concat2: Stacked): void {
  be.mul(r, cPrev, concat2.top);
  be.copy(xt, concat2.bottom);
}

/**
 * One GRU step: concat1 = [cPrev; xt], the gates Γr, Γu, concat2 = [Γr * cPrev; xt],
 * cc = c~ and cNext = cPrev + Γu * (c~ - cPrev) (= Γu * c~ + (1 - Γu) * cPrev).
 * `concat1`, `gates`, `concat2` and `cc` are what the backward pass reads.
 */
export function gruStep(
  be: Backend,
  w: GruWeights,
  xt: Tensor,
  cPrev: Tensor,
  concat1: Stacked,
  gates: GruGates,
  concat2: Stacked,
  cc: Tensor,
  cNext: Tensor,
): void {
  stack(be, cPrev, xt, concat1);
  be.matmul(w.Wru, concat1.all, gates.all, false, false, 1, 0);
  be.gruGatesForward(gates.all, w.bru, cPrev, concat2.top);
  be.copy(xt, concat2.bottom);
  be.matmul(w.Wc, concat2.all, cc, false, false, 1, 0);
  be.gruCellForward(cc, w.bc, gates.u, cPrev, cNext);
}

/** The gradients of {@link GruWeights}, accumulated over the steps of a sequence. */
export interface GruWeightGrads {
  readonly dWru: Tensor;
  readonly dbru: Tensor;
  readonly dWc: Tensor;
  readonly dbc: Tensor;
}

/** Scratch of {@link gruStepBackward}: dcc (n_a, m), dG (2 n_a, m), d2 (n_a + n_x, m), dbru (2 n_a, 1), dbc (n_a, 1). */
export interface GruScratch {
  readonly dcc: Tensor;
  readonly dG: GruGates;
  readonly d2: Stacked;
  readonly dbru: Tensor;
  readonly dbc: Tensor;
}

/**
 * The GRU step backward from dc = dL/dc<t> (a<t> = c<t>):
 *   dc~ = dc * Γu * (1 - c~^2)          dΓu = dc * (c~ - c<t-1>) * Γu (1 - Γu)
 *   [d(Γr * c<t-1>); dx~] = Wc^T dc~    dΓr = d(Γr * c<t-1>) * c<t-1> * Γr (1 - Γr)
 *   dc<t-1> = dc * (1 - Γu) + d(Γr * c<t-1>) * Γr + (Wru^T [dΓr; dΓu]) top rows
 *   dx<t> = dx~ + (Wru^T [dΓr; dΓu]) bottom rows
 * The weight gradients are accumulated (dWc += dc~ concat2^T, ...); `dconcat` gets [dc<t-1>; dx<t>].
 */
export function gruStepBackward(
  be: Backend,
  w: GruWeights,
  concat1: Stacked,
  gates: GruGates,
  concat2: Stacked,
  cc: Tensor,
  cPrev: Tensor,
  dc: Tensor,
  grads: GruWeightGrads,
  dconcat: Stacked,
  scratch: GruScratch,
): void {
  const { dcc, dG, d2 } = scratch;
  be.gruCellBackward(dc, gates.u, cc, cPrev, dcc, dG.u, dconcat.top);
  be.matmul(dcc, concat2.all, grads.dWc, false, true, 1, 1);
  addRowSum(be, dcc, grads.dbc, scratch.dbc);
  be.matmul(w.Wc, dcc, d2.all, true, false, 1, 0);
  be.gruGatesBackward(d2.top, gates.r, cPrev, dG.r, d2.top);
  be.matmul(dG.all, concat1.all, grads.dWru, false, true, 1, 1);
  addRowSum(be, dG.all, grads.dbru, scratch.dbru);
  be.matmul(w.Wru, dG.all, d2.all, true, false, 1, 1);
  be.axpy(1, d2.top, dconcat.top);
  be.copy(d2.bottom, dconcat.bottom);
}
