/**
 * compute_cost from the output activations, as the course writes it. The
 * backend computes cross-entropies from logits; here only A[L] is known, so it
 * is clamped to [eps, 1 - eps] and turned back into logits, which gives
 * -[y log a + (1-y) log(1-a)] exactly and never log(0).
 */
import type { Tensor } from '../tensor/tensor.js';
import { backendFor } from '../backend/registry.js';
import { checkProbabilities, resolveLoss, type LossName } from '../nn/losses.js';
import { formatShape, ShapeError } from '../tensor/errors.js';
import { assertFinite, assertMatrix, toTensor, type TensorLike } from '../tensor/validate.js';

/** The clamp that keeps log() finite: about float32's resolution near 1, or float64's. */
export function probabilityEpsilon(t: Tensor): number {
  return t.dtype === 'float64' ? 1e-15 : 1e-7;
}

/**
 * The cost J: binary cross-entropy -(1/m) sum[y log a + (1-y) log(1-a)] (default),
 * categorical cross-entropy -(1/m) sum y log a, or mean squared error
 * (1/m) sum ||a - y||^2 / n_y.
 *
 * @example
 * ```ts
 * import { computeCost } from 'layerwise';
 * computeCost([[0.8, 0.9, 0.4]], [[1, 1, 0]]); // 0.2797765635793422
 * Math.abs(computeCost([[0.8, 0.9, 0.4]], [[1, 1, 0]]) - 0.2797765635793422) < 1e-6; // true
 * ```
 */
export function computeCost(al: TensorLike, y: TensorLike, loss: LossName = 'binaryCrossEntropy'): number {
  const where = 'computeCost';
  const info = resolveLoss(loss, where, 'loss');
  const AL = assertMatrix(toTensor(al, where, 'AL'), where, 'AL');
  const Y = assertMatrix(toTensor(y, where, 'Y'), where, 'Y');
  if (AL.rows !== Y.rows || AL.cols !== Y.cols) throw new ShapeError(`${where}: Y: expected shape ${formatShape(AL.shape)} like AL, got ${formatShape(Y.shape)}`);
  if (AL.cols === 0) throw new ShapeError(`${where}: AL: expected at least one example (column), got shape ${formatShape(AL.shape)}`);
  assertFinite(AL, where, 'AL');
  assertFinite(Y, where, 'Y');
  info.checkTargets(Y, where, 'Y');
  const be = backendFor(AL.dtype);
  const Yc = Y.dtype === AL.dtype ? Y : Y.clone(AL.dtype);
  checkProbabilities(info, AL, where);
  const logits = be.zeros(AL.shape, AL.dtype);
  if (info.kind !== 'meanSquaredError') {
    const eps = probabilityEpsilon(AL);
    for (let i = 0; i < AL.size; i++) {
      const p = Math.min(Math.max(AL.data[i]!, eps), 1 - eps);
      logits.data[i] = info.kind === 'binaryCrossEntropy' ? Math.log(p / (1 - p)) : Math.log(p);
    }
  }
  return be.lossSum(info.kind, logits, AL, Yc) / AL.cols;
}
