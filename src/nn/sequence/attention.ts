/**
 * The attention of course 5, week 3 (neural machine translation), once for
 * the functional API and the layers. For one decoder step, with the encoder's
 * states a (n_a, m, T_x) and the decoder's previous state s_prev (n_s, m):
 *   e<t'> = relu(W2 tanh(W1 [s_prev; a<t'>] + b1) + b2)      (the assignment's densor1, densor2)
 *   α<t'> = softmax over t' of e<t'>                          (per example)
 *   context = Σ_t' α<t'> a<t'>                                (n_a, m)
 * All T_x steps go through the small dense net at once: a viewed as an
 * (n_a, m T_x) matrix is the concatenation's bottom, s_prev repeated T_x
 * times (a column gather: the assignment's repeator) its top.
 */
import type { Activation, Backend } from '../../backend/backend.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { SOFTMAX, TANH } from './rnn.js';
import { addRowSum, asMatrix, free, repeatEach, stacked, type Stacked } from './views.js';

const RELU: Activation = { kind: 'relu' };

/** The energies' dense net: W1 (n_e, n_s + n_a), b1 (n_e, 1) (tanh), W2 (1, n_e), b2 (1, 1) (relu). */
export interface AttentionWeights {
  readonly W1: Tensor;
  readonly b1: Tensor;
  readonly W2: Tensor;
  readonly b2: Tensor;
}

/** The gradients of {@link AttentionWeights}, accumulated. */
export interface AttentionWeightGrads {
  readonly dW1: Tensor;
  readonly db1: Tensor;
  readonly dW2: Tensor;
  readonly db2: Tensor;
}

/** What one step keeps for its backward pass (M = m T_x columns, example-major: column j T_x + t'). */
export interface AttentionBuffers {
  readonly T: number;
  readonly m: number;
  /** [s_prev repeated; a] (n_s + n_a, M). */
  readonly concat: Stacked;
  /** tanh(W1 concat + b1) (n_e, M). */
  readonly H: Tensor;
  /** The energies e (1, M). */
  readonly E: Tensor;
  /** α (1, M), i.e. (m, T_x) with one row per example, and its transpose (T_x, m). */
  readonly alpha: Tensor;
  readonly alphaT: Tensor;
  /** α repeated over the n_a rows (n_a, M), and ones (n_a, 1) to make it. */
  readonly alphaRep: Tensor;
  readonly ones: Tensor;
  /** The column gather k -> floor(k / T_x): s_prev (and dcontext) repeated T_x times. */
  readonly repeat: Int32Array;
}

/** Zero buffers for one step over n_s, n_a, n_e, m and T_x. */
export function attentionBuffers(be: Backend, nS: number, nA: number, nE: number, m: number, T: number, dtype: DType): AttentionBuffers {
  const M = m * T;
  const ones = be.zeros([nA, 1], dtype);
  be.fill(ones, 1);
  return {
    T,
    m,
    concat: stacked(be, nS, nA, M, dtype),
    H: be.zeros([nE, M], dtype),
    E: be.zeros([1, M], dtype),
    alpha: be.zeros([1, M], dtype),
    alphaT: be.zeros([T, m], dtype),
    alphaRep: be.zeros([nA, M], dtype),
    ones,
    repeat: repeatEach(M, T),
  };
}

/** Gives a step's buffers back. */
export function freeAttentionBuffers(b: AttentionBuffers): void {
  free(b.concat, b.H, b.E, b.alpha, b.alphaT, b.alphaRep, b.ones);
}

/**
 * one_step_attention: the energies of every t' from [s_prev; a<t'>], α = their softmax over t'
 * per example, context (n_a, m) = Σ_t' α<t'> a<t'>. `a` is (n_a, m, T_x); P (n_a, M) is scratch.
 */
export function attentionStep(be: Backend, w: AttentionWeights, a: Tensor, sPrev: Tensor, b: AttentionBuffers, P: Tensor, context: Tensor): void {
  const { T, m, concat, H, E, alpha, alphaT } = b;
  const M = m * T;
  be.gatherColumns(sPrev, b.repeat, 0, M, concat.top);
  be.copy(a, concat.bottom);
  be.matmul(w.W1, concat.all, H, false, false, 1, 0);
  be.biasActivation(H, w.b1, H, TANH);
  be.matmul(w.W2, H, E, false, false, 1, 0);
  be.biasActivation(E, w.b2, E, RELU);
  be.transpose(asMatrix(E, m, T), alphaT);
  be.activation(alphaT, alphaT, SOFTMAX);
  be.transpose(alphaT, asMatrix(alpha, T, m));
  be.matmul(b.ones, alpha, b.alphaRep, false, false, 1, 0);
  be.mul(concat.bottom, b.alphaRep, P);
  be.rowSum(asMatrix(P, P.size / T, T), asMatrix(context, context.size, 1), 1);
}

/** Scratch of {@link attentionStepBackward}. */
export interface AttentionScratch {
  /** (n_a, M) twice. */
  readonly dRep: Tensor;
  readonly tmp: Tensor;
  /** (1, M) and (T_x, m). */
  readonly dE: Tensor;
  readonly dET: Tensor;
  /** (n_e, M), (n_s + n_a, M), (n_e, 1), (1, 1). */
  readonly dH: Tensor;
  readonly dconcat: Stacked;
  readonly db1: Tensor;
  readonly db2: Tensor;
}

/** Zero scratch for the backward pass of one shape. */
export function attentionScratch(be: Backend, nS: number, nA: number, nE: number, m: number, T: number, dtype: DType): AttentionScratch {
  const M = m * T;
  const z = (r: number, c: number): Tensor => be.zeros([r, c], dtype);
  return { dRep: z(nA, M), tmp: z(nA, M), dE: z(1, M), dET: z(T, m), dH: z(nE, M), dconcat: stacked(be, nS, nA, M, dtype), db1: z(nE, 1), db2: z(1, 1) };
}

/** Gives the backward scratch back. */
export function freeAttentionScratch(s: AttentionScratch): void {
  free(s.dRep, s.tmp, s.dE, s.dET, s.dH, s.dconcat, s.db1, s.db2);
}

/**
 * The backward pass of {@link attentionStep} from dcontext (n_a, m): da (n_a, m, T_x) and the
 * weight gradients are accumulated (a decoder sums its steps), dsPrev (n_s, m) is written.
 */
export function attentionStepBackward(
  be: Backend,
  w: AttentionWeights,
  b: AttentionBuffers,
  dContext: Tensor,
  grads: AttentionWeightGrads,
  da: Tensor,
  dsPrev: Tensor,
  s: AttentionScratch,
): void {
  const { T, m, concat } = b;
  const M = m * T;
  // context = Σ_t' α a: da += dcontext α (repeated), dα = Σ_i dcontext a
  be.gatherColumns(dContext, b.repeat, 0, M, s.dRep);
  be.mul(s.dRep, b.alphaRep, s.tmp);
  be.axpy(1, s.tmp, da);
  be.mul(s.dRep, concat.bottom, s.tmp);
  be.colSum(s.tmp, s.dE, 1);
  // softmax over t' (per example, in the (T_x, m) layout), then relu
  be.transpose(asMatrix(s.dE, m, T), s.dET);
  be.activationBackward(s.dET, b.alphaT, b.alphaT, s.dET, SOFTMAX);
  be.transpose(s.dET, asMatrix(s.dE, T, m));
  be.activationBackward(s.dE, b.E, b.E, s.dE, RELU);
  // the two dense layers
  be.matmul(s.dE, b.H, grads.dW2, false, true, 1, 1);
  addRowSum(be, s.dE, grads.db2, s.db2);
  be.matmul(w.W2, s.dE, s.dH, true, false, 1, 0);
  be.activationBackward(s.dH, b.H, b.H, s.dH, TANH);
  be.matmul(s.dH, concat.all, grads.dW1, false, true, 1, 1);
  addRowSum(be, s.dH, grads.db1, s.db1);
  be.matmul(w.W1, s.dH, s.dconcat.all, true, false, 1, 0);
  // [s_prev repeated; a]: da += the bottom, dsPrev = the top summed over its T_x copies
  be.axpy(1, s.dconcat.bottom, da);
  be.rowSum(asMatrix(s.dconcat.top, s.dconcat.top.size / T, T), asMatrix(dsPrev, dsPrev.size, 1), 1);
}
