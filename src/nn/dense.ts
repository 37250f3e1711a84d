/**
 * The course's dense-layer math, once, for both the functional API and the
 * Network: forward Z = W A_prev + b, A = g(Z); backward dW = (1/m) dZ A_prev^T,
 * db = (1/m) sum over examples of dZ, dA_prev = W^T dZ.
 */
import type { Activation, Backend } from '../backend/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import type { LossInfo } from './losses.js';

/** Z = W Aprev + b; A = g(Z). Z keeps the pre-activation (the activation cache). */
export function denseForward(be: Backend, w: Tensor, b: Tensor, aPrev: Tensor, z: Tensor, a: Tensor, act: Activation): void {
  be.matmul(w, aPrev, z, false, false, 1, 0);
  be.biasActivation(z, b, a, act);
}

/**
 * From dZ of a layer: dW = (1/m) dZ Aprev^T, db = (1/m) rowsum(dZ) (skipped
 * for batch-normalized layers, which have no b), and dAprev = W^T dZ when
 * asked for (the first layer does not need it).
 */
export function denseBackward(
  be: Backend,
  dZ: Tensor,
  aPrev: Tensor,
  w: Tensor,
  dW: Tensor,
  db: Tensor | null,
  dAPrev: Tensor | null,
): void {
  const m = dZ.cols;
  be.matmul(dZ, aPrev, dW, false, true, 1 / m, 0);
  if (db) be.rowSum(dZ, db, 1 / m);
  if (dAPrev) be.matmul(w, dZ, dAPrev, true, false, 1, 0);
}

/**
 * dZ[L] of the output layer. For sigmoid + BCE and softmax + CCE this is
 * exactly A - Y (no division by A, so saturated outputs stay finite);
 * otherwise dA = dL/dA flows through g'.
 */
export function outputGradient(be: Backend, loss: LossInfo, act: Activation, z: Tensor, a: Tensor, y: Tensor, dZ: Tensor): void {
  if (loss.fusedWith === act.kind) {
    be.outputDelta(a, y, dZ);
  } else {
    be.lossGradient(loss.kind, a, y, dZ);
    be.activationBackward(dZ, z, a, dZ, act);
  }
}
