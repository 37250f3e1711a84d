/**
 * The course's backward building blocks: linear_backward,
 * linear_activation_backward and L_model_backward.
 */
import type { Activation } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { resolveActivation, type ActivationSpec } from '../nn/activations.js';
import { denseBackward, outputGradient } from '../nn/layers/dense.js';
import { checkLossMatchesOutput, checkProbabilities, resolveLoss, type LossName } from '../nn/losses.js';
import { formatShape, ShapeError, ValueError } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';
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
  if (cache === null || typeof cache !== 'object' || !(cache.A instanceof Tensor) || !(cache.W instanceof Tensor) || !(cache.b instanceof Tensor)) {
    throw new ValueError(`${where}: cache: expected the { A, W, b } cache from linearForward, got ${describe(cache)}`);
  }
}

/** A layer cache's parts, checked: tensors of consistent shapes and a known activation. */
function checkLayerCache(
  cache: unknown,
  where: string,
  name: string,
  from: string,
): { Aprev: Tensor; W: Tensor; b: Tensor; Z: Tensor; A: Tensor; activation: Activation } {
  const expected = `${where}: ${name}: expected a cache from ${from} ({ linearCache: { A, W, b }, activationCache, A, activation })`;
  if (cache === null || typeof cache !== 'object') throw new ValueError(`${expected}, got ${describe(cache)}`);
  const c = cache as Partial<Record<keyof LayerCache, unknown>>;
  const lin = c.linearCache;
  if (lin === null || typeof lin !== 'object') throw new ValueError(`${expected}, got linearCache ${describe(lin)}`);
  const parts: Record<string, unknown> = {
    'linearCache.A': (lin as Record<string, unknown>).A,
    'linearCache.W': (lin as Record<string, unknown>).W,
    'linearCache.b': (lin as Record<string, unknown>).b,
    activationCache: c.activationCache,
    A: c.A,
  };
  for (const [key, t] of Object.entries(parts)) {
    if (!(t instanceof Tensor) || t.shape.length !== 2) {
      throw new ValueError(`${expected}, got ${key} ${t instanceof Tensor ? `of shape ${formatShape(t.shape)}` : describe(t)}`);
    }
  }
  const { Aprev, W, b, Z, A } = { Aprev: parts['linearCache.A'] as Tensor, W: parts['linearCache.W'] as Tensor, b: parts['linearCache.b'] as Tensor, Z: parts.activationCache as Tensor, A: parts.A as Tensor };
  const activation = resolveActivation(c.activation as ActivationSpec, where, `${name}.activation`);
  const m = Aprev.cols;
  const shapes: [string, Tensor, number, number][] = [
    ['linearCache.b', b, W.rows, 1],
    ['activationCache', Z, W.rows, m],
    ['A', A, W.rows, m],
  ];
  if (Aprev.rows !== W.cols) throw new ShapeError(`${where}: ${name}: linearCache.A: expected ${W.cols} rows like W's columns ${formatShape(W.shape)}, got ${formatShape(Aprev.shape)}`);
  for (const [key, t, r, k] of shapes) {
    if (t.rows !== r || t.cols !== k) throw new ShapeError(`${where}: ${name}: ${key}: expected shape (${r}, ${k}) from W ${formatShape(W.shape)} and A_prev ${formatShape(Aprev.shape)}, got ${formatShape(t.shape)}`);
  }
  return { Aprev, W, b, Z, A, activation };
}

/**
 * From dZ: dW = (1/m) dZ A_prev^T, db = (1/m) sum over examples of dZ, dA_prev = W^T dZ.
 *
 * @example
 * ```ts
 * import { linearForward, linearBackward } from 'layerwise';
 * const { cache } = linearForward([[1, 2]], [[3]], [[0]]);
 * const { dW, db, dAPrev } = linearBackward([[1, 1]], cache);
 * dW.get(0, 0) === 1.5; // true
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
 * linearActivationBackward([[1, 1]], cache, 'relu').dW.get(0, 0) === 0.5; // true
 * ```
 */
export function linearActivationBackward(da: TensorLike, cache: LayerCache, activation: ActivationSpec): LayerGradients {
  const where = 'linearActivationBackward';
  const act = resolveActivation(activation, where, 'activation');
  const Z = checkLayerCache(cache, where, 'cache', 'linearActivationForward').Z;
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
 * grads.dW1!.rows === 3 && grads.dW1!.cols === 2; // true
 * ```
 */
export function modelBackward(al: TensorLike, y: TensorLike, caches: readonly LayerCache[], loss: LossName = 'binaryCrossEntropy'): Gradients {
  const where = 'modelBackward';
  const info = resolveLoss(loss, where, 'loss');
  if (!Array.isArray(caches) || caches.length === 0) throw new ValueError(`${where}: caches: expected the caches from modelForward, got ${describe(caches)}`);
  const L = caches.length;
  const checked = caches.map((c: unknown, i) => checkLayerCache(c, where, `caches[${i}]`, 'modelForward'));
  for (let i = 1; i < L; i++) {
    const prevA = checked[i - 1]!.A;
    const Aprev = checked[i]!.Aprev;
    if (Aprev.rows !== prevA.rows || Aprev.cols !== prevA.cols) {
      throw new ShapeError(`${where}: caches[${i}]: linearCache.A: expected shape ${formatShape(prevA.shape)} like caches[${i - 1}].A, got ${formatShape(Aprev.shape)}`);
    }
  }
  const last = caches[L - 1]!;
  const lastA = checked[L - 1]!.A;
  const AL = assertMatrix(toTensor(al, where, 'AL'), where, 'AL');
  if (AL.rows !== lastA.rows || AL.cols !== lastA.cols) {
    throw new ShapeError(`${where}: AL: expected shape ${formatShape(lastA.shape)} (n[L], m) like caches[${L - 1}].A, got ${formatShape(AL.shape)}`);
  }
  const Y = assertMatrix(toTensor(y, where, 'Y'), where, 'Y');
  if (Y.rows !== AL.rows || Y.cols !== AL.cols) throw new ShapeError(`${where}: Y: expected shape ${formatShape(AL.shape)} like AL, got ${formatShape(Y.shape)}`);
  assertFinite(AL, where, 'AL');
  assertFinite(Y, where, 'Y');
  info.checkTargets(Y, where, 'Y');
  const outAct: Activation = checked[L - 1]!.activation;
  checkLossMatchesOutput(info, outAct, where);
  // Cross-entropy's gradient A - Y assumes AL holds probabilities (a sigmoid or softmax output).
  checkProbabilities(info, AL, where);
  // The kernels need one dtype: the caches' (AL given as nested arrays is float32).
  const dtype = lastA.dtype;
  const ALc = AL.dtype === dtype ? AL : AL.clone(dtype);
  const be = backendFor(dtype);
  const grads: Gradients = {};
  let dZ = be.zeros(AL.shape, dtype);
  outputGradient(be, info, outAct, last.activationCache, ALc, Y.dtype === dtype ? Y : Y.clone(dtype), dZ);
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
      be.activationBackward(dAPrev, prev.activationCache, prev.A, dZ, checked[l - 2]!.activation);
    }
  }
  return grads;
}
