/**
 * The basic RNN cell of course 5, once for the functional API and the layers:
 *   a<t> = tanh(Waa a<t-1> + Wax x<t> + ba),   y^<t> = softmax(Wya a<t> + by),
 * and its backward pass as the course's rnn_cell_backward defines it (sums
 * over the m examples, not means). Every step is a few kernel calls on
 * buffers the caller owns; nothing here allocates.
 */
import type { Activation, Backend } from '../../backend/backend.js';
import type { Tensor } from '../../tensor/tensor.js';
import { addRowSum } from './views.js';

export const TANH: Activation = { kind: 'tanh' };
export const SIGMOID: Activation = { kind: 'sigmoid' };
export const SOFTMAX: Activation = { kind: 'softmax' };

/** The hidden-state weights of a basic RNN cell: Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1). */
export interface RnnWeights {
  readonly Wax: Tensor;
  readonly Waa: Tensor;
  readonly ba: Tensor;
}

/** The gradients of {@link RnnWeights}, accumulated over the steps of a sequence. */
export interface RnnWeightGrads {
  readonly dWax: Tensor;
  readonly dWaa: Tensor;
  readonly dba: Tensor;
}

/** aNext = tanh(Waa aPrev + Wax xt + ba): two GEMMs into aNext, then the fused bias + tanh. */
export function rnnStep(be: Backend, w: RnnWeights, xt: Tensor, aPrev: Tensor, aNext: Tensor): void {
  be.matmul(w.Waa, aPrev, aNext, false, false, 1, 0);
  be.matmul(w.Wax, xt, aNext, false, false, 1, 1);
  be.biasActivation(aNext, w.ba, aNext, TANH);
}

/** yPred = softmax(Wy a + by) (n_y, m): the prediction of every cell (Wya of the RNN, Wy of the LSTM and GRU). */
export function softmaxOutput(be: Backend, Wy: Tensor, by: Tensor, a: Tensor, yPred: Tensor): void {
  be.matmul(Wy, a, yPred, false, false, 1, 0);
  be.biasActivation(yPred, by, yPred, SOFTMAX);
}

/** Scratch of {@link rnnStepBackward}: dz (n_a, m) and db (n_a, 1). */
export interface RnnScratch {
  readonly dz: Tensor;
  readonly db: Tensor;
}

/**
 * rnn_cell_backward from daNext = dL/da<t>: dz = (1 - a<t>^2) * daNext;
 * dWax += dz xt^T, dWaa += dz aPrev^T, dba += sum over examples of dz (accumulated, so a
 * sequence sums its steps; pass zeros for one cell); dxt = Wax^T dz and daPrev = Waa^T dz (written).
 */
export function rnnStepBackward(
  be: Backend,
  w: RnnWeights,
  xt: Tensor,
  aPrev: Tensor,
  aNext: Tensor,
  daNext: Tensor,
  grads: RnnWeightGrads,
  dxt: Tensor,
  daPrev: Tensor,
  scratch: RnnScratch,
): void {
  const dz = scratch.dz;
  be.activationBackward(daNext, aNext, aNext, dz, TANH);
  be.matmul(dz, xt, grads.dWax, false, true, 1, 1);
  be.matmul(dz, aPrev, grads.dWaa, false, true, 1, 1);
  addRowSum(be, dz, grads.dba, scratch.db);
  be.matmul(w.Wax, dz, dxt, true, false, 1, 0);
  be.matmul(w.Waa, dz, daPrev, true, false, 1, 0);
}
