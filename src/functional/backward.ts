/**
 * The course's backward building blocks: linear_backward,
 * linear_activation_backward and L_model_backward.
 */
import type { Activation } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { resolveActivation, type ActivationSpec } from '../nn/activations.js';
import { denseBackward, outputGradient } from '../nn/dense.js';
import { checkLossMatchesOutput, resolveLoss, type LossName } from '../nn/losses.js';
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertFinite, assertMatrix, describe, toTensor, type TensorLike } from '../tensor/validate.js';
import type { LayerCache, LinearCache } from './forward.js';
import type { Gradients } from './parameters.js';

/** Gradients of one layer. */
export interface LayerGradients {
  dAPrev: Tensor;
  dW: Tensor;
  db: Tensor;
}

function checkCache(cache: LinearCache, where: string): void {
  if (cache === null || typeof cache !== 'object' || !cache.A || !cache.W || !cache.b) {
    throw new ValueError(`${where}: cache: expected the { A, W, b } cache from linearForward, got ${describe(cache)}`);
  }
}

/**
 * From dZ: dW = (1/m) dZ A_prev^T, db = (1/m) sum over examples of dZ, dA_prev = W^T dZ.
 *
 * @example
 * ```ts
 * import { linearForward, linearBackward } from 'layerwise';
 * const { cache } = linearForward([[1, 2]], [[3]], [[0]]);
 * const { dW, db, dAPrev } = linearBackward([[1, 1]], cache);
 * dW.toArray(); // [[1.5]]
 * ```
 */
export function linearBackward(dz: TensorLike, cache: LinearCache): LayerGradients {
  const where = 'linearBackward';
  checkCache(cache, where);
  const dZ = assertMatrix(toTensor(dz, where, 'dZ'), where, 'dZ');
  const { A, W, b } = cache;
  if (dZ.rows !== W.rows || dZ.cols !== A.cols) {
    throw new ShapeError(`${where}: dZ: expected shape (${W.rows}, ${A.cols}) like Z, got ${formatShape(dZ.shape)}`);
  }
  assertFinite(dZ, where, 'dZ');
  const be = backendFor(W.dtype);
  const dAPrev = be.zeros(A.shape, W.dtype);
  const dW = be.zeros(W.shape, W.dtype);
  const db = be.zeros(b.shape, W.dtype);
  denseBackward(be, dZ.dtype === W.dtype ? dZ : dZ.clone(W.dtype), A, W, dW, db, dAPrev);
  return { dAPrev, dW, db };
}

/**
 * dZ = dA * g'(Z), then {@link linearBackward}.
 *
 * @example
 * ```ts
 * import { linearActivationForward, linearActivationBackward } from 'layerwise';
 * const { cache } = linearActivationForward([[1, -2]], [[1]], [[0]], 'relu');
 * linearActivationBackward([[1, 1]], cache, 'relu').dW.toArray(); // [[0.5]]
 * ```
 */
export function linearActivationBackward(da: TensorLike, cache: LayerCache, activation: ActivationSpec): LayerGradients {
  const where = 'linearActivationBackward';
  const act = resolveActivation(activation, where, 'activation');
  if (cache === null || typeof cache !== 'object' || !cache.linearCache || !cache.activationCache) {
    throw new ValueError(`${where}: cache: expected the cache from linearActivationForward, got ${describe(cache)}`);
  }
  const Z = cache.activationCache;
  const dA = assertMatrix(toTensor(da, where, 'dA'), where, 'dA');
  if (dA.rows !== Z.rows || dA.cols !== Z.cols) throw new ShapeError(`${where}: dA: expected shape ${formatShape(Z.shape)} like Z, got ${formatShape(dA.shape)}`);
  assertFinite(dA, where, 'dA');
  const be = backendFor(Z.dtype);
  const dZ = be.zeros(Z.shape, Z.dtype);
  be.activationBackward(dA.dtype === Z.dtype ? dA : dA.clone(Z.dtype), Z, cache.A, dZ, act);
  return linearBackward(dZ, cache.linearCache);
}

/**
 * The backward pass of an L-layer model from the caches of {@link modelForward}.
 * For sigmoid + binary cross-entropy (and softmax + categorical cross-entropy)
 * it starts from dZ[L] = A[L] - Y, the stable form of dA[L] = -(Y/A - (1-Y)/(1-A)).
 *
 * @example
 * ```ts
 * import { initializeParameters, modelForward, modelBackward } from 'layerwise';
 * const p = initializeParameters([2, 3, 1], { seed: 1 });
 * const X = [[0.1, 0.2], [0.3, 0.4]];
 * const { AL, caches } = modelForward(X, p);
 * const grads = modelBackward(AL, [[1, 0]], caches);
 * grads.dW1.shape; // [3, 2]
 * ```
 */
export function modelBackward(al: TensorLike, y: TensorLike, caches: readonly LayerCache[], loss: LossName = 'binaryCrossEntropy'): Gradients {
  const where = 'modelBackward';
  const info = resolveLoss(loss, where, 'loss');
  if (!Array.isArray(caches) || caches.length === 0) throw new ValueError(`${where}: caches: expected the caches from modelForward, got ${describe(caches)}`);
  const L = caches.length;
  const last = caches[L - 1]!;
  const AL = assertMatrix(toTensor(al, where, 'AL'), where, 'AL');
  const Y = assertMatrix(toTensor(y, where, 'Y'), where, 'Y');
  if (Y.rows !== AL.rows || Y.cols !== AL.cols) throw new ShapeError(`${where}: Y: expected shape ${formatShape(AL.shape)} like AL, got ${formatShape(Y.shape)}`);
  assertFinite(Y, where, 'Y');
  info.checkTargets(Y, where, 'Y');
  const outAct: Activation = last.activation;
  checkLossMatchesOutput(info, outAct, where);
  const be = backendFor(AL.dtype);
  const grads: Gradients = {};
  let dZ = be.zeros(AL.shape, AL.dtype);
  outputGradient(be, info, outAct, last.activationCache, AL, Y.dtype === AL.dtype ? Y : Y.clone(AL.dtype), dZ);
  for (let l = L; l >= 1; l--) {
    const cache = caches[l - 1]!;
    const { A: Aprev, W, b } = cache.linearCache;
    const dW = be.zeros(W.shape, W.dtype);
    const db = be.zeros(b.shape, W.dtype);
    const dAPrev = be.zeros(Aprev.shape, W.dtype);
    denseBackward(be, dZ, Aprev, W, dW, db, dAPrev);
    grads[`dW${l}`] = dW;
    grads[`db${l}`] = db;
    grads[`dA${l - 1}`] = dAPrev;
    if (l > 1) {
      const prev = caches[l - 2]!;
      dZ = be.zeros(dAPrev.shape, W.dtype);
      be.activationBackward(dAPrev, prev.activationCache, prev.A, dZ, prev.activation);
    }
  }
  return grads;
}
